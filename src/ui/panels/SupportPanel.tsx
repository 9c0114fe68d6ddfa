/**
 * Error by support-set size: per test scenario, the query MAE of the users who gave 1-3, 4-7, 8-15, …
 * support ratings, the model after local adaptation (solid) against a chosen baseline (dashed), at the
 * last evaluation. Does adaptation pay off with few ratings, or only with many? Built from the
 * `evaluated` event's per-user errors (supportErrors.ts); a run without them says so.
 */
import { useMemo, useState } from 'react';
import { SCENARIOS, SCENARIO_SHORT } from '../../data/scenarios/types';
import { BASELINE_LABELS } from '../../worker/protocol';
import { SeriesChart, type Series } from '../charts/SeriesChart';
import { SCENARIO_COLORS, type RunView } from '../state/runState';
import { SUPPORT_EDGES, errorsBySupport, type SeedErrorsLike } from './supportErrors';

/** The per-user errors of the run's last evaluation, when its events carry them (`userErrors`). */
export function latestUserErrors(run: RunView): { epoch: number; errors: SeedErrorsLike } | null {
  for (let i = run.evaluations.length - 1; i >= 0; i--) {
    const e = run.evaluations[i] as RunView['evaluations'][number] & { userErrors?: SeedErrorsLike };
    if (e.userErrors) return { epoch: e.epoch, errors: e.userErrors };
  }
  return null;
}

const LABELS: Record<string, string> = { ...BASELINE_LABELS, model: 'model, after local adaptation' };

export function SupportPanel({ run, caption }: { run: RunView; caption: string }) {
  const latest = latestUserErrors(run);
  const [baseline, setBaseline] = useState('supportMean');
  const bins = useMemo(
    () =>
      latest
        ? SCENARIOS.flatMap((s) => {
            const e = latest.errors[s];
            const b = e ? errorsBySupport(e) : null;
            return b ? [{ scenario: s, bins: b }] : [];
          })
        : [],
    [latest],
  );
  if (!latest)
    return (
      <p className="empty" data-testid="support-empty">
        No per-user errors in this run: the error by support-set size needs them (each evaluation's test
        users, their support sizes and errors).
      </p>
    );
  const predictors = [...new Set(bins.flatMap((b) => b.bins.flatMap((x) => Object.keys(x.mae))))].filter(
    (p) => p !== 'model',
  );
  const edges = SUPPORT_EDGES.map((_, b) => b);
  const tickLabel = (b: number) => {
    const lo = SUPPORT_EDGES[b]!;
    const next = SUPPORT_EDGES[b + 1];
    return next === undefined ? `${lo}+` : next - 1 === lo ? String(lo) : `${lo}–${next - 1}`;
  };
  const binIndex = (lo: number) => SUPPORT_EDGES.indexOf(lo as (typeof SUPPORT_EDGES)[number]);
  const series: Series[] = bins.flatMap(({ scenario, bins: list }) => [
    {
      name: `${SCENARIO_SHORT[scenario]} · model`,
      x: list.map((b) => binIndex(b.lo)),
      y: list.map((b) => b.mae.model ?? NaN),
      color: SCENARIO_COLORS[scenario],
      mode: 'lines+markers' as const,
    },
    {
      name: `${SCENARIO_SHORT[scenario]} · ${baseline}`,
      x: list.map((b) => binIndex(b.lo)),
      y: list.map((b) => b.mae[baseline] ?? NaN),
      color: SCENARIO_COLORS[scenario],
      dash: 'dash' as const,
      mode: 'lines+markers' as const,
    },
  ]);
  return (
    <div className="support" data-testid="support-panel">
      <div className="row">
        <label>
          dashed:{' '}
          <select
            value={baseline}
            onChange={(e) => setBaseline(e.target.value)}
            data-testid="support-baseline"
          >
            {predictors.map((p) => (
              <option key={p} value={p} title={LABELS[p] ?? p}>
                {p}
              </option>
            ))}
          </select>
        </label>
        <span className="muted">
          epoch {latest.epoch} · users per bin:{' '}
          {bins
            .map(
              ({ scenario, bins: list }) =>
                `${SCENARIO_SHORT[scenario]} ${list.map((b) => `${b.label}: ${b.users}`).join(', ')}`,
            )
            .join(' · ')}
        </span>
      </div>
      <SeriesChart
        series={series}
        title="Query MAE by the user's support-set size · test users"
        xTitle="support ratings of the user"
        yTitle="MAE (stars)"
        xTicks={{ values: edges, labels: edges.map(tickLabel) }}
        testId="support-chart"
        fileName="mae-by-support-size"
        caption={caption}
        height={260}
        showLegend
      />
    </div>
  );
}
