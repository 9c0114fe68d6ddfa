/**
 * The non-meta baseline's fine-tuning choices as tensor code (localRate.ts FineTune): the last layer
 * only, as per-key step sizes (0 on every other adapted key), and per-task clipping of the local
 * gradient.
 */
import * as tf from '@tensorflow/tfjs';
import type { FineTune } from './adaptation';
import { stepOf, type StepSizes } from './meta';

/**
 * The step sizes of `keys` under a fine-tuning choice: unchanged for all layers, else 0 off the last
 * layer, whose keys are `last` (MeLU's output layer y = h_L w + b: models/melu.ts meluOutputKeys).
 */
export function fineTuneRates(
  lr: StepSizes,
  keys: readonly string[],
  fineTune: FineTune,
  last: readonly string[],
): StepSizes {
  if (fineTune.layers === 'all') return lr;
  return Object.fromEntries(keys.map((k) => [k, last.includes(k) ? stepOf(lr, k) : 0]));
}

/**
 * Per-task gradients g (every key [T, ...]) with each task's slice scaled to global norm <= clip over
 * the keys that move (step size not the number 0): g_t * min(1, clip / ‖g_t‖).
 */
export function clipTaskGradients<W extends Record<string, tf.Tensor>>(g: W, clip: number, lr: StepSizes): W {
  const keys = Object.keys(g).filter((k) => stepOf(lr, k) !== 0);
  const tasks = g[keys[0] ?? Object.keys(g)[0]!]!.shape[0]!;
  const squares = keys.map((k) => tf.sum(tf.square(tf.reshape(g[k]!, [tasks, -1])), 1));
  const norm = tf.sqrt(squares.length ? tf.addN(squares) : tf.zeros([tasks]));
  const scale = tf.minimum(1, tf.div(clip, tf.add(norm, 1e-12)));
  const out: Record<string, tf.Tensor> = {};
  for (const [k, v] of Object.entries(g))
    out[k] = tf.mul(v, tf.reshape(scale, [tasks, ...v.shape.slice(1).map(() => 1)]));
  return out as W;
}
