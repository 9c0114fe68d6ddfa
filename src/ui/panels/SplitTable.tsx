/** The per-scenario table of a split: tasks, users, items, ratings and support sizes. */
import {
  SCENARIOS,
  SCENARIO_LABELS,
  SCENARIO_SHORT,
  type SplitSummary,
  type TaskSetSummary,
} from '../../data/scenarios/types';

function Row({ label, title, s }: { label: string; title?: string; s: TaskSetSummary }) {
  return (
    <tr>
      <th scope="row" title={title}>
        {label}
      </th>
      <td>{s.tasks.toLocaleString()}</td>
      <td>{s.users.toLocaleString()}</td>
      <td>{s.items.toLocaleString()}</td>
      <td>{s.ratings.toLocaleString()}</td>
      <td>{s.tasks ? `${s.supportSize.min}–${s.supportSize.max} · ${s.supportSize.median}` : '–'}</td>
    </tr>
  );
}

export function SplitTable({ split }: { split: SplitSummary }) {
  return (
    <table className="table" data-testid="split-table">
      <thead>
        <tr>
          <th />
          <th>tasks</th>
          <th>users</th>
          <th>items</th>
          <th>ratings</th>
          <th title="min–max · median">support</th>
        </tr>
      </thead>
      <tbody>
        <Row label="train" s={split.train} />
        {SCENARIOS.map((s) => (
          <Row key={s} label={`test · ${SCENARIO_SHORT[s]}`} title={SCENARIO_LABELS[s]} s={split.test[s]} />
        ))}
        {SCENARIOS.filter((s) => split.validation[s].tasks > 0).map((s) => (
          <Row
            key={`v${s}`}
            label={`valid. · ${SCENARIO_SHORT[s]}`}
            title={SCENARIO_LABELS[s]}
            s={split.validation[s]}
          />
        ))}
      </tbody>
    </table>
  );
}
