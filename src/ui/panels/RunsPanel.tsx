/**
 * Runs: every finished or stopped run, kept in IndexedDB (survives a reload), compared side by side
 * (final per-scenario table and overlaid curves) and exported as JSON or CSV.
 */
import { useEffect, useMemo, useState } from 'react';
import { serializeConfigHash } from '../../config/codec';
import { SCENARIOS, SCENARIO_LABELS, SCENARIO_SHORT, type Scenario } from '../../data/scenarios/types';
import { SeriesChart, type Series } from '../charts/SeriesChart';
import { download, runsToCsv } from '../state/export';
import { replay } from '../state/runState';
import { deleteRun, listRuns, type SavedRun } from '../store/runsStore';

const PALETTE = ['#2f6fb0', '#d1782a', '#3a9a5b', '#b0413e', '#7a5aa6', '#8a6d3b', '#3d8c95', '#c05a9c'];
const savedAt = (t: number) =>
  new Date(t).toLocaleString('en-GB', {
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
const f3 = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '–' : x.toFixed(3));

export function RunsPanel() {
  const [runs, setRuns] = useState<SavedRun[]>([]);
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [scenario, setScenario] = useState<Scenario>('user_cold');
  useEffect(() => {
    const refresh = () => void listRuns().then(setRuns);
    refresh();
    window.addEventListener('metarec-runs-changed', refresh);
    return () => window.removeEventListener('metarec-runs-changed', refresh);
  }, []);
  const chosen = useMemo(() => runs.filter((r) => picked.has(r.id)), [runs, picked]);
  const overlay = useMemo<Series[]>(
    () =>
      chosen.map((r, k) => {
        const view = replay(r.config, r.events);
        const points = view.evaluations.filter((e) => e.test[scenario]);
        return {
          name: `${r.config.model} · ${savedAt(r.savedAt)}`,
          x: points.map((e) => e.epoch),
          y: points.map((e) => e.test[scenario]!.mae),
          color: PALETTE[k % PALETTE.length]!,
          mode: 'lines+markers',
        };
      }),
    [chosen, scenario],
  );
  if (runs.length === 0)
    return (
      <p className="empty" data-testid="runs-empty">
        Finished and stopped runs appear here and survive a reload.
      </p>
    );
  return (
    <div className="runs" data-testid="runs-panel">
      <div className="row">
        <button
          type="button"
          onClick={() =>
            download(
              'metarec-runs.json',
              JSON.stringify(chosen.length ? chosen : runs, null, 2),
              'application/json',
            )
          }
        >
          Export JSON
        </button>
        <button
          type="button"
          onClick={() => download('metarec-runs.csv', runsToCsv(chosen.length ? chosen : runs), 'text/csv')}
        >
          Export CSV
        </button>
        <span className="muted">{chosen.length ? `${chosen.length} selected` : 'all runs'}</span>
      </div>
      <table className="table compact" data-testid="runs-table">
        <thead>
          <tr>
            <th />
            <th>saved</th>
            <th>data</th>
            <th>model</th>
            <th>protocol · seed</th>
            <th>epochs</th>
            {SCENARIOS.map((s) => (
              <th key={s} title={SCENARIO_LABELS[s]}>
                MAE {SCENARIO_SHORT[s]}
              </th>
            ))}
            <th title="the run's whole configuration as a link: open it to train the same run again">link</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => (
            <tr key={r.id} data-testid="run-row">
              <td>
                <input
                  type="checkbox"
                  aria-label="compare"
                  checked={picked.has(r.id)}
                  onChange={(e) =>
                    setPicked((p) => {
                      const n = new Set(p);
                      if (e.target.checked) n.add(r.id);
                      else n.delete(r.id);
                      return n;
                    })
                  }
                />
              </td>
              <td className="nowrap">{savedAt(r.savedAt)}</td>
              <td>{r.dataset}</td>
              <td>{r.summary.model}</td>
              <td>
                {r.summary.protocol} · {r.summary.seed}
              </td>
              <td>{r.summary.epochs.length}</td>
              {SCENARIOS.map((s) => (
                <td key={s} data-testid={`run-mae-${s}`}>
                  {f3(r.summary.scenarios[s]?.mae)}
                </td>
              ))}
              <td>
                <a
                  href={`#${serializeConfigHash(r.config)}`}
                  data-testid="run-link"
                  title="Opens this configuration in the Experiment panel (same data, seed and backend reproduce the run)"
                >
                  config
                </a>
              </td>
              <td>
                <button
                  type="button"
                  className="link"
                  onClick={() => void deleteRun(r.id)}
                  aria-label="delete run"
                >
                  delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {chosen.length > 0 && (
        <div className="compare">
          <label>
            Scenario{' '}
            <select value={scenario} onChange={(e) => setScenario(e.target.value as Scenario)}>
              {SCENARIOS.map((s) => (
                <option key={s} value={s}>
                  {SCENARIO_LABELS[s]}
                </option>
              ))}
            </select>
          </label>
          <SeriesChart
            series={overlay}
            title={`Test MAE per epoch · ${SCENARIO_LABELS[scenario]}`}
            xTitle="epoch"
            testId="compare-chart"
            showLegend
            height={300}
            fileName="compare-mae"
            integerX
          />
        </div>
      )}
    </div>
  );
}
