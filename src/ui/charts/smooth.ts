/**
 * Smoothing and axis ranges for the curves: pure functions, unit-tested (smooth.test.ts).
 */

/**
 * Debiased exponential moving average (TensorBoard's smoothing): m_t = w·m_{t−1} + (1 − w)·y_t with
 * m_0 = 0, shown as m_t / (1 − w^t), so the first points are not pulled towards 0. w in [0, 1): 0 is the
 * raw series. Non-finite values are skipped (they keep the previous average).
 */
export function ema(values: readonly number[], weight: number): number[] {
  if (weight <= 0) return [...values];
  const out: number[] = [];
  let m = 0;
  let n = 0;
  for (const y of values) {
    if (Number.isFinite(y)) {
      m = weight * m + (1 - weight) * y;
      n++;
    }
    out.push(n ? m / (1 - weight ** n) : NaN);
  }
  return out;
}

export type Range = [number, number];

/** [min, max] of the finite values (positive ones only on a log axis), or null. */
export function extent(lists: readonly (readonly number[])[], log = false): Range | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const list of lists)
    for (const v of list) {
      if (!Number.isFinite(v) || (log && v <= 0)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  return lo <= hi ? [lo, hi] : null;
}

/**
 * The axis range that fits [lo, hi] with `pad` of the span on each side (a flat series gets ±1% of
 * its value). On a log axis the range is in log10 units, as Plotly wants it.
 */
export function fitRange([lo, hi]: Range, pad: number, log = false): Range {
  if (log) {
    const a = Math.log10(lo);
    const b = Math.log10(hi);
    const span = Math.max(b - a, 0.02);
    return [a - pad * span, b + pad * span];
  }
  const span = Math.max(hi - lo, Math.abs(hi) * 0.01, 1e-6);
  return [lo - pad * span, hi + pad * span];
}

/** Whether the data extent `e` (in data units) lies inside the axis range `r` (log10 units when log). */
export function within(r: Range, e: Range, log = false): boolean {
  const [a, b] = log ? [Math.log10(e[0]), Math.log10(e[1])] : e;
  return a >= r[0] && b <= r[1];
}

/** True when the data fill less than `share` of the range's height: time to refit. */
export function tooLoose(r: Range, e: Range, share: number, log = false): boolean {
  const [a, b] = log ? [Math.log10(e[0]), Math.log10(e[1])] : e;
  return b - a < share * (r[1] - r[0]);
}
