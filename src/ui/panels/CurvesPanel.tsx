/**
 * Curves: training loss per meta-step (raw and EMA-smoothed, linear or log, against the step or the
 * wall clock), and per scenario the query loss, MAE, RMSE and nDCG@3 per evaluated epoch (test users,
 * after local adaptation), one colour per scenario; a chosen baseline as dashed lines in the same
 * colours. A ranking run (MML) draws Recall@10, NDCG@10 and MRR@10 instead (dashed: before adaptation,
 * the only baseline with ranking metrics). Charts fit their data and append points as events arrive (SeriesChart).
 */
import { useMemo, useState } from 'react';
import { SCENARIOS, SCENARIO_LABELS, SCENARIO_SHORT } from '../../data/scenarios/types';
import { BASELINE_LABELS, type BaselineName, type ScenarioMetrics } from '../../worker/protocol';
import { SeriesChart, type Series } from '../charts/SeriesChart';
import { ema } from '../charts/smooth';
import { runCaption } from '../state/caption';
import { isRankingRun, RANKING_METRICS, rankingValue } from '../state/rankingView';
import { SCENARIO_COLORS, type RunView } from '../state/runState';

interface MetricChart {
  key: string;
  title: string;
  unit: string;
  value: (m: ScenarioMetrics) => number;
  before: (m: ScenarioMetrics) => number;
  format: string;
}

const rating = (key: keyof ScenarioMetrics, before: keyof ScenarioMetrics, title: string, unit: string) => ({
  key,
  title,
  unit,
  value: (m: ScenarioMetrics) => m[key] as number,
  before: (m: ScenarioMetrics) => m[before] as number,
  format: '.4f',
});
const METRICS: MetricChart[] = [
  rating('mae', 'maeBefore', 'MAE', 'MAE (stars)'),
  rating('rmse', 'rmseBefore', 'RMSE', 'RMSE (stars)'),
  rating('ndcg3', 'ndcg3Before', 'nDCG@3', 'nDCG@3 (0–1)'),
  rating('loss', 'lossBefore', 'Query loss', 'MSE (stars²)'),
];
/** A ranking run (MML: its rating fields are NaN) draws Recall/NDCG/MRR@10 instead (rankingView.ts). */
const RANKING_CHARTS: MetricChart[] = RANKING_METRICS.map(({ key, title, unit }) => ({
  key,
  title,
  unit,
  value: (m) => rankingValue(m, key, 'after'),
  before: (m) => rankingValue(m, key, 'before'),
  format: '.4f',
}));

/** Short names for the menu (the full sentence is each option's tooltip and the legend's text). */
const BASELINE_SHORT: Record<BaselineName, string> = {
  globalMean: 'global mean',
  supportMean: 'support mean',
  bias: 'bias model',
  noAdaptation: 'no local adaptation',
  nonMeta: 'non-meta, fine-tuned',
  basic: 'basic (no meta-learning)',
};

/** Each metric chart's height (px); the loss chart spans two of them (a 1440x900 screen holds both rows). */
const METRIC_HEIGHT = 172;

type BaselineChoice = BaselineName | 'none';
type XAxis = 'step' | 'time';

/**
 * plannedSteps: meta-steps of the configured run (epochs x ceil(training tasks / batch)), known from the
 * split before training starts, so the loss chart's x axis is laid out once, before the run.
 */
