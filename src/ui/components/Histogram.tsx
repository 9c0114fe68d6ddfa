/** The rating histogram as inline SVG bars (no chart library needed for five bars), savable as PNG. */
import { useRef } from 'react';
import { saveSvgAsPng } from '../charts/png';

export function Histogram({ counts, fileName }: { counts: readonly number[]; fileName: string }) {
  const svg = useRef<SVGSVGElement>(null);
  const max = Math.max(1, ...counts);
  const total = counts.reduce((a, b) => a + b, 0) || 1;
  return (
    <div className="histogram-box">
      <svg
        ref={svg}
        className="histogram"
        viewBox="0 0 200 78"
        role="img"
        aria-label="Rating histogram"
        data-testid="histogram"
      >
        {counts.map((c, k) => {
          const h = (c / max) * 50;
          return (
            <g key={k}>
              <rect x={8 + k * 38} y={57 - h} width={30} height={h} fill="#2f6fb0" rx={2}>
                <title>{`rating ${k + 1}: ${c.toLocaleString('en-US')} (${((100 * c) / total).toFixed(1)}%)`}</title>
              </rect>
              <text x={23 + k * 38} y={55 - h} textAnchor="middle" fontSize={8} fill="#555">
                {`${Math.round((100 * c) / total)}%`}
              </text>
              <text x={23 + k * 38} y={70} textAnchor="middle" fontSize={9} fill="#555">
                {k + 1}★
              </text>
            </g>
          );
        })}
      </svg>
      <button
        type="button"
        className="link"
        data-testid="histogram-png"
        onClick={() => svg.current && void saveSvgAsPng(svg.current, `${fileName}.png`)}
      >
        PNG
      </button>
    </div>
  );
}
