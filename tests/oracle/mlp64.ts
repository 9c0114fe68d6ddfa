// Float64 plain-JS oracles for the meta-gradient tests. Independent of tfjs and of src/models: they
// re-derive the models from the papers' equations (shapes as in the doc comments there) with
// hand-written backprop, so a finite difference of their meta-loss checks the tfjs meta-gradients.
export type Vec = Float64Array;
export type Mat = { rows: number; cols: number; data: Float64Array };

export const mat = (rows: number, cols: number, data?: ArrayLike<number>): Mat => ({
  rows,
  cols,
  data: data ? Float64Array.from(data) : new Float64Array(rows * cols),
});

/** y = x W + b for one row x [in], W [in, out], b [out]. */
export function affine(x: Vec, w: Mat, b: Vec | null): Vec {
  const out = new Float64Array(w.cols);
  for (let j = 0; j < w.cols; j++) out[j] = b ? b[j]! : 0;
  for (let i = 0; i < w.rows; i++) {
    const xi = x[i]!;
    if (xi === 0) continue;
    for (let j = 0; j < w.cols; j++) out[j]! += xi * w.data[i * w.cols + j]!;
  }
  return out;
}

/** dx = W dy for y = x W (backprop through a row-vector affine map). */
export function backInput(w: Mat, dy: Vec): Vec {
  const dx = new Float64Array(w.rows);
  for (let i = 0; i < w.rows; i++) {
    let s = 0;
    for (let j = 0; j < w.cols; j++) s += w.data[i * w.cols + j]! * dy[j]!;
    dx[i] = s;
  }
  return dx;
}

/** dW += x^T dy. */
export function accumulateOuter(dw: Mat, x: Vec, dy: Vec): void {
  for (let i = 0; i < dw.rows; i++) {
    const xi = x[i]!;
    if (xi === 0) continue;
    for (let j = 0; j < dw.cols; j++) dw.data[i * dw.cols + j]! += xi * dy[j]!;
  }
}

export const relu = (v: Vec): Vec => v.map((x) => (x > 0 ? x : 0));
export const leaky = (v: Vec, slope: number): Vec => v.map((x) => (x > 0 ? x : slope * x));
export const concat = (...parts: Vec[]): Vec => {
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

/** A flat parameter vector view: named blocks in a Float64Array, for finite differences. */
export interface Flat {
  readonly keys: string[];
  readonly shapes: number[][];
  readonly offsets: number[];
  readonly data: Float64Array;
}

export function flatten(record: Record<string, { shape: number[]; values: ArrayLike<number> }>): Flat {
  const keys = Object.keys(record);
  const shapes = keys.map((k) => record[k]!.shape);
  const offsets: number[] = [];
  let n = 0;
  for (const k of keys) {
    offsets.push(n);
    n += record[k]!.values.length;
  }
  const data = new Float64Array(n);
  keys.forEach((k, i) => data.set(Array.from(record[k]!.values), offsets[i]));
  return { keys, shapes, offsets, data };
}

export function block(flat: Flat, key: string): Float64Array {
  const i = flat.keys.indexOf(key);
  const size = flat.shapes[i]!.reduce((a, b) => a * b, 1);
  return flat.data.subarray(flat.offsets[i], flat.offsets[i]! + size);
}

export function matOf(flat: Flat, key: string): Mat {
  const i = flat.keys.indexOf(key);
  const shape = flat.shapes[i]!;
  return { rows: shape[0]!, cols: shape[1] ?? 1, data: block(flat, key) };
}

/** Central difference of f along direction v: (f(x + eps v) - f(x - eps v)) / (2 eps). */
export function directional(flat: Flat, v: Float64Array, eps: number, f: (x: Flat) => number): number {
  const plus = { ...flat, data: flat.data.map((x, i) => x + eps * v[i]!) };
  const minus = { ...flat, data: flat.data.map((x, i) => x - eps * v[i]!) };
  return (f(plus) - f(minus)) / (2 * eps);
}
