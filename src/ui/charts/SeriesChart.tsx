/**
 * A Plotly line chart that APPENDS cheaply. A full Plotly draw re-measures every axis label (50-180 ms
 * on a busy 2-core machine: a long task). So the axes get fixed ranges with headroom, and while new
 * points stay inside them, the traces are updated through Plotly.animate with redraw: false (Plotly's
 * fast path: only the paths change). A point outside the ranges, or a different set of traces, costs
 * one full draw with ranges grown by 30% (so full draws are logarithmically rare). Updates go through
 * the chart scheduler (one chart per frame). The chart is created on mount, before training.
 */
import { useEffect, useId, useRef } from 'react';
import { BASE_LAYOUT, loadPlotly, type Data, type Layout } from './plotly';
import { cancelChart, scheduleChart } from './scheduler';

export interface Series {
  readonly name: string;
  readonly x: readonly number[];
  readonly y: readonly number[];
  readonly color: string;
  readonly dash?: 'solid' | 'dash' | 'dot' | 'longdash';
  readonly mode?: 'lines' | 'lines+markers';
}

interface Props {
  readonly series: readonly Series[];
  readonly title: string;
  readonly xTitle: string;
  readonly yTitle?: string;
  readonly height?: number;
  readonly testId?: string;
  /** File name of the PNG the modebar's camera saves. */
  readonly fileName: string;
  /** Show Plotly's own legend (off when the panel draws a shared one). */
  readonly showLegend?: boolean;
  /** Integer ticks on x (epochs). */
  readonly integerX?: boolean;
  /** Redraw at most this often (ms); the per-step loss chart uses ~1 s. */
  readonly minIntervalMs?: number;
  /** The x extent when known in advance (total steps, epochs): the x axis never needs to grow. */
  readonly xMax?: number;
  /** The y range to start with (e.g. 0..1 for nDCG), so the first points need no full redraw. */
  readonly yHint?: readonly [number, number];
}

type Range = [number, number];

