/**
 * Curves: training loss per meta-step, and per scenario the query loss, MAE, RMSE and nDCG@3 per
 * evaluated epoch (test users, after local adaptation), one colour per scenario; a chosen baseline as
 * dashed lines in the same colours. Charts append points as events arrive (SeriesChart).
 */
import { useMemo, useState } from 'react';
import { SCENARIOS, SCENARIO_LABELS, SCENARIO_SHORT } from '../../data/scenarios/types';
import { BASELINE_LABELS, type BaselineName, type ScenarioMetrics } from '../../worker/protocol';
import { SeriesChart, type Series } from '../charts/SeriesChart';
import { SCENARIO_COLORS, type RunView } from '../state/runState';

const METRICS: {
  key: keyof ScenarioMetrics;
  title: string;
  before: keyof ScenarioMetrics;
  range: readonly [number, number];
}[] = [
  { key: 'loss', title: 'Query loss (MSE, per-user mean)', before: 'lossBefore', range: [0, 2] },
  { key: 'mae', title: 'MAE', before: 'maeBefore', range: [0, 1.5] },
  { key: 'rmse', title: 'RMSE', before: 'rmseBefore', range: [0, 1.5] },
  { key: 'ndcg3', title: 'nDCG@3', before: 'ndcg3Before', range: [0, 1] },
];
const LOSS_RANGE = [0, 2.5] as const;

type BaselineChoice = BaselineName | 'none';

/**
 * plannedSteps: meta-steps of the configured run (epochs x ceil(training tasks / batch)), known from the
 * split before training starts, so the loss chart's x axis is laid out once, before the run.
 */
export function CurvesPanel({
  run,
  plannedSteps,
  plannedEpochs,
}: {
  run: RunView;
  plannedSteps?: number;
  plannedEpochs: number;
}) {
  const [baseline, setBaseline] = useState<BaselineChoice>('supportMean');
  const lossSeries = useMemo<Series[]>(
    () => [{ name: 'meta-training loss', x: run.steps.step, y: run.steps.loss, color: '#444' }],
    [run.steps],
  );
  const epochs = plannedEpochs;
  const metricSeries = useMemo(
    () =>
      METRICS.map((m) => {
        const series: Series[] = [];
        for (const s of SCENARIOS) {
          const points = run.evaluations.filter((e) => e.test[s] !== undefined);
          series.push({
            name: SCENARIO_SHORT[s],
            x: points.map((e) => e.epoch),
            y: points.map((e) => e.test[s]![m.key] as number),
            color: SCENARIO_COLORS[s],
            mode: 'lines+markers',
          });
        }
        if (baseline !== 'none') {
          // the dashed traces exist from the start (empty until the baselines arrive): a new set of
          // traces mid-run would cost every chart a full Plotly draw, a long task on the page
          for (const s of SCENARIOS) {
            if (baseline === 'noAdaptation') {
              const points = run.evaluations.filter((e) => e.test[s] !== undefined);
              series.push({
                name: `${SCENARIO_SHORT[s]} · before adaptation`,
                x: points.map((e) => e.epoch),
                y: points.map((e) => e.test[s]![m.before] as number),
                color: SCENARIO_COLORS[s],
                dash: 'dash',
              });
            } else {
              const record = run.baselines[baseline]?.[s];
              series.push({
                name: `${SCENARIO_SHORT[s]} · ${BASELINE_LABELS[baseline]}`,
                x: record ? [0, epochs] : [],
                y: record ? [record[m.key] as number, record[m.key] as number] : [],
                color: SCENARIO_COLORS[s],
                dash: 'dash',
              });
            }
          }
        }
        return { metric: m, series };
      }),
    [run.evaluations, run.baselines, baseline, epochs],
  );
  return (
    <section className="panel curves" aria-labelledby="curves-title">
      <div className="panel-head">
        <h2 id="curves-title">Curves</h2>
        <label>
          Baseline (dashed){' '}
          <select
            value={baseline}
            onChange={(e) => setBaseline(e.target.value as BaselineChoice)}
            data-testid="baseline-select"
          >
            <option value="none">none</option>
            {(Object.keys(BASELINE_LABELS) as BaselineName[]).map((b) => (
              <option key={b} value={b}>
                {BASELINE_LABELS[b]}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="legend" data-testid="curves-legend">
        {SCENARIOS.map((s) => (
          <span key={s} title={SCENARIO_LABELS[s]}>
            <i style={{ background: SCENARIO_COLORS[s] }} /> {SCENARIO_SHORT[s]}
          </span>
        ))}
        <span className="muted">
          solid: after local adaptation{baseline !== 'none' ? ` · dashed: ${BASELINE_LABELS[baseline]}` : ''}
        </span>
      </div>
      <div className="chart-grid">
        <SeriesChart
          series={lossSeries}
          title="Meta-training loss per meta-step"
          xTitle="meta-step"
          testId="loss-chart"
          fileName="meta-training-loss"
          height={220}
          minIntervalMs={1000}
          yHint={LOSS_RANGE}
          xMax={plannedSteps}
        />
        {metricSeries.map(({ metric, series }) => (
          <SeriesChart
            key={metric.key}
            series={series}
            title={`${metric.title} · test users, after local adaptation`}
            xTitle="epoch"
            testId={`metric-chart-${metric.key}`}
            fileName={`test-${metric.key}`}
            height={220}
            integerX
            xMax={epochs}
            yHint={metric.range}
          />
        ))}
      </div>
      <p className="hint">
        Points are evaluations of the test scenarios (epoch 0 = before meta-training). Validation users are
        evaluated too (Runs export); hyper-parameters should be chosen on those, never on these curves.
      </p>
    </section>
  );
}
