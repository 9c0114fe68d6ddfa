/**
 * The selected stored runs side by side: their test MAE per epoch overlaid (the x axis ends at the
 * last evaluated epoch), and, when they differ only by seed, per scenario the mean ± spread (sample
 * standard deviation over seeds) of MAE and the paired 95% interval of MAE(model) − MAE(baseline) over
 * the test users (experiment/stats.ts). "ahead"/"behind" are said only where the interval excludes 0.
 */
import { useMemo, useState } from 'react';
import { SCENARIOS, SCENARIO_LABELS, type Scenario } from '../../data/scenarios/types';
import { formatInterval, verdict } from '../../experiment/stats';
import { BASELINE_LABELS, type BaselineName } from '../../worker/protocol';
import { SeriesChart, type Series } from '../charts/SeriesChart';
import { rankingValue } from '../state/rankingView';
import { replay } from '../state/runState';
import { poolSeeds, whyNotSeedGroup } from '../state/runsTable';
import type { SavedRun } from '../store/runsStore';

export const PALETTE = [
  '#2f6fb0',
  '#d1782a',
  '#3a9a5b',
  '#b0413e',
  '#7a5aa6',
  '#8a6d3b',
  '#3d8c95',
  '#c05a9c',
];

const BASELINES = Object.keys(BASELINE_LABELS) as BaselineName[];

export const runTitle = (r: SavedRun) => r.name || `${r.config.model} · seed ${r.config.seed}`;

export function RunCompare({ runs }: { runs: readonly SavedRun[] }) {
  const [scenario, setScenario] = useState<Scenario>('user_cold');
  const [baseline, setBaseline] = useState<BaselineName>('nonMeta');
  const views = useMemo(() => runs.map((r) => replay(r.config, r.events)), [runs]);
  // MML ranks items (its MAE is NaN): with one in the selection the overlay draws Recall@10
  const ranking = runs.some((r) => r.config.model === 'mml');
  const overlay = useMemo<Series[]>(
    () =>
      runs.map((r, k) => {
        const points = views[k]!.evaluations.filter((e) => e.test[scenario]);
        return {
          name: runTitle(r),
          x: points.map((e) => e.epoch),
          y: points.map((e) =>
            ranking ? rankingValue(e.test[scenario], 'recall10', 'after') : e.test[scenario]!.mae,
          ),
          color: PALETTE[k % PALETTE.length]!,
          mode: 'lines+markers',
        };
      }),
    [runs, views, scenario, ranking],
  );
  const lastEpoch = Math.max(1, ...overlay.flatMap((s) => s.x));
  const why = whyNotSeedGroup(runs);
  const pooled = useMemo(
    () => (why === null && !ranking ? poolSeeds(runs, baseline) : null),
    [why, runs, baseline, ranking],
  );
  return (
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
        title={`Test ${ranking ? 'Recall@10 (MML runs; rating runs not drawn)' : 'MAE'} per epoch · ${SCENARIO_LABELS[scenario]}`}
        xTitle="epoch"
        testId="compare-chart"
        showLegend
        height={300}
        fileName="compare-mae"
        integerX
        xMax={lastEpoch}
      />
      <h4>Over seeds</h4>
      {pooled === null ? (
        <p className="muted" data-testid="seed-pool-why">
          {ranking ? 'The pooled comparison is of MAE; MML ranks items (its rating metrics are NaN).' : why}
        </p>
      ) : (
        <div data-testid="seed-pool">
          <label>
            Against{' '}
            <select value={baseline} onChange={(e) => setBaseline(e.target.value as BaselineName)}>
              {BASELINES.map((b) => (
                <option key={b} value={b}>
                  {BASELINE_LABELS[b]}
                </option>
              ))}
            </select>
          </label>
          <p className="muted">
            Paired difference: MAE(model) − MAE(baseline) on the same test users, mean over the seeds, with
            its 95% interval (bootstrap over users within each seed). Negative: the model errs less.
          </p>
          <table className="table compact">
            <thead>
              <tr>
                <th>scenario</th>
                <th title="mean ± sample standard deviation of the test MAE over the seeds">
                  MAE mean ± spread
                </th>
                <th title="MAE(model) − MAE(baseline), mean over seeds, and its 95% interval (bootstrap over test users, stratified by seed)">
                  paired difference [95%]
                </th>
                <th>reading</th>
              </tr>
            </thead>
            <tbody>
              {pooled.map((p) => (
                <tr key={p.scenario} data-testid={`pool-${p.scenario}`}>
                  <td>{SCENARIO_LABELS[p.scenario]}</td>
                  <td>
                    {p.mean.toFixed(3)} ± {p.spread.toFixed(3)} ({p.seeds} seeds)
                  </td>
                  <td>{p.interval ? formatInterval(p.interval) : 'no per-user errors for this baseline'}</td>
                  <td>
                    {p.interval
                      ? p.interval.excludesZero
                        ? `${verdict(p.interval)} of ${BASELINE_LABELS[baseline].split(':')[0]}`
                        : 'no difference shown (the interval includes 0)'
                      : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
