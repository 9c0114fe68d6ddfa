/**
 * A small Plotly figure drawn from whole traces and a layout (box plots built from bars and lines,
 * grouped bars): redrawn with Plotly.react through the chart scheduler when they change (a few times
 * per run, at each epoch), never appended. The modebar's camera saves a PNG that stands alone
 * (exportPng.ts: title, run caption, legend). `data-points` on the element counts the drawn values
 * (for tests: the chart has data, not only axes).
 */
import { useEffect, useId, useRef } from 'react';
import { exportPng } from './exportPng';
import { BASE_LAYOUT, loadPlotly, type Data, type Layout } from './plotly';
import { cancelChart, scheduleChart } from './scheduler';

interface Props {
  readonly data: readonly Data[];
  readonly layout: Partial<Layout>;
  readonly title: string;
  readonly height?: number;
  readonly testId: string;
  readonly fileName: string;
  readonly caption?: string;
  /** How many values the traces draw (the element's data-points attribute). */
  readonly points: number;
  /** A click on a drawn value: its trace and its index in the trace's arrays. */
  readonly onPointClick?: (point: { readonly curveNumber: number; readonly pointIndex: number }) => void;
}

export function FigureChart({
  data,
  layout,
  title,
  height = 260,
  testId,
  fileName,
  caption = '',
  points,
  onPointClick,
}: Props) {
  const ref = useRef<HTMLDivElement>(null);
  const figure = useRef<{ data: Data[]; layout: Partial<Layout>; caption: string }>({
    data: [],
    layout: {},
    caption,
  });
  const id = useId();
  // the latest handler, read at click time (the plot is not redrawn when only the handler changes)
  const click = useRef(onPointClick);
  useEffect(() => {
    click.current = onPointClick;
  }, [onPointClick]);

  useEffect(() => {
    scheduleChart(id, () =>
      loadPlotly().then(async (Plotly) => {
        const el = ref.current;
        if (!el) return;
        const full: Partial<Layout> = {
          ...BASE_LAYOUT,
          hovermode: 'closest',
          height,
          title: { text: title, font: { size: 12 } },
          ...layout,
          xaxis: { ...BASE_LAYOUT.xaxis, ...layout.xaxis },
          yaxis: { ...BASE_LAYOUT.yaxis, ...layout.yaxis },
        };
        figure.current = { data: [...data], layout: full, caption };
        const t0 = performance.now();
        const plotted = await Plotly.react(el, [...data], full, {
          responsive: true,
          displaylogo: false,
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
        // one click listener per element, whatever the number of redraws
        plotted.removeAllListeners('plotly_click');
        plotted.on('plotly_click', (e) => {
          const p = e.points[0];
          if (p) click.current?.({ curveNumber: p.curveNumber, pointIndex: p.pointIndex });
        });
        performance.measure(`chart:${testId}:draw`, { start: t0 });
      }),
    );
  }, [id, data, layout, title, height, testId, fileName, caption]);

  useEffect(() => {
    const el = ref.current;
    return () => {
      cancelChart(id);
      if (el) void loadPlotly().then((Plotly) => Plotly.purge(el));
    };
  }, [id]);

  return (
    <div
      ref={ref}
      className="chart"
      data-testid={testId}
      data-points={points}
      style={{ minHeight: height }}
    />
  );
}
