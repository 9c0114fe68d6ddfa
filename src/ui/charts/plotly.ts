/**
 * Plotly, loaded lazily (out of the first chunk). The only importer of Plotly. The basic dist (scatter,
 * bar, pie; 1.2 MB) is all the curves need: the full one (4.6 MB) took ~1 s to evaluate on the main
 * thread here. Its types come from the full dist (plotly-basic.d.ts).
 * Evaluating the bundle is one ~1 s task on the main thread of a busy 2-core machine, and the worker's
 * "dataset loaded" message waits behind it, so charts wait for allowPlotly() (the page calls it once
 * the first dataset summary is drawn, or when a run starts) and then for an idle moment.
 */
import type * as PlotlyTypes from 'plotly.js-dist-min';

export type PlotlyModule = typeof PlotlyTypes;
export type { Data, Layout, Config } from 'plotly.js-dist-min';

let loading: Promise<PlotlyModule> | null = null;
let allow: (() => void) | null = null;
const allowed = new Promise<void>((resolve) => (allow = resolve));

/** Lets charts load Plotly from now on (at the next idle moment, at most 300 ms later). */
export function allowPlotly(): void {
  if (!allow) return;
  const go = allow;
  allow = null;
  if (typeof requestIdleCallback === 'function') requestIdleCallback(() => go(), { timeout: 300 });
  else setTimeout(go, 0);
}

export function loadPlotly(): Promise<PlotlyModule> {
  loading ??= allowed
    .then(() => import('plotly.js-basic-dist-min'))
    .then((m) => ((m as unknown as { default?: PlotlyModule }).default ?? m) as PlotlyModule);
  return loading;
}

export const BASE_LAYOUT = {
  margin: { l: 58, r: 12, t: 28, b: 40 },
  font: { family: 'system-ui, -apple-system, "Segoe UI", sans-serif', size: 11, color: '#333' },
  paper_bgcolor: 'rgba(0,0,0,0)',
  plot_bgcolor: '#fff',
  // fixed tick angle, few ticks, no automargin: each redraw measures fewer labels (the main cost)
  xaxis: { gridcolor: '#eee', zeroline: false, tickangle: 0, nticks: 6, automargin: false },
  yaxis: { gridcolor: '#eee', zeroline: false, tickangle: 0, nticks: 5, automargin: false },
  // one hover box listing every trace's value at the hovered x (formatted by each axis' hoverformat)
  hovermode: 'x unified' as const,
  hoverlabel: { font: { size: 11 }, bgcolor: 'rgba(255,255,255,0.95)', bordercolor: '#ccc' },
  legend: { orientation: 'h' as const, y: -0.25, font: { size: 10 } },
} as const;