function extent(values: readonly number[][]): Range | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const list of values) {
    for (const v of list) {
      if (!Number.isFinite(v)) continue;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  return lo <= hi ? [lo, hi] : null;
}

/** A range around [lo, hi] with 30% headroom (and a minimum span). */
function padded([lo, hi]: Range, floor?: number): Range {
  const span = Math.max(hi - lo, Math.abs(hi) * 0.05, 1e-3);
  return [floor ?? lo - 0.3 * span, hi + 0.3 * span];
}

function sameValues(a: readonly number[], b: readonly number[] | undefined): boolean {
  if (a === b) return true;
  if (!b || a.length !== b.length) return false;
  for (let i = a.length - 1; i >= 0; i--) if (!Object.is(a[i], b[i])) return false;
  return true;
}

const inside = (r: Range | null, e: Range | null) => !e || (r !== null && e[0] >= r[0] && e[1] <= r[1]);

export function SeriesChart({
  series,
  title,
  xTitle,
  yTitle,
  height = 240,
  testId,
  fileName,
  showLegend = false,
  integerX = false,
  minIntervalMs = 0,
  xMax,
  yHint,
}: Props) {
  const ref = useRef<HTMLDivElement>(null);
  const drawn = useRef<{
    key: string;
    x: Range | null;
    y: Range | null;
    series: readonly Series[];
  } | null>(null);
  const id = useId();

  useEffect(() => {
    scheduleChart(
      id,
      () =>
        loadPlotly().then(async (Plotly) => {
          const el = ref.current;
          if (!el) return;
          // what forces a full draw: another set of traces, or another planned x extent / y hint
          const key = `${series.map((s) => `${s.name}|${s.color}|${s.dash ?? ''}`).join(';')}|${xMax ?? ''}|${yHint?.join(',') ?? ''}`;
          const xs = extent(series.map((s) => [...s.x]));
          const ys = extent(series.map((s) => [...s.y]));
          const previous = drawn.current;
          if (previous && previous.key === key && inside(previous.x, xs) && inside(previous.y, ys)) {
            // only the traces whose points changed: an animate frame costs per trace it carries, and
            // e.g. the dashed baselines never change after they arrive
            const changed = series.flatMap((s, i) =>
              sameValues(s.x, previous.series[i]?.x) && sameValues(s.y, previous.series[i]?.y) ? [] : [i],
            );
            if (changed.length === 0) return;
            const t0 = performance.now();
            await Plotly.animate(
              el,
              { data: changed.map((i) => ({ x: [...series[i]!.x], y: [...series[i]!.y] })), traces: changed },
              { transition: { duration: 0 }, frame: { duration: 0, redraw: false } },
            );
            performance.measure(`chart:${testId ?? id}:append`, { start: t0 });
            drawn.current = { ...previous, series };
            return;
          }
          // integer axes (epochs) get a quarter step of room, so points at 0 and at the end show whole
          const pad = integerX ? 0.25 : 0;
          const xRange: Range | null = xs
            ? xMax !== undefined
              ? [Math.min(0, xs[0]) - pad, Math.max(xMax, xs[1]) + pad]
              : padded(xs, Math.min(0, xs[0]) - pad)
            : xMax !== undefined
              ? [-pad, xMax + pad]
              : null;
          const hint: Range | null = yHint ? [yHint[0], yHint[1]] : null;
          const yRange: Range | null = ys ? (inside(hint, ys) ? hint : padded(ys)) : hint;
          const data: Data[] = series.map((s) => ({
            type: 'scatter',
            mode: s.mode ?? 'lines',
            name: s.name,
            x: [...s.x],
            y: [...s.y],
            line: {
              color: s.color,
              dash: s.dash ?? 'solid',
              width: s.dash && s.dash !== 'solid' ? 1.2 : 1.8,
            },
            marker: { size: 4 },
          }));
          const layout: Partial<Layout> = {
            ...BASE_LAYOUT,
            height,
            title: { text: title, font: { size: 12 } },
            showlegend: showLegend,
            margin: { ...BASE_LAYOUT.margin, b: showLegend ? 36 : 40 },
            xaxis: {
              ...BASE_LAYOUT.xaxis,
              title: { text: xTitle },
              ...(xRange ? { range: xRange, autorange: false } : {}),
              ...(integerX ? { tickformat: 'd', dtick: 1 } : {}),
            },
            yaxis: {
              ...BASE_LAYOUT.yaxis,
              title: { text: yTitle ?? '' },
              ...(yRange ? { range: yRange, autorange: false } : {}),
            },
          };
          const t0 = performance.now();
          await Plotly.react(el, data, layout, {
            responsive: true,
            displaylogo: false,
            toImageButtonOptions: { format: 'png', filename: fileName },
            modeBarButtonsToRemove: ['lasso2d', 'select2d'],
          });
          // warm Plotly's animate path with a real point, then put the real data back: its first
          // non-empty call is the slow one, and it should happen now, not mid-training
          const frame = { transition: { duration: 0 }, frame: { duration: 0, redraw: false } };
          const traces = data.map((_, i) => i);
          if (xRange && yRange) {
            const probe = { x: [(xRange[0] + xRange[1]) / 2], y: [(yRange[0] + yRange[1]) / 2] };
            await Plotly.animate(el, { data: series.map(() => probe), traces }, frame);
          }
          await Plotly.animate(
            el,
            { data: series.map((s) => ({ x: [...s.x], y: [...s.y] })), traces },
            frame,
          );
          performance.measure(`chart:${testId ?? id}:draw`, { start: t0 });
          drawn.current = { key, x: xRange, y: yRange, series };
        }),
      minIntervalMs,
    );
  }, [
    id,
    series,
    title,
    xTitle,
    yTitle,
    height,
    fileName,
    showLegend,
    integerX,
    minIntervalMs,
    xMax,
    yHint,
    testId,
  ]);

  useEffect(() => {
    const el = ref.current;
    return () => {
      cancelChart(id);
      if (el) void loadPlotly().then((Plotly) => Plotly.purge(el));
    };
  }, [id]);

  return <div ref={ref} className="chart" data-testid={testId} style={{ minHeight: height }} />;
}
