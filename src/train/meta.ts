/**
 * Shared pieces of every meta-gradient: the config of local adaptation, the result type, masked task
 * losses and tiling of shared weights into per-task weights.
 */
import * as tf from '@tensorflow/tfjs';
import { exp, gatherRows } from '../models/ops';
import { fromList, keysOf } from '../models/params';
import type { RowTensors } from './batch';
import { tileTasksFused } from '../kernels/elementwiseWebgpu';

export type MetaOrder = 'first-order' | 'second-order';

export interface InnerConfig {
  /** Local SGD steps on the support set. */
  readonly steps: number;
  /** Local step size (MeLU alpha, MAMO rho). */
  readonly lr: number;
  /** first-order: gradient at the adapted weights; second-order: through the local steps. */
  readonly order: MetaOrder;
}

/** A meta-gradient: the mean query loss of the batch and its gradient w.r.t. every parameter. */
export interface MetaGradient<P> {
  readonly loss: tf.Scalar;
  readonly grads: P;
}

/**
 * Sum over tasks of each task's mean squared error, padded layout:
 * sum_{t,l} w_tl (y^_tl - y_tl)^2 with w_tl = 1/n_t (0 for padding). pred [T, L] -> scalar.
 */
export function paddedTaskLoss(pred: tf.Tensor, block: RowTensors): tf.Scalar {
  return tf.sum(tf.mul(block.padWeight, tf.square(tf.sub(pred, block.padValue))));
}

/** The same for flat rows: sum_r w_r (y^_r - y_r)^2. pred [R] -> scalar. */
export function flatTaskLoss(pred: tf.Tensor, block: RowTensors): tf.Scalar {
  return tf.sum(tf.mul(block.weight, tf.square(tf.sub(pred, block.value))));
}

/**
 * A shared tensor [...s] repeated for T tasks: [T, ...s]. Written as a row gather of the flattened
 * tensor (gradient: the sum over tasks, as tile's) because tf.tile is ~20x slower on tfjs-wasm; on
 * webgpu one kernel (kernels/elementwiseWebgpu.ts; gradient: the sum over the new axis).
 */
export function tileTasks(t: tf.Tensor, tasks: number): tf.Tensor {
  const fused = tileTasksFused(t, tasks); // webgpu: one kernel
  if (fused) return fused;
  const row = tf.reshape(t, [1, -1]) as tf.Tensor2D;
  return tf.reshape(gatherRows(row, tf.zeros([tasks], 'int32') as tf.Tensor1D), [tasks, ...t.shape]);
}

/** d f(w) / d w for every key of a record of local weights (same keys and shapes as w). */
export function localGrads<W extends Record<string, tf.Tensor>>(w: W, f: (w: W) => tf.Scalar): W {
  const keys = keysOf(w);
  const grads = tf.grads((...list: tf.Tensor[]) => f(fromList<W>(keys, list)))(keys.map((k) => w[k]!));
  return fromList<W>(keys, grads);
}

/**
 * Local step sizes: one number for every adapted key (the papers), or one per key, scalar tensors when
 * meta-learned (learnedRates) so the meta-gradient reaches them.
 */
export type StepSizes = number | Readonly<Record<string, number | tf.Tensor>>;

/** The step size of one adapted key. */
export function stepOf(lr: StepSizes, key: string): number | tf.Tensor {
  if (typeof lr === 'number') return lr;
  const a = lr[key];
  if (a === undefined) throw new Error(`No local step size for '${key}'`);
  return a;
}

/**
 * Per-key local step sizes alpha_k = lr * exp(rho_k) from a model's log-rate vector rho [K] (one entry
 * per adapted key, in `keys` order; Meta-SGD with one rate per tensor, as MAML++'s per-layer rates);
 * without rho, `lr` for every key. exp is the second-order-safe one (ops.ts): with second-order
 * meta-gradients the local gradient is differentiated again.
 */
export function learnedRates(keys: readonly string[], logRate: tf.Tensor | undefined, lr: number): StepSizes {
  if (!logRate) return lr;
  const alphas = tf.unstack(tf.mul(lr, exp(logRate)));
  return Object.fromEntries(keys.map((k, i) => [k, alphas[i]!]));
}

/**
 * First order with learned rates: the frozen local change delta_k = alpha_k sum_steps g_k is a
 * constant, but its dependence on alpha_k is not: delta_k * alpha_k(live) / alpha_k(frozen) has the
 * same value and the gradient d delta_k / d alpha_k = sum_steps g_k (the local gradients held fixed,
 * as first order holds them). Fixed rates: delta unchanged.
 */
export function withLiveRates<W extends Record<string, tf.Tensor>>(
  delta: W,
  live: StepSizes,
  frozen: StepSizes,
): W {
  if (typeof live === 'number' || typeof frozen === 'number') return delta;
  const out: Record<string, tf.Tensor> = {};
  for (const key of keysOf(delta))
    out[key] = tf.mul(delta[key]!, tf.div(stepOf(live, key), stepOf(frozen, key)));
  return out as W;
}

/** One local SGD step w - lr g, key by key (lr: one step size, or one per key). */
export function sgdStep<W extends Record<string, tf.Tensor>>(w: W, g: W, lr: StepSizes): W {
  const out: Record<string, tf.Tensor> = {};
  for (const key of keysOf(w)) out[key] = tf.sub(w[key]!, tf.mul(stepOf(lr, key), g[key]!));
  return out as W;
}

/** a - b, key by key. */
export function diffRecord<W extends Record<string, tf.Tensor>>(a: W, b: W): W {
  const out: Record<string, tf.Tensor> = {};
  for (const key of keysOf(a)) out[key] = tf.sub(a[key]!, b[key]!);
  return out as W;
}

/** Learned local rates as host data: key -> innerLr * exp(rho_k); null without learned rates. */
export async function learnedRatesOf(
  rho: tf.Tensor | undefined,
  keys: readonly string[],
  innerLr: number,
): Promise<Record<string, number> | null> {
  if (!rho) return null;
  const values = await rho.data();
  return Object.fromEntries(keys.map((k, i) => [k, innerLr * Math.exp(values[i]!)]));
}
