/**
 * The drill-down of a STORED run (no live model behind it): per test user, what its events recorded:
 * support and query counts, the MAE after adaptation, before it and of each baseline at every evaluated
 * epoch (per-user errors of the evaluated events), and MAMO's attention. Item-level predictions need the
 * trained network, which is not stored: the page says so instead of inventing them.
 */
import { useState } from 'react';
import { SCENARIOS, SCENARIO_LABELS, SCENARIO_SHORT, type Scenario } from '../../data/scenarios/types';
import type { DatasetSummary } from '../../data/summary';
import { BASELINE_LABELS, type BaselineName } from '../../worker/protocol';
import type { RunView } from '../state/runState';

interface Props {
  readonly run: RunView;
  /** The loaded data's summary when it is the run's data (for raw user ids), else null. */
  readonly summary: DatasetSummary | null;
  /** A pick from the memory heatmap: scenario and test task of the last snapshot. */
  readonly selected: { scenario: Scenario; task: number } | null;
}

/** The user behind a memory-heatmap pick (scenario, task of the last snapshot), or null. */
function pickedUser(run: RunView, selected: Props['selected']): { scenario: Scenario; user: number } | null {
  const snap = run.memory[run.memory.length - 1];
  if (!selected || !snap) return null;
  const s = SCENARIOS.indexOf(selected.scenario);
  for (let r = 0; r < snap.users.length; r++)
    if (snap.scenarios[r] === s && snap.tasks[r] === selected.task)
      return { scenario: selected.scenario, user: snap.users[r]! };
  return null;
}

const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '–');

export function StoredUserPanel({ run, summary, selected }: Props) {
  const last = [...run.evaluations].reverse().find((e) => e.userErrors);
  // the memory pick names a task; the stored errors are per user: map through the snapshot
  const picked = pickedUser(run, selected);
  const [choice, setChoice] = useState<{ scenario: Scenario; user: number } | null>(null);
  const current = choice ?? picked;
  const [scenario, setScenario] = useState<Scenario>(picked?.scenario ?? 'warm');
  if (!last?.userErrors)
    return (
      <p className="empty" data-testid="stored-users-empty">
        This stored run has no per-user errors (it was stored before runs recorded them, or was never
        evaluated).
      </p>
    );
  const rawId = (u: number) => (summary ? `user ${summary.userColumns.rawIds[u]}` : `user index ${u}`);
  const rows = last.userErrors[scenario];
  const detail = current ? last.userErrors[current.scenario] : undefined;
  const at = detail && current ? detail.users.indexOf(current.user) : -1;
  const attention = (() => {
    const snap = run.memory[run.memory.length - 1];
    if (!snap || !current) return null;
    const s = SCENARIOS.indexOf(current.scenario);
    for (let r = 0; r < snap.users.length; r++)
      if (snap.scenarios[r] === s && snap.users[r] === current.user)
        return Array.from(snap.attention.subarray(r * snap.k, (r + 1) * snap.k));
    return null;
  })();
  return (
    <div className="users" data-testid="stored-users">
      <div className="users-list">
        <select
          value={scenario}
          onChange={(e) => setScenario(e.target.value as Scenario)}
          aria-label="Scenario"
        >
          {SCENARIOS.map((s) => (
            <option key={s} value={s}>
              {SCENARIO_SHORT[s]} ({last.userErrors?.[s]?.users.length ?? 0})
            </option>
          ))}
        </select>
        <ul className="pick-list">
          {rows?.users.map((u, i) => (
            <li key={u}>
              <button
                type="button"
                className={current?.scenario === scenario && current.user === u ? 'selected' : ''}
                onClick={() => setChoice({ scenario, user: u })}
              >
                {rawId(u)}{' '}
                <span className="muted">
                  · {rows.support?.[i] ?? '?'} support · {rows.n[i]} query
                </span>
              </button>
            </li>
          ))}
        </ul>
      </div>
      <div className="users-detail" data-testid="stored-user-detail">
        {!detail || at < 0 || !current ? (
          <p className="empty">Pick a user to see their stored errors.</p>
        ) : (
          <>
            <h3 data-testid="drilldown-title">
              {rawId(current.user)} · {SCENARIO_LABELS[current.scenario]}
            </h3>
            <p className="muted">
              {detail.support?.[at] ?? '?'} support ratings, {detail.n[at]} query ratings. Stored run: the
              per-item predictions need the trained network, which is not stored (train it again from the
              run's link to see them).
            </p>
            {attention && <p>attention: {attention.map((a) => a.toFixed(2)).join(' · ')}</p>}
            <table className="table compact">
              <thead>
                <tr>
                  <th>epoch</th>
                  <th>MAE after adaptation</th>
                  <th>before</th>
                </tr>
              </thead>
              <tbody>
                {run.evaluations.map((e) => {
                  const r = e.userErrors?.[current.scenario];
                  const i = r ? r.users.indexOf(current.user) : -1;
                  if (!r || i < 0) return null;
                  const mae = (p: 'model' | 'noAdaptation') => (r.predictors[p]?.abs[i] ?? NaN) / r.n[i]!;
                  return (
                    <tr key={e.epoch}>
                      <td>{e.epoch}</td>
                      <td>{f3(mae('model'))}</td>
                      <td>{f3(mae('noAdaptation'))}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
            <table className="table compact">
              <tbody>
                {(Object.keys(detail.predictors) as BaselineName[])
                  .filter((p) => p !== ('model' as string) && p !== 'noAdaptation')
                  .map((p) => (
                    <tr key={p}>
                      <td>{BASELINE_LABELS[p].split(':')[0]}</td>
                      <td>{f3(detail.predictors[p]!.abs[at]! / detail.n[at]!)}</td>
                    </tr>
                  ))}
              </tbody>
            </table>
          </>
        )}
      </div>
    </div>
  );
}
