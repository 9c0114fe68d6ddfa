/**
 * Users: pick a test user (from the memory heatmap or this searchable list) to see their support
 * ratings and, for each query item, the true rating and the prediction before and after local
 * adaptation: how a few ratings adapt the model. MELO and MML runs show the user's window in time
 * order instead (SequenceDrilldown.tsx), once the run has finished or been stopped.
 */
import { useEffect, useMemo, useState } from 'react';
import { SCENARIOS, SCENARIO_LABELS, SCENARIO_SHORT, type Scenario } from '../../data/scenarios/types';
import type { TestTaskIndex, UserInspection } from '../../worker/protocol';
import { Callout } from '../components/Callout';
import { SequenceDrilldown } from './SequenceDrilldown';

interface Props {
  readonly tasks: TestTaskIndex | null;
  readonly selected: { scenario: Scenario; task: number } | null;
  readonly onSelect: (scenario: Scenario, task: number) => void;
  readonly inspect: (scenario: Scenario, task: number) => Promise<UserInspection>;
  readonly ready: boolean;
  /** Why users cannot be opened yet, when the model exists (a running MELO/MML run). */
  readonly waiting?: string;
}

const f2 = (x: number) => x.toFixed(2);

export function UsersPanel({ tasks, selected, onSelect, inspect, ready, waiting }: Props) {
  // the list shows the scenario of the user picked elsewhere (e.g. a new-item user in the heatmap)
  const [scenario, setScenario] = useState<Scenario>(selected?.scenario ?? 'warm');
  const [listedFor, setListedFor] = useState(selected);
  if (selected !== listedFor) {
    setListedFor(selected);
    if (selected) setScenario(selected.scenario);
  }
  const [query, setQuery] = useState('');
  // the answer for one selection; shown only while that selection is current
  const [answer, setAnswer] = useState<{
    key: string;
    result: UserInspection | null;
    error: string | null;
  } | null>(null);
  const key = selected ? `${selected.scenario}:${selected.task}` : '';
  useEffect(() => {
    if (!selected || !ready) return;
    let live = true;
    inspect(selected.scenario, selected.task).then(
      (r) => live && setAnswer({ key: `${selected.scenario}:${selected.task}`, result: r, error: null }),
      (e: unknown) =>
        live &&
        setAnswer({
          key: `${selected.scenario}:${selected.task}`,
          result: null,
          error: e instanceof Error ? e.message : String(e),
        }),
    );
    return () => {
      live = false;
    };
  }, [selected, ready, inspect]);
  const current = answer && answer.key === key ? answer : null;
  const result = current?.result ?? null;
  const error = current?.error ?? null;
  const list = useMemo(() => {
    if (!tasks) return [];
    const t = tasks[scenario];
    const rows = Array.from(t.rawUserIds, (id, task) => ({
      id,
      task,
      support: t.supportSizes[task]!,
      query: t.querySizes[task]!,
    }));
    return rows.filter((r) => query === '' || String(r.id).startsWith(query.trim())).slice(0, 200);
  }, [tasks, scenario, query]);
  const mae = (key: 'before' | 'after') =>
    result
      ? result.query.reduce((s, q) => s + Math.abs(q[key] - q.rating), 0) / Math.max(1, result.query.length)
      : 0;
  return (
    <div className="users">
      <div className="users-list">
        <div className="row">
          <select
            value={scenario}
            onChange={(e) => setScenario(e.target.value as Scenario)}
            aria-label="Scenario"
          >
            {SCENARIOS.map((s) => (
              <option key={s} value={s}>
                {SCENARIO_SHORT[s]} ({tasks?.[s].rawUserIds.length ?? 0})
              </option>
            ))}
          </select>
          <input
            type="search"
            placeholder="user id…"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            aria-label="Search user id"
          />
        </div>
        <ul className="pick-list" data-testid="user-list">
          {list.map((r) => (
            <li key={r.task}>
              <button
                type="button"
                className={selected?.scenario === scenario && selected.task === r.task ? 'selected' : ''}
                onClick={() => onSelect(scenario, r.task)}
                disabled={!ready}
              >
                user {r.id}{' '}
                <span className="muted">
                  · {r.support} support · {r.query} query
                </span>
              </button>
            </li>
          ))}
        </ul>
        {!ready && <p className="hint">{waiting ?? 'Train a model to inspect users.'}</p>}
      </div>
      <div className="users-detail" data-testid="user-detail">
        {error && <Callout kind="error">{error}</Callout>}
        {!result && !error && (
          <p className="empty">Pick a user to see how their support ratings adapt the model.</p>
        )}
        {result && (
          <>
            <h3 data-testid="drilldown-title">
              User {result.rawUserId} · {SCENARIO_LABELS[result.scenario]}
            </h3>
            <p className="muted">{result.profile.join(' · ')}</p>
            {result.attention && (
              <p>
                Attention over the memory slots:{' '}
                {result.attention.map((a, k) => (
                  <span key={k} className="tag">
                    slot {k + 1}: {a.toFixed(2)}
                  </span>
                ))}
              </p>
            )}
            {result.sequence && <SequenceDrilldown inspection={result.sequence} />}
            {!result.sequence && (
              <>
                <p>
                  Query MAE before adaptation <strong>{f2(mae('before'))}</strong>, after{' '}
                  <strong>{f2(mae('after'))}</strong> (from {result.support.length} support ratings).
                </p>
                <table className="table compact" data-testid="drilldown-query">
                  <thead>
                    <tr>
                      <th>query item</th>
                      <th>true</th>
                      <th>before</th>
                      <th>after</th>
                    </tr>
                  </thead>
                  <tbody>
                    {result.query.map((q, k) => (
                      <tr key={k}>
                        <td>{q.title}</td>
                        <td>{q.rating}</td>
                        <td>{f2(q.before)}</td>
                        <td
                          className={
                            Math.abs(q.after - q.rating) < Math.abs(q.before - q.rating) ? 'better' : 'worse'
                          }
                        >
                          {f2(q.after)}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                <details open>
                  <summary>{result.support.length} support ratings</summary>
                  <ul className="notes" data-testid="drilldown-support">
                    {result.support.map((s, k) => (
                      <li key={k}>
                        {s.title} — {s.rating}★
                      </li>
                    ))}
                  </ul>
                </details>
              </>
            )}
          </>
        )}
      </div>
    </div>
  );
}
