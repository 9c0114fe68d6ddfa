/**
 * A small PCA in plain TS for the user map: rows x [n, d] (row-major) -> their coordinates on the top
 * two principal axes. Centred rows X_c; covariance C = X_cᵀX_c / (n − 1) [d, d]; the top eigenvectors
 * by power iteration (v ← Cv / |Cv| until the change is below `tolerance`), the second after deflating
 * C ← C − λ₁v₁v₁ᵀ. d is the profile width (tens), so C is tiny; the cost is the O(n·d²) product.
 * Each axis' sign is fixed (its largest-magnitude entry positive), so maps of successive epochs do not
 * flip at random.
 */
export interface Projection {
  /** [n, 2] row-major coordinates */
  readonly coords: Float32Array;
  /** The two axes [2, d] (unit vectors) and their variances λ₁ ≥ λ₂ */
  readonly axes: Float64Array;
  readonly variances: readonly [number, number];
  /** λ₁ + λ₂ over the total variance (trace of C) */
  readonly explained: number;
}

function topEigen(c: Float64Array, d: number, iterations: number, tolerance: number) {
  // a deterministic start with no symmetry (an all-equal start can be orthogonal to the answer)
  let v = Float64Array.from({ length: d }, (_, j) => 1 + j / d);
  let lambda = 0;
  for (let it = 0; it < iterations; it++) {
    const w = new Float64Array(d);
    for (let i = 0; i < d; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += c[i * d + j]! * v[j]!;
      w[i] = s;
    }
    const norm = Math.hypot(...w);
    if (norm === 0) return { v, lambda: 0 };
    let change = 0;
    for (let i = 0; i < d; i++) {
      w[i]! /= norm;
      change = Math.max(change, Math.abs(w[i]! - v[i]!));
    }
    v = w;
    lambda = norm;
    if (change < tolerance) break;
  }
  let big = 0;
  for (let i = 0; i < d; i++) if (Math.abs(v[i]!) > Math.abs(v[big]!)) big = i;
  if (v[big]! < 0) for (let i = 0; i < d; i++) v[i] = -v[i]!;
  return { v, lambda };
}

export function pca2(
  rows: Float32Array | readonly number[],
  n: number,
  d: number,
  iterations = 500,
): Projection {
  if (rows.length !== n * d) throw new Error(`Expected ${n} x ${d} = ${n * d} values, got ${rows.length}`);
  const mean = new Float64Array(d);
  for (let r = 0; r < n; r++) for (let j = 0; j < d; j++) mean[j]! += rows[r * d + j]! / n;
  const c = new Float64Array(d * d);
  for (let r = 0; r < n; r++)
    for (let i = 0; i < d; i++) {
      const xi = rows[r * d + i]! - mean[i]!;
      for (let j = i; j < d; j++) c[i * d + j]! += xi * (rows[r * d + j]! - mean[j]!);
    }
  const scale = 1 / Math.max(1, n - 1);
  let trace = 0;
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) c[j * d + i] = c[i * d + j]! *= scale;
    trace += c[i * d + i]!;
  }
  const first = topEigen(c, d, iterations, 1e-10);
  for (let i = 0; i < d; i++)
    for (let j = 0; j < d; j++) c[i * d + j]! -= first.lambda * first.v[i]! * first.v[j]!;
  const second = topEigen(c, d, iterations, 1e-10);
  const coords = new Float32Array(n * 2);
  for (let r = 0; r < n; r++) {
    let a = 0;
    let b = 0;
    for (let j = 0; j < d; j++) {
      const x = rows[r * d + j]! - mean[j]!;
      a += x * first.v[j]!;
      b += x * second.v[j]!;
    }
    coords[2 * r] = a;
    coords[2 * r + 1] = b;
  }
  const axes = new Float64Array(2 * d);
  axes.set(first.v, 0);
  axes.set(second.v, d);
  return {
    coords,
    axes,
    variances: [first.lambda, second.lambda],
    explained: trace > 0 ? (first.lambda + second.lambda) / trace : 0,
  };
}