export function CurvesPanel({
  run,
  plannedSteps,
  plannedEpochs,
  datasetName,
}: {
  run: RunView;
  plannedSteps?: number;
  plannedEpochs: number;
  datasetName?: string;
}) {
  const [baseline, setBaseline] = useState<BaselineChoice>('supportMean');
  const [smoothing, setSmoothing] = useState(0.6);
  const [logY, setLogY] = useState(false);
  const [xAxis, setXAxis] = useState<XAxis>('step');
  const caption = runCaption(run, datasetName);
  const lossSeries = useMemo<Series[]>(() => {
    const x = xAxis === 'time' ? run.steps.time : run.steps.step;
    const raw: Series = {
      name: smoothing > 0 ? 'loss per meta-step (raw)' : 'loss per meta-step',
      x,
      y: run.steps.loss,
      color: '#445',
      width: 1,
      opacity: smoothing > 0 ? 0.3 : 1,
    };
    if (smoothing === 0) return [raw];
    return [
      raw,
      {
        name: `EMA (${smoothing.toFixed(2)})`,
        x,
        y: ema(run.steps.loss, smoothing),
        color: '#2f6fb0',
        width: 2,
      },
    ];
  }, [run.steps, smoothing, xAxis]);
  const epochs = plannedEpochs;
  const last = run.evaluations[run.evaluations.length - 1];
  const ranking = isRankingRun(run.config?.model, last ? SCENARIOS.map((s) => last.test[s]) : []);
  const metricSeries = useMemo(
    () =>
      (ranking ? RANKING_CHARTS : METRICS).map((m) => {
        const series: Series[] = [];
        for (const s of SCENARIOS) {
          const points = run.evaluations.filter((e) => e.test[s] !== undefined);
          series.push({
            name: SCENARIO_SHORT[s],
            x: points.map((e) => e.epoch),
            y: points.map((e) => m.value(e.test[s]!)),
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
                name: `${SCENARIO_SHORT[s]} · ${BASELINE_SHORT[baseline]}`,
                x: points.map((e) => e.epoch),
                y: points.map((e) => m.before(e.test[s]!)),
                color: SCENARIO_COLORS[s],
                dash: 'dash',
              });
            } else {
              // the rating baselines have no ranking report: a ranking run draws none of them
              const record = ranking ? undefined : run.baselines[baseline]?.[s];
              series.push({
                name: `${SCENARIO_SHORT[s]} · ${BASELINE_SHORT[baseline]}`,
                x: record ? [0, epochs] : [],
                y: record ? [m.value(record), m.value(record)] : [],
                color: SCENARIO_COLORS[s],
                dash: 'dash',
              });
            }
          }
        }
        return { metric: m, series };
      }),
    [run.evaluations, run.baselines, baseline, epochs, ranking],
  );
  const resetKey = run.startedAt;
  return (
    <section className="panel curves" aria-labelledby="curves-title">
      <div className="panel-head">
        <h2
          id="curves-title"
          title="Points are evaluations of the test scenarios (epoch 0 = before meta-training). Validation users are evaluated too (Runs export); hyper-parameters should be chosen on those, never on these curves."
        >
          Curves
        </h2>
        <div className="legend" data-testid="curves-legend">
          {SCENARIOS.map((s) => (
            <span key={s} title={SCENARIO_LABELS[s]}>
              <i style={{ background: SCENARIO_COLORS[s] }} /> {SCENARIO_SHORT[s]}
            </span>
          ))}
          <span className="muted">solid: after local adaptation</span>
        </div>
        <label title={baseline === 'none' ? '' : BASELINE_LABELS[baseline]}>
          dashed:{' '}
          <select
            value={baseline}
            onChange={(e) => setBaseline(e.target.value as BaselineChoice)}
            data-testid="baseline-select"
          >
            <option value="none">no baseline</option>
            {(Object.keys(BASELINE_LABELS) as BaselineName[]).map((b) => (
              <option key={b} value={b} title={BASELINE_LABELS[b]}>
                {BASELINE_SHORT[b]}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="chart-grid">
        <div className="loss-chart">
          <div className="chart-tools" data-testid="loss-tools">
            <label title="Exponential moving average of the per-step loss (debiased); 0 = raw">
              smoothing{' '}
              <input
                type="range"
                min={0}
                max={0.98}
                step={0.02}
                value={smoothing}
                onChange={(e) => setSmoothing(Number(e.target.value))}
                data-testid="loss-smoothing"
              />{' '}
              {smoothing.toFixed(2)}
            </label>
            <label>
              <input
                type="checkbox"
                checked={logY}
                onChange={(e) => setLogY(e.target.checked)}
                data-testid="loss-log"
              />{' '}
              log y
            </label>
            <label>
              x{' '}
              <select value={xAxis} onChange={(e) => setXAxis(e.target.value as XAxis)} data-testid="loss-x">
                <option value="step">meta-step</option>
                <option value="time">wall clock</option>
              </select>
            </label>
          </div>
          <SeriesChart
            series={lossSeries}
            title="Meta-training loss per meta-step"
            xTitle={xAxis === 'time' ? 'seconds since Train' : 'meta-step'}
            yTitle={ranking ? 'query cross-entropy (next item)' : 'query MSE (stars²)'}
            testId="loss-chart"
            fileName="meta-training-loss"
            caption={caption}
            height={2 * METRIC_HEIGHT - 16}
            minIntervalMs={1000}
            xMax={xAxis === 'step' ? plannedSteps : undefined}
            logY={logY}
            resetKey={resetKey}
          />
        </div>
        {metricSeries.map(({ metric, series }) => (
          <SeriesChart
            key={metric.key}
            series={series}
            title={`${metric.title} · test users, after adaptation`}
            xTitle="epoch"
            yTitle={metric.unit}
            testId={`metric-chart-${metric.key}`}
            fileName={`test-${metric.key}`}
            caption={caption}
            height={METRIC_HEIGHT}
            integerX
            xMax={epochs}
            yFormat={metric.format}
            resetKey={resetKey}
          />
        ))}
      </div>
    </section>
  );
}
