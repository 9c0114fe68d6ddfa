/**
 * A Plotly line chart that fits its data and APPENDS cheaply. A full Plotly draw re-measures every axis
 * label (50-180 ms on a busy 2-core machine: a long task). So the y axis is fitted to the data with
 * padding (smooth.ts fitRange) on a full draw, and while new points stay inside the drawn ranges the
 * traces are updated through Plotly.animate with redraw: false (Plotly's fast path: only the paths
 * change). Points outside, data that fill too little of the height, another set of traces, a log
 * switch or a new run (`resetKey`) cost one full draw. Updates go through the chart scheduler (one
 * chart per frame). Hover is unified along x (every trace's value at that x, formatted). The modebar's
 * camera saves a PNG that stands alone: title, run caption, legend and axis titles (exportPng.ts).
 */
import { useEffect, useId, useRef } from 'react';
import { exportPng } from './exportPng';
import { BASE_LAYOUT, loadPlotly, type Data, type Layout } from './plotly';
import { cancelChart, scheduleChart } from './scheduler';
import { extent, fitRange, tooLoose, within, type Range } from './smooth';

export interface Series {
  readonly name: string;
  readonly x: readonly number[];
  readonly y: readonly number[];
  readonly color: string;
  readonly dash?: 'solid' | 'dash' | 'dot' | 'longdash';
  readonly mode?: 'lines' | 'lines+markers';
  /** Line width (default 1.8 solid, 1.2 dashed) and opacity (raw points under a smoothed curve). */
  readonly width?: number;
  readonly opacity?: number;
}

interface Props {
  readonly series: readonly Series[];
  readonly title: string;
  /** Axis titles, with units. */
  readonly xTitle: string;
  readonly yTitle?: string;
  /** Show Plotly's own legend (off when the panel draws a shared one; exports always have one). */
  readonly showLegend?: boolean;
  readonly height?: number;
  readonly testId?: string;
  /** File name of the PNG the modebar's camera saves. */
  readonly fileName: string;
  /** What a saved PNG names below its title (model, dataset, seed, backend). */
  readonly caption?: string;
  /** Integer ticks on x (epochs). */
  readonly integerX?: boolean;
  /** Redraw at most this often (ms); the per-step loss chart uses ~1 s. */
  readonly minIntervalMs?: number;
  /** The x extent when known in advance (total steps, epochs): the x axis never needs to grow. */
  readonly xMax?: number;
  readonly logY?: boolean;
  /** d3 format of hovered y values. */
  readonly yFormat?: string;
  /** Named ticks on x (categories such as support-size bins drawn at 0, 1, 2, ...). */
  readonly xTicks?: { readonly values: readonly number[]; readonly labels: readonly string[] };
  /** Changes per run: the axes are fitted afresh, never kept from the previous run. */
  readonly resetKey?: string | number;
}

/** Share of the y range the data must fill, else the next update refits (a full draw). */
const MIN_FILL = 0.3;
/** Padding on each side of the data, as a share of their span: room for a few more points. */
const Y_PAD = 0.3;

function sameValues(a: readonly number[], b: readonly number[] | undefined): boolean {
  if (a === b) return true;
  if (!b || a.length !== b.length) return false;
  for (let i = a.length - 1; i >= 0; i--) if (!Object.is(a[i], b[i])) return false;
  return true;
}

function traceOf(s: Series): Data {
  const dashed = s.dash !== undefined && s.dash !== 'solid';
  return {
    type: 'scatter',
    mode: s.mode ?? 'lines',
    name: s.name,
    x: [...s.x],
    y: [...s.y],
    opacity: s.opacity ?? 1,
    line: { color: s.color, dash: s.dash ?? 'solid', width: s.width ?? (dashed ? 1.2 : 1.8) },
    marker: { size: 5 },
  };
}

