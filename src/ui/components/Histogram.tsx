/** The rating histogram as inline SVG bars (no chart library needed for five bars). */
export function Histogram({ counts }: { counts: readonly number[] }) {
  const max = Math.max(1, ...counts);
  const total = counts.reduce((a, b) => a + b, 0) || 1;
  return (
    <svg
      className="histogram"
      viewBox="0 0 200 70"
      role="img"
      aria-label="Rating histogram"
      data-testid="histogram"
    >
      {counts.map((c, k) => {
        const h = (c / max) * 50;
        return (
          <g key={k}>
            <rect x={8 + k * 38} y={55 - h} width={30} height={h} fill="#2f6fb0" rx={2}>
              <title>{`rating ${k + 1}: ${c.toLocaleString()} (${((100 * c) / total).toFixed(1)}%)`}</title>
            </rect>
            <text x={23 + k * 38} y={67} textAnchor="middle" fontSize={9} fill="#555">
              {k + 1}★
            </text>
          </g>
        );
      })}
    </svg>
  );
}
