/**
 * The Users drill-down of a MELO or MML run: the user's window in time order, support positions (with
 * their ratings) then query positions. MELO: each query position's true rating and the prediction
 * before and after the local steps. MML: the true next item's rank among every item before and after
 * adaptation, and the five items ranked first after it.
 */
import type { SequenceInspection } from '../../worker/protocol';
import { windowRows, windowSummary } from '../state/sequenceDrilldown';

const f2 = (x: number) => x.toFixed(2);
const pct = (x: number) => `${Math.round(x * 100)}%`;

export function SequenceDrilldown({ inspection: s }: { inspection: SequenceInspection }) {
  const rows = windowRows(s);
  const sum = windowSummary(s);
  const rating = s.kind === 'rating';
  return (
    <>
      {sum.kind === 'rating' ? (
        <p>
          Query MAE before the {s.steps} local steps <strong>{f2(sum.maeBefore)}</strong>, after{' '}
          <strong>{f2(sum.maeAfter)}</strong> ({sum.n} query positions, from {s.support.length} support
          ratings).
        </p>
      ) : (
        <p>
          Next-item rank among {sum.candidates} items, before and after {s.steps} local steps on the support:
          Recall@10 <strong>{pct(sum.recallBefore)}</strong> → <strong>{pct(sum.recallAfter)}</strong>, MRR@10{' '}
          <strong>{f2(sum.mrrBefore)}</strong> → <strong>{f2(sum.mrrAfter)}</strong>; adaptation raised the
          true item in {sum.improved} of {sum.n} positions.
        </p>
      )}
      <p className="hint">
        The window in time order (support, then query)
        {s.dropped > 0 ? `; the ${s.dropped} earliest support ratings fall outside the model's window` : ''}.
      </p>
      <table className="table compact" data-testid="drilldown-window" data-kind={s.kind}>
        <thead>
          <tr>
            <th>#</th>
            <th>item</th>
            <th>rating</th>
            <th>{rating ? 'before' : 'rank before'}</th>
            <th>{rating ? 'after' : 'rank after'}</th>
            {!rating && <th>top 5 after adaptation</th>}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.position} className={r.role}>
              <td>{r.position + 1}</td>
              <td>
                {r.title}
                {r.role === 'support' && <span className="muted"> · support</span>}
              </td>
              <td>{r.rating}</td>
              <td>{r.before === null ? '' : rating ? f2(r.before) : r.before}</td>
              <td className={r.change === 'better' ? 'better' : r.change === 'worse' ? 'worse' : ''}>
                {r.after === null ? '' : rating ? f2(r.after) : r.after}
              </td>
              {!rating && (
                <td className="muted">
                  {r.top?.map((t) => (t.title === r.title ? `[${t.title}]` : t.title)).join(' · ')}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
