/**
 * A Plotly chart saved as a PNG that stands alone on a slide: the chart's title with the run's caption
 * (model, dataset, seed, backend) under it, a legend naming every trace, axis titles, a white
 * background, at 2x. Rendered from the figure (Plotly.toImage), not from the page's div, so the page's
 * chart keeps its compact look, and downloaded through a link (no Plotly "snapshot" toast).
 */
import { downloadUrl } from './png';
import type { Data, Layout, PlotlyModule } from './plotly';

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export async function exportPng(
  Plotly: PlotlyModule,
  figure: { data: Data[]; layout: Partial<Layout>; caption: string },
  fileName: string,
  width: number,
): Promise<void> {
  const title = (figure.layout.title as { text?: string } | undefined)?.text ?? '';
  const legendRows = Math.ceil(figure.data.length / 2);
  const chartHeight = Math.max(260, Number(figure.layout.height ?? 240) + 60);
  const height = chartHeight + 24 * legendRows + 30;
  const layout: Partial<Layout> = {
    ...figure.layout,
    width: Math.max(560, width),
    height,
    paper_bgcolor: '#fff',
    title: {
      text: `${escape(title)}${figure.caption ? `<br><span style="font-size:11px;color:#667085">${escape(figure.caption)}</span>` : ''}`,
      font: { size: 14 },
      x: 0.02,
      xanchor: 'left',
    },
    showlegend: true,
    legend: { orientation: 'h', x: 0, xanchor: 'left', y: -0.16, yanchor: 'top', font: { size: 11 } },
    margin: { l: 64, r: 16, t: 64, b: 60 + 24 * legendRows },
  };
  const url = await Plotly.toImage(
    { data: figure.data, layout },
    {
      format: 'png',
      width: layout.width as number,
      height,
      scale: 2,
    },
  );
  downloadUrl(url, `${fileName}.png`);
}
