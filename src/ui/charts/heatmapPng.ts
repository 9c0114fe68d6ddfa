/**
 * A canvas heatmap saved as a PNG that stands alone: title, the run's caption, column labels (memory
 * slots), row labels when given, the cells scaled up 2x, and a colour bar with its end values and
 * what the colours mean. Drawn on a fresh canvas; the page's canvas is only read.
 */
import { downloadUrl } from './png';

export interface HeatmapFigure {
  readonly source: HTMLCanvasElement;
  readonly title: string;
  readonly caption: string;
  readonly columnLabels: readonly string[];
  readonly rowLabels?: readonly string[];
  readonly rowAxis?: string;
  /** Colours of the bar, left to right, and its end labels. */
  readonly colorAt: (t: number) => string;
  readonly low: string;
  readonly high: string;
  readonly scaleNote: string;
}

export function saveHeatmapPng(f: HeatmapFigure, fileName: string, scale = 2): void {
  const labelWidth = f.rowLabels ? 56 : f.rowAxis ? 22 : 8;
  const cellsW = f.source.width * scale;
  const cellsH = f.source.height * scale;
  const width = Math.max(360, labelWidth + cellsW + 16);
  const top = 58;
  const barTop = top + 18 + cellsH + 14;
  const height = barTop + 44;
  // drawn at 2x device pixels, so the text is as sharp as the Plotly exports (also 2x)
  const canvas = document.createElement('canvas');
  canvas.width = 2 * width;
  canvas.height = 2 * height;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.scale(2, 2);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = '#1f2328';
  ctx.font = '600 14px system-ui, sans-serif';
  ctx.fillText(f.title, 8, 20);
  ctx.fillStyle = '#667085';
  ctx.font = '11px system-ui, sans-serif';
  ctx.fillText(f.caption, 8, 38);
  // column labels centred over their columns
  ctx.fillStyle = '#333';
  ctx.textAlign = 'center';
  const colW = cellsW / Math.max(1, f.columnLabels.length);
  f.columnLabels.forEach((label, k) => ctx.fillText(label, labelWidth + (k + 0.5) * colW, top + 10));
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(f.source, labelWidth, top + 18, cellsW, cellsH);
  ctx.textAlign = 'right';
  if (f.rowLabels) {
    const rowH = cellsH / f.rowLabels.length;
    f.rowLabels.forEach((label, r) => ctx.fillText(label, labelWidth - 6, top + 18 + (r + 0.5) * rowH + 4));
  } else if (f.rowAxis) {
    ctx.save();
    ctx.translate(14, top + 18 + cellsH / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textAlign = 'center';
    ctx.fillText(f.rowAxis, 0, 0);
    ctx.restore();
  }
  // the colour bar
  const barW = Math.min(220, width - 16 - labelWidth);
  for (let x = 0; x < barW; x++) {
    ctx.fillStyle = f.colorAt(x / (barW - 1));
    ctx.fillRect(labelWidth + x, barTop, 1, 10);
  }
  ctx.strokeStyle = '#ccc';
  ctx.strokeRect(labelWidth, barTop, barW, 10);
  ctx.fillStyle = '#333';
  ctx.textAlign = 'left';
  ctx.fillText(f.low, labelWidth, barTop + 24);
  ctx.textAlign = 'right';
  ctx.fillText(f.high, labelWidth + barW, barTop + 24);
  ctx.textAlign = 'left';
  ctx.fillStyle = '#667085';
  ctx.fillText(f.scaleNote, labelWidth, barTop + 38);
  downloadUrl(canvas.toDataURL('image/png'), fileName);
}