export function SeriesChart({
  series,
  title,
  xTitle,
  yTitle = '',
  showLegend = false,
  height = 240,
  testId,
  fileName,
  caption = '',
  integerX = false,
  minIntervalMs = 0,
  xMax,
  logY = false,
  yFormat = '.4f',
  resetKey = '',
  xTicks,
}: Props) {
  const ref = useRef<HTMLDivElement>(null);
  const drawn = useRef<{
    key: string;
    run: string | number;
    x: Range | null;
    y: Range | null;
    series: readonly Series[];
  } | null>(null);
  // what the camera exports: the latest traces and layout (read at click time)
  const figure = useRef<{ data: Data[]; layout: Partial<Layout>; caption: string }>({
    data: [],
    layout: {},
    caption,
  });
  const id = useId();

  useEffect(() => {
    scheduleChart(
      id,
      () =>
        loadPlotly().then(async (Plotly) => {
          const el = ref.current;
          if (!el) return;
          // what forces a full draw: another set of traces, planned x extent, scale, titles or run
          const key = `${series.map((s) => `${s.name}|${s.color}|${s.dash ?? ''}|${s.opacity ?? ''}`).join(';')}|${xMax ?? ''}|${logY}|${xTitle}|${yTitle}|${title}|${xTicks?.labels.join(',') ?? ''}`;
          const xs = extent(series.map((s) => s.x));
          const ys = extent(
            series.map((s) => s.y),
            logY,
          );
          let previous = drawn.current;
          figure.current = { ...figure.current, caption };
          // a new run: its first points get freshly fitted axes (y: null forces a full draw then);
          // until they come, the previous run's traces are cleared on the fast path (no full draw
          // at Train, when the worker starts and the page should stay free)
          if (previous && previous.run !== resetKey) previous = { ...previous, run: resetKey, y: null };
          if (
            previous &&
            previous.key === key &&
            (!xs || (previous.x && within(previous.x, xs))) &&
            (!ys || (previous.y && within(previous.y, ys, logY) && !tooLoose(previous.y, ys, MIN_FILL, logY)))
          ) {
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
            figure.current = { ...figure.current, data: series.map(traceOf) };
            return;
          }
          // integer axes (epochs) get a quarter step of room, so points at 0 and at the end show whole;
          // an open-ended x (wall clock) gets 30% room to grow before the next full draw
          const pad = integerX ? 0.25 : 0;
          const xRange: Range | null =
            xMax !== undefined
              ? [Math.min(0, xs?.[0] ?? 0) - pad, Math.max(xMax, xs?.[1] ?? 0) + pad]
              : xs
                ? [Math.min(0, xs[0]) - pad, xs[1] + 0.3 * Math.max(xs[1] - Math.min(0, xs[0]), 1e-3) + pad]
                : null;
          const yRange: Range | null = ys ? fitRange(ys, Y_PAD, logY) : null;
          const data = series.map(traceOf);
          const layout: Partial<Layout> = {
            ...BASE_LAYOUT,
            height,
            title: { text: title, font: { size: 12 } },
            showlegend: showLegend,
            annotations: ys
              ? []
              : [
                  {
                    text: 'no points yet',
                    showarrow: false,
                    xref: 'paper',
                    yref: 'paper',
                    x: 0.5,
                    y: 0.5,
                    font: { size: 11, color: '#98a2b3' },
                  },
                ],
            xaxis: {
              ...BASE_LAYOUT.xaxis,
              title: { text: xTitle, standoff: 4 },
              hoverformat: integerX ? 'd' : '.1f',
              ...(xRange ? { range: xRange, autorange: false } : { autorange: true }),
              ...(integerX ? { tickformat: 'd', dtick: 1 } : {}),
              ...(xTicks
                ? { tickmode: 'array' as const, tickvals: [...xTicks.values], ticktext: [...xTicks.labels] }
                : {}),
            },
            yaxis: {
              ...BASE_LAYOUT.yaxis,
              title: { text: yTitle, standoff: 4 },
              type: logY ? 'log' : 'linear',
              hoverformat: yFormat,
              // no data yet: no made-up scale (Plotly's empty autorange is -1..4)
              showticklabels: ys !== null,
              ...(yRange ? { range: yRange, autorange: false } : { autorange: true }),
            },
          };
          figure.current = { data, layout, caption };
          const t0 = performance.now();
          const frame = { transition: { duration: 0 }, frame: { duration: 0, redraw: false } };
          const traces = data.map((_, i) => i);
          if (previous && previous.key === key) {
            // the same chart, other ranges (points outside, a new run): the new points on the fast
            // path, then only the axes relaid out; a Plotly.react with new data arrays would
            // recalculate every trace, a long task on a busy machine
            await Plotly.animate(
              el,
              { data: series.map((s) => ({ x: [...s.x], y: [...s.y] })), traces },
              frame,
            );
            // only what changed: a y range alone is Plotly's lightest relayout
            const sameX = xRange && previous.x && xRange[0] === previous.x[0] && xRange[1] === previous.x[1];
            const update: Record<string, unknown> = {
              ...(sameX ? {} : xRange ? { 'xaxis.range': xRange } : { 'xaxis.autorange': true }),
              ...(yRange ? { 'yaxis.range': yRange } : { 'yaxis.autorange': true }),
              ...((previous.y === null) !== (yRange === null) ||
              previous.series.every((p) => p.y.length === 0)
                ? { 'yaxis.showticklabels': ys !== null, annotations: layout.annotations ?? [] }
                : {}),
            };
            await Plotly.relayout(el, update as Partial<Layout>);
            performance.measure(`chart:${testId ?? id}:relayout`, { start: t0 });
            drawn.current = { key, run: resetKey, x: xRange, y: yRange, series };
            return;
          }
          await Plotly.react(el, data, layout, {
            responsive: true,
            displaylogo: false,
            // our camera (exportPng): a standalone figure, and no "download succeeded" toast
            modeBarButtonsToRemove: ['lasso2d', 'select2d', 'toImage'],
            modeBarButtonsToAdd: [
              {
                name: 'savePng',
                title: 'Download plot as a PNG',
                icon: Plotly.Icons.camera,
                click: () => void exportPng(Plotly, figure.current, fileName, el.clientWidth || 520),
              },
            ],
          });
          // warm Plotly's animate path with a real point, then put the real data back: its first
          // non-empty call is the slow one, and it should happen now (on mount, before any run), not
          // mid-training
          const probe = {
            x: [xRange ? (xRange[0] + xRange[1]) / 2 : 0],
            y: [yRange ? (logY ? 10 ** ((yRange[0] + yRange[1]) / 2) : (yRange[0] + yRange[1]) / 2) : 1],
          };
          await Plotly.animate(el, { data: series.map(() => probe), traces }, frame);
          await Plotly.animate(
            el,
            { data: series.map((s) => ({ x: [...s.x], y: [...s.y] })), traces },
            frame,
          );
          performance.measure(`chart:${testId ?? id}:draw`, { start: t0 });
          drawn.current = { key, run: resetKey, x: xRange, y: yRange, series };
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
    caption,
    showLegend,
    integerX,
    minIntervalMs,
    xMax,
    logY,
    yFormat,
    resetKey,
    xTicks,
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
