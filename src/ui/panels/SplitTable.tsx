/**
 * The per-scenario table of a split: tasks, users, items, ratings and support sizes. Rows are grouped
 * under "test" and "validation" headings so the labels stay short enough for the sidebar.
 */
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
      <td>{s.tasks.toLocaleString('en-US')}</td>
      <td>{s.users.toLocaleString('en-US')}</td>
      <td>{s.items.toLocaleString('en-US')}</td>
      <td>{s.ratings.toLocaleString('en-US')}</td>
      <td
        title={
          s.tasks
            ? `support sizes ${s.supportSize.min}–${s.supportSize.max}, median ${s.supportSize.median}`
            : undefined
        }
      >
        {s.tasks ? s.supportSize.median : '–'}
      </td>
    </tr>
  );
}

function Group({ title }: { title: string }) {
  return (
    <tr className="group-row">
      <th scope="rowgroup" colSpan={6}>
        {title}
      </th>
    </tr>
  );
}

export function SplitTable({ split }: { split: SplitSummary }) {
  const validation = SCENARIOS.filter((s) => split.validation[s].tasks > 0);
  return (
    <table className="table split-table" data-testid="split-table">
      <thead>
        <tr>
          <th />
          <th>tasks</th>
          <th>users</th>
          <th>items</th>
          <th>ratings</th>
          <th title="median support size per task (hover a cell for the range)">support</th>
        </tr>
      </thead>
      <tbody>
        <Row label="train" s={split.train} />
        <Group title="test" />
        {SCENARIOS.map((s) => (
          <Row key={s} label={SCENARIO_SHORT[s]} title={SCENARIO_LABELS[s]} s={split.test[s]} />
        ))}
        {validation.length > 0 && <Group title="validation" />}
        {validation.map((s) => (
          <Row key={`v${s}`} label={SCENARIO_SHORT[s]} title={SCENARIO_LABELS[s]} s={split.validation[s]} />
        ))}
      </tbody>
    </table>
  );
}
