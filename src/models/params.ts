/**
 * Parameters are values: a named record of tensors. forward(params, batch), loss and sgdStep are pure
 * functions of such records, so MAML's fast weights are just another record with the same keys, and a
 * wrong key is a compile error. Only train/ decides which records live across steps (and disposes them).
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../lib/rng';

export type ParamRecord = Readonly<Record<string, tf.Tensor>>;

/** The keys of a record in a fixed (insertion) order, for tf.grads' positional lists. */
export function keysOf<P extends ParamRecord>(params: P): (keyof P & string)[] {
  return Object.keys(params) as (keyof P & string)[];
}

/** Builds a record from keys and a positional list of tensors (the inverse of keysOf + map). */
export function fromList<P extends ParamRecord>(
  keys: readonly (keyof P & string)[],
  list: readonly tf.Tensor[],
): P {
  const out: Record<string, tf.Tensor> = {};
  keys.forEach((key, i) => (out[key] = list[i]!));
  return out as unknown as P;
}

/** Applies f to every tensor of a record: {k: f(p[k], k)}. */
export function mapParams<P extends ParamRecord>(
  params: P,
  f: (t: tf.Tensor, key: keyof P & string) => tf.Tensor,
): P {
  const out: Record<string, tf.Tensor> = {};
  for (const key of keysOf(params)) out[key] = f(params[key] as tf.Tensor, key);
  return out as unknown as P;
}

/** Picks some keys of a record. */
export function pick<P extends ParamRecord, K extends keyof P & string>(
  params: P,
  keys: readonly K[],
): Pick<P, K> {
  const out: Partial<Pick<P, K>> = {};
  for (const key of keys) out[key] = params[key];
  return out as Pick<P, K>;
}

/** theta' = theta - lr * g, key by key (keys of g only; other keys of theta are kept). */
export function sgdStep<P extends ParamRecord>(params: P, grads: Partial<P>, lr: number): P {
  return mapParams(params, (t, key) => {
    const g = grads[key];
    return g ? tf.sub(t, tf.mul(lr, g)) : t;
  });
}

/** Disposes every tensor of a record (skipping tensors listed in `keep`). */
export function disposeParams(params: ParamRecord, keep: ReadonlySet<tf.Tensor> = new Set()): void {
  for (const t of Object.values(params)) if (!keep.has(t) && !t.isDisposed) t.dispose();
}

/**
 * The sum of same-shaped tensors, by tf.addN over at most 7 at a time: tfjs-webgpu 4.22's AddN binds
 * every input as a storage buffer, and above the device's limit (8 per stage with the output: SwiftShader,
 * many GPUs) its pipeline is invalid and the result silently garbage (MAMO's 14-tensor gradient norm).
 */
export function addMany(list: readonly tf.Tensor[]): tf.Tensor {
  let xs = [...list];
  while (xs.length > 7) {
    const next: tf.Tensor[] = [];
    for (let i = 0; i < xs.length; i += 7)
      next.push(i + 1 === xs.length ? xs[i]! : tf.addN(xs.slice(i, i + 7)));
    xs = next;
  }
  return xs.length === 1 ? xs[0]! : tf.addN(xs);
}

/** Sum of squares of every tensor of a record, as a scalar tensor (for global-norm clipping). */
export function squaredNorm(params: ParamRecord): tf.Scalar {
  return addMany(Object.values(params).map((t) => tf.sum(tf.square(t)))) as tf.Scalar;
}

/** Number of scalars in a record. */
export function countScalars(params: ParamRecord): number {
  return Object.values(params).reduce((n, t) => n + t.size, 0);
}

/**
 * Glorot-uniform init of a [rows, cols] matrix: U(-l, l), l = sqrt(6 / (fanIn + fanOut)); the fans
 * default to the shape (a block of a bigger layer passes the layer's fans).
 */
export function glorot(rng: Rng, rows: number, cols: number, fanIn = rows, fanOut = cols): tf.Tensor2D {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const values = new Float32Array(rows * cols);
  for (let i = 0; i < values.length; i++) values[i] = (2 * rng.next() - 1) * limit;
  return tf.tensor2d(values, [rows, cols]);
}

/** Uniform init U(-limit, limit) of any shape (PyTorch's nn.Linear default: limit = 1/sqrt(fan_in)). */
export function uniform(rng: Rng, shape: number[], limit: number): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = (2 * rng.next() - 1) * limit;
  return tf.tensor(values, shape);
}

/** Normal init N(0, std^2) of any shape. */
export function normal(rng: Rng, shape: number[], std: number): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = rng.normal() * std;
  return tf.tensor(values, shape);
}

/** A constant-filled tensor. */
export function filled(shape: number[], value: number): tf.Tensor {
  return tf.fill(shape, value);
}

/**
 * tf.tidy for any value: every tensor reachable from the result (records, arrays, nested objects) is
 * kept, every other tensor made inside `f` is disposed. (tf.tidy's type only admits TensorContainers,
 * though its runtime walks any object.)
 */
export function tidyAll<T>(f: () => T): T {
  return tf.tidy(f as unknown as () => tf.TensorContainer) as unknown as T;
}
