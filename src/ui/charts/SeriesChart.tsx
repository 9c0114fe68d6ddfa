/**
 * A Plotly line chart that APPENDS: when the same traces only gain points, the new tail is sent with
 * Plotly.extendTraces (cheap, no re-layout of old points); a different set of traces redraws once. The
 * chart is created when mounted (before training), so no heavy first render happens mid-run.
 */
import { useEffect, useRef } from 'react';
import { BASE_LAYOUT, loadPlotly, type Data, type Layout } from './plotly';

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
}

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
}: Props) {
  const ref = useRef<HTMLDivElement>(null);
  const drawn = useRef<{ key: string; lengths: number[] } | null>(null);
  const frame = useRef(0);

  useEffect(() => {
    cancelAnimationFrame(frame.current);
    frame.current = requestAnimationFrame(() => {
      void loadPlotly().then((Plotly) => {
        const el = ref.current;
        if (!el) return;
        const key = series.map((s) => `${s.name}|${s.color}|${s.dash ?? ''}`).join(';');
        const previous = drawn.current;
        const grows =
          previous && previous.key === key && series.every((s, i) => s.x.length >= previous.lengths[i]!);
        if (grows) {
          const idx: number[] = [];
          const xs: number[][] = [];
          const ys: number[][] = [];
          series.forEach((s, i) => {
            const from = previous.lengths[i]!;
            if (s.x.length > from) {
              idx.push(i);
              xs.push(s.x.slice(from));
              ys.push(s.y.slice(from));
            }
          });
          if (idx.length) void Plotly.extendTraces(el, { x: xs, y: ys }, idx);
        } else {
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
              ...(integerX ? { tickformat: 'd', dtick: 1 } : {}),
            },
            yaxis: { ...BASE_LAYOUT.yaxis, title: { text: yTitle ?? '' } },
          };
          void Plotly.react(el, data, layout, {
            responsive: true,
            displaylogo: false,
            toImageButtonOptions: { format: 'png', filename: fileName },
            modeBarButtonsToRemove: ['lasso2d', 'select2d'],
          });
        }
        drawn.current = { key, lengths: series.map((s) => s.x.length) };
      });
    });
  }, [series, title, xTitle, yTitle, height, fileName, showLegend, integerX]);

  useEffect(() => {
    const el = ref.current;
    return () => {
      if (el) void loadPlotly().then((Plotly) => Plotly.purge(el));
    };
  }, []);

  return <div ref={ref} className="chart" data-testid={testId} style={{ minHeight: height }} />;
}
