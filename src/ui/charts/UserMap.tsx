/**
 * The users' profile vectors p_u on their top two principal axes (pca.ts), one dot per evaluated test
 * user, coloured by the memory slot the user reads most (argmax of the attention row). Users whose
 * profiles the attention separates sit in separate colours; one colour everywhere means one slot does
 * all the work. SVG (a few hundred dots), so the PNG carries its title, axes, legend and caption.
 */
import { useMemo, useRef } from 'react';
import { pca2 } from './pca';
import { saveSvgAsPng } from './png';

// slot colours, apart from the scenario colours (blue, orange, green, red) the curves use
export const SLOT_COLORS = [
  '#6a51a3',
  '#1b9e9e',
  '#b8860b',
  '#d6609c',
  '#5f6b7a',
  '#8c9a2c',
  '#3d5a80',
  '#9e6240',
];

interface Props {
  /** [n, width] profile vectors and [n, k] attention rows */
  readonly profiles: Float32Array;
  readonly width: number;
  readonly attention: Float32Array;
  readonly k: number;
  readonly title: string;
  readonly caption: string;
  readonly describe: (row: number) => string;
  readonly onPick?: (row: number) => void;
  readonly fileName: string;
}

const W = 300;
const LEGEND_PER_ROW = 3;

export function UserMap({
  profiles,
  width,
  attention,
  k,
  title,
  caption,
  describe,
  onPick,
  fileName,
}: Props) {
  const svg = useRef<SVGSVGElement>(null);
  const n = width ? Math.floor(profiles.length / width) : 0;
  const projection = useMemo(
    () => (n >= 3 ? pca2(profiles.subarray(0, n * width), n, width) : null),
    [profiles, n, width],
  );
  const dominant = useMemo(
    () =>
      Int32Array.from({ length: n }, (_, r) => {
        let best = 0;
        for (let j = 1; j < k; j++) if (attention[r * k + j]! > attention[r * k + best]!) best = j;
        return best;
      }),
    [attention, k, n],
  );
  const legendRows = Math.ceil(k / LEGEND_PER_ROW);
  const H = 270 + 14 * legendRows;
  const PLOT = { left: 30, top: 40, right: W - 8, bottom: H - 38 - 14 * legendRows };
  if (!projection) return <p className="empty">Too few users for a map.</p>;
  const xs = Array.from({ length: n }, (_, r) => projection.coords[2 * r]!);
  const ys = Array.from({ length: n }, (_, r) => projection.coords[2 * r + 1]!);
  const scale = (values: number[], lo: number, hi: number, flip: boolean) => {
    const min = Math.min(...values);
    const max = Math.max(...values);
    const span = max - min || 1;
    return (v: number) => {
      const t = (v - min) / span;
      return flip ? hi - t * (hi - lo) : lo + t * (hi - lo);
    };
  };
  const sx = scale(xs, PLOT.left + 4, PLOT.right - 4, false);
  const sy = scale(ys, PLOT.top + 4, PLOT.bottom - 4, true);
  const total = projection.variances[0] + projection.variances[1];
  const share = (v: number) => `${Math.round((projection.explained * v * 100) / (total || 1))}%`;
  const counts = Array.from({ length: k }, (_, j) => dominant.filter((d) => d === j).length);
  return (
    <div className="user-map" data-testid="user-map" data-users={n}>
      <svg ref={svg} viewBox={`0 0 ${W} ${H}`} width={W} height={H} role="img" aria-label={title}>
        <rect x={0} y={0} width={W} height={H} fill="#fff" />
        <text x={8} y={15} fontSize={12} fontWeight={600} fill="#1f2328">
          {title}
        </text>
        <text x={8} y={29} fontSize={9.5} fill="#667085">
          {caption}
        </text>
        <rect
          x={PLOT.left}
          y={PLOT.top}
          width={PLOT.right - PLOT.left}
          height={PLOT.bottom - PLOT.top}
          fill="none"
          stroke="#e3e6ea"
        />
        {xs.map((x, r) => (
          <circle
            key={r}
            cx={sx(x)}
            cy={sy(ys[r]!)}
            r={2.6}
            fill={SLOT_COLORS[dominant[r]! % SLOT_COLORS.length]}
            fillOpacity={0.75}
            style={{ cursor: onPick ? 'pointer' : 'default' }}
            onClick={() => onPick?.(r)}
          >
            <title>{`${describe(r)} · reads slot ${dominant[r]! + 1} most · click to inspect`}</title>
          </circle>
        ))}
        <text
          x={(PLOT.left + PLOT.right) / 2}
          y={PLOT.bottom + 14}
          fontSize={10}
          textAnchor="middle"
          fill="#333"
        >
          PC 1 of the profile vectors p_u ({share(projection.variances[0])} of variance)
        </text>
        <text
          x={12}
          y={(PLOT.top + PLOT.bottom) / 2}
          fontSize={10}
          textAnchor="middle"
          fill="#333"
          transform={`rotate(-90 12 ${(PLOT.top + PLOT.bottom) / 2})`}
        >
          PC 2 ({share(projection.variances[1])})
        </text>
        {counts.map((c, j) => (
          <g
            key={j}
            transform={`translate(${8 + (j % LEGEND_PER_ROW) * 96}, ${H - 8 - 14 * (legendRows - 1 - Math.floor(j / LEGEND_PER_ROW))})`}
          >
            <circle cx={4} cy={-3} r={4} fill={SLOT_COLORS[j % SLOT_COLORS.length]} />
            <text x={11} y={0} fontSize={9.5} fill="#333">
              slot {j + 1}: {c} users
            </text>
          </g>
        ))}
      </svg>
      <button
        type="button"
        className="link"
        data-testid="user-map-png"
        onClick={() => svg.current && void saveSvgAsPng(svg.current, `${fileName}.png`)}
      >
        PNG
      </button>
    </div>
  );
}
