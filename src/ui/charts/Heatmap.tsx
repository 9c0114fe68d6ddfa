/**
 * A canvas heatmap (rows x columns) with a hover tooltip and row clicks: cheap to redraw every epoch,
 * unlike a Plotly heatmap, so it never blocks the page during training. "PNG" saves the canvas.
 */
import { useEffect, useRef, useState } from 'react';
import { saveHeatmapPng } from './heatmapPng';

interface Props {
  readonly values: Float32Array | readonly number[];
  readonly rows: number;
  readonly columns: number;
  /** 'sequential' for 0..1 weights, 'diverging' for signed values (symmetric scale). */
  readonly scale: 'sequential' | 'diverging';
  readonly columnLabels: readonly string[];
  /** Labels left of the rows (only for a few tall rows, e.g. memory slots). */
  readonly rowLabels?: readonly string[];
  /** A fixed colour range (sequential) instead of the data's [min, max]. */
  readonly domain?: readonly [number, number];
  readonly cellHeight?: number;
  /** The canvas' most height (px): many rows share it (the page layout keeps the explorer in view). */
  readonly maxHeight?: number;
  readonly width?: number;
  readonly tooltip: (row: number, column: number) => string;
  readonly onRowClick?: (row: number) => void;
  readonly testId: string;
  readonly fileName: string;
  /** What the saved PNG says above the cells (title; the run's caption), and what a row is. */
  readonly title?: string;
  readonly caption?: string;
  readonly rowAxis?: string;
}

function color(v: number, scale: 'sequential' | 'diverging', max: number, min: number): string {
  if (scale === 'sequential') {
    // stretched to the data's range, so near-uniform attention still shows its differences
    const t = max > min ? Math.max(0, Math.min(1, (v - min) / (max - min))) : 0.5;
    const r = Math.round(247 - t * (247 - 17));
    const g = Math.round(251 - t * (251 - 72));
    const b = Math.round(255 - t * (255 - 140));
    return `rgb(${r},${g},${b})`;
  }
  const t = Math.max(-1, Math.min(1, v / (max || 1)));
  if (t >= 0)
    return `rgb(${Math.round(255 - t * 75)},${Math.round(255 - t * 190)},${Math.round(255 - t * 195)})`;
  return `rgb(${Math.round(255 + t * 210)},${Math.round(255 + t * 150)},${Math.round(255 + t * 60)})`;
}

/** Colour range: [min, max] of the values (sequential) or [-m, m] with m = max |v| (diverging). */
function range(
  values: Float32Array | readonly number[],
  n: number,
  scale: 'sequential' | 'diverging',
  domain?: readonly [number, number],
) {
  if (domain && scale === 'sequential') return { min: domain[0], max: domain[1] };
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i] ?? 0;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (scale === 'diverging') {
    const m = Math.max(Math.abs(min), Math.abs(max));
    return { min: -m, max: m };
  }
  return { min, max };
}

export function Heatmap({
  values,
  rows,
  columns,
  scale,
  columnLabels,
  rowLabels,
  domain,
  cellHeight = 4,
  maxHeight = 480,
  width = 260,
  tooltip,
  onRowClick,
  testId,
  fileName,
  title = '',
  caption = '',
  rowAxis,
}: Props) {
  const canvas = useRef<HTMLCanvasElement>(null);
  // the hovered cell, not its text: the text is read at render, so it follows new values (epoch slider)
  const [tip, setTip] = useState<{ x: number; y: number; row: number; column: number } | null>(null);
  const height = Math.max(20, Math.min(maxHeight, rows * cellHeight));
  const rowHeight = height / Math.max(1, rows);
  const cellWidth = width / Math.max(1, columns);

  useEffect(() => {
    const c = canvas.current;
    const ctx = c?.getContext('2d');
    if (!c || !ctx) return;
    ctx.clearRect(0, 0, width, height);
    const { min, max } = range(values, rows * columns, scale, domain);
    for (let r = 0; r < rows; r++) {
      for (let k = 0; k < columns; k++) {
        ctx.fillStyle = color(values[r * columns + k] ?? 0, scale, max, min);
        ctx.fillRect(k * cellWidth, r * rowHeight, Math.ceil(cellWidth), Math.ceil(rowHeight));
      }
    }
  }, [values, rows, columns, scale, domain, width, height, rowHeight, cellWidth]);

  const locate = (e: React.MouseEvent<HTMLCanvasElement>) => {
    const box = e.currentTarget.getBoundingClientRect();
    const row = Math.floor((e.clientY - box.top) / rowHeight);
    const column = Math.floor((e.clientX - box.left) / cellWidth);
    return row >= 0 && row < rows && column >= 0 && column < columns
      ? { row, column, x: e.clientX - box.left, y: e.clientY - box.top }
      : null;
  };

  return (
    <div className="heatmap" data-testid={testId} data-rows={rows} data-columns={columns}>
      <div className="heatmap-labels" style={{ width }}>
        {columnLabels.map((label) => (
          <span key={label} style={{ width: cellWidth }}>
            {label}
          </span>
        ))}
      </div>
      <div className="heatmap-body">
        {rowLabels && (
          <div className="heatmap-rows">
            {rowLabels.map((label) => (
              <span key={label} style={{ height: rowHeight, lineHeight: `${rowHeight}px` }}>
                {label}
              </span>
            ))}
          </div>
        )}
        <div className="heatmap-canvas">
          <canvas
            ref={canvas}
            width={width}
            height={height}
            style={{ cursor: onRowClick ? 'pointer' : 'default' }}
            onMouseMove={(e) => {
              const at = locate(e);
              setTip(at);
            }}
            onMouseLeave={() => setTip(null)}
            onClick={(e) => {
              const at = locate(e);
              if (at && onRowClick) onRowClick(at.row);
            }}
          />
          {tip && tip.row < rows && tip.column < columns && (
            <div
              className="tooltip"
              style={{ left: tip.x + 12, top: tip.y + 8 }}
              data-testid={`${testId}-tooltip`}
            >
              {tooltip(tip.row, tip.column)}
            </div>
          )}
        </div>
      </div>
      <div className="heatmap-scale">
        {(() => {
          const { min, max } = range(values, rows * columns, scale, domain);
          if (!rows || !columns) return '';
          return scale === 'diverging'
            ? `colour: ${min.toFixed(3)} (blue) … 0 (white) … ${max.toFixed(3)} (red)`
            : `colour: ${min.toFixed(3)} (light) … ${max.toFixed(3)} (dark)${domain ? ' (fixed scale)' : ' (stretched to the data)'}`;
        })()}
      </div>
      <button
        type="button"
        className="link"
        data-testid={`${testId}-png`}
        onClick={() => {
          if (!canvas.current) return;
          const { min, max } = range(values, rows * columns, scale, domain);
          saveHeatmapPng(
            {
              source: canvas.current,
              title,
              caption,
              columnLabels,
              rowLabels,
              rowAxis,
              colorAt: (t) => color(min + t * (max - min), scale, max, min),
              low: min.toFixed(3),
              high: max.toFixed(3),
              scaleNote:
                scale === 'diverging'
                  ? 'blue: negative · white: 0 · red: positive'
                  : domain
                    ? 'attention weight (fixed 0..1 scale)'
                    : 'attention weight (stretched to the data)',
            },
            `${fileName}.png`,
          );
        }}
      >
        PNG
      </button>
    </div>
  );
}
