/**
 * What each given file contributed to the loaded dataset: its role and rows, or why it was not used
 * (the data panel, under the counts). Plain data from the worker's summary; no tfjs.
 */
import type { DatasetSummary } from '../../data/summary';

export function FileContributions({ summary }: { readonly summary: DatasetSummary }) {
  if (summary.contributions.length === 0) return null;
  const used = summary.contributions.filter((c) => c.role !== 'not used').length;
  return (
    <details open={summary.contributions.length <= 8} data-testid="contributions">
      <summary>
        {summary.contributions.length} file(s), {used} used
      </summary>
      <table className="contributions">
        <thead>
          <tr>
            <th>file</th>
            <th>read as</th>
            <th>rows</th>
          </tr>
        </thead>
        <tbody>
          {summary.contributions.map((c) => (
            <tr key={c.path} className={c.role === 'not used' ? 'muted' : undefined} title={c.detail}>
              <td>{c.path}</td>
              <td>{c.role === 'not used' ? `not used: ${c.detail}` : c.role}</td>
              <td>{c.role === 'not used' ? '–' : `${c.rows.toLocaleString('en-US')} ${c.detail}`.trim()}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}
