/**
 * Plotly traces of MELO's views, from the `meloDiagnostics` events (pure: no React, no Plotly import).
 * The basic Plotly bundle has no box trace, so a box is drawn from its statistics: a bar from q1 to q3
 * (`base` q1, height q3 - q1), a median line across it, and whiskers from the box to min and max.
 */
import type { Data, Layout } from '../charts/plotly';
import type { BoxStats, RatingErrors } from '../../worker/protocol';

const BOX_HALF = 0.28;
const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3));

/** Box plot traces of the loss weight per rating 1..5 (entry r - 1); `points` = ratings drawn. */
export function lossWeightTraces(boxes: readonly (BoxStats | null)[]): { data: Data[]; points: number } {
  const drawn = boxes.flatMap((b, r) => (b ? [{ rating: r + 1, b }] : []));
  const whiskerX: (number | null)[] = [];
  const whiskerY: (number | null)[] = [];
  const medianX: (number | null)[] = [];
  const medianY: (number | null)[] = [];
  for (const { rating: x, b } of drawn) {
    whiskerX.push(x, x, null, x, x, null, x - 0.12, x + 0.12, null, x - 0.12, x + 0.12, null);
    whiskerY.push(b.min, b.q1, null, b.q3, b.max, null, b.min, b.min, null, b.max, b.max, null);
    medianX.push(x - BOX_HALF, x + BOX_HALF, null);
    medianY.push(b.median, b.median, null);
  }
  const data: Data[] = [
    {
      type: 'bar',
      name: 'q1 to q3',
      x: drawn.map((d) => d.rating),
      y: drawn.map((d) => d.b.q3 - d.b.q1),
      base: drawn.map((d) => d.b.q1),
      width: 2 * BOX_HALF,
      marker: { color: 'rgba(47,111,176,0.25)', line: { color: '#2f6fb0', width: 1.5 } },
      hovertext: drawn.map(
        ({ rating, b }) =>
          `rating ${rating}: ${b.n} support positions<br>max ${fmt(b.max)}<br>q3 ${fmt(b.q3)}<br>median ${fmt(b.median)}<br>q1 ${fmt(b.q1)}<br>min ${fmt(b.min)}`,
      ),
      hoverinfo: 'text',
    },
    {
      type: 'scatter',
      mode: 'lines',
      name: 'median',
      x: medianX,
      y: medianY,
      line: { color: '#1d4f80', width: 2.5 },
      hoverinfo: 'skip',
    },
    {
      type: 'scatter',
      mode: 'lines',
      name: 'min and max',
      x: whiskerX,
      y: whiskerY,
      line: { color: '#2f6fb0', width: 1.2 },
      hoverinfo: 'skip',
    },
  ];
  return { data, points: drawn.length };
}

/** Grouped bars of the MAE per true rating, before and after the local steps; `points` = bars with a value. */
export function ratingErrorTraces(rows: readonly RatingErrors[]): { data: Data[]; points: number } {
  const x = rows.map((r) => r.rating);
  const text = rows.map((r) => `${r.n} query ratings`);
  const bar = (name: string, y: (number | null)[], color: string): Data => ({
    type: 'bar',
    name,
    x,
    y,
    marker: { color },
    hovertext: text,
    hovertemplate: `rating %{x} · ${name}: MAE %{y:.3f}<br>%{hovertext}<extra></extra>`,
  });
  const before = rows.map((r) => r.maeBefore);
  const after = rows.map((r) => r.maeAfter);
  return {
    data: [bar('before adaptation', before, '#98a2b3'), bar('after the local steps', after, '#d1782a')],
    points: [...before, ...after].filter((v) => v !== null).length,
  };
}

const LAYER_NAMES: Record<string, string> = {
  itemRows: 'item embeddings',
  posEmb: 'positions',
  lnFg: 'final norm gain',
  lnFb: 'final norm bias',
  headW: 'head weight',
  headB: 'head bias',
};

/** The rate matrix's row label: a backbone tensor (`b0.wq` -> block 1 wq; `g0.uz` -> GRU 1 uz; itemRows -> item embeddings). */
export function layerLabel(key: string): string {
  const named = LAYER_NAMES[key];
  if (named) return named;
  const block = /^b(\d+)\.(.+)$/.exec(key);
  if (block) return `block ${Number(block[1]) + 1} ${block[2]}`;
  const gru = /^g(\d+)\.(.+)$/.exec(key);
  return gru ? `GRU ${Number(gru[1]) + 1} ${gru[2]}` : key;
}

/** A "none" note at the foot of each rating (1..5) the figure has no data for (so a gap is not a zero). */
export function missingRatingNotes(present: readonly boolean[]): NonNullable<Layout['annotations']> {
  return present.flatMap((has, r) =>
    has
      ? []
      : [
          {
            x: r + 1,
            y: 0,
            xref: 'x' as const,
            yref: 'paper' as const,
            yanchor: 'bottom' as const,
            text: 'none',
            showarrow: false,
            font: { size: 10, color: '#98a2b3' },
          },
        ],
  );
}
