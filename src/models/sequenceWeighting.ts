/**
 * MELO's adaptive weighted loss (peers.md A.5): one non-negative weight per support position of a task,
 * w_t = |g_phi(...)_t|, that scales the support loss of every local step.
 * - `lstm` (MELO's task-state recurrent encoder): a 1-layer LSTM over the task's support positions in
 *   time order with learned initial states; input per position x_t = [onehot(rating_t) (5), y^_t / 5,
 *   l_t] (rating, prediction, loss: the MLP variant's run-time inputs; MELO's default LSTM reads the
 *   rating alone); w_t = |h_t v + c|.
 * - `mlp` (MELO's MetaTaskMLPNetwork): per position [mean, std of the support ratings, rating / 5,
 *   y^_t / 5, l_t] -> relu hidden -> |.|.
 * The output bias starts at 1 and the output weights small, so training starts from plain MSE.
 * Gates use ops.ts's sigmoid and tanh (second-order safe); prediction and loss inputs are not detached,
 * so w depends on the fast weights and the local gradient includes that dependence.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../lib/rng';
import { sigmoid, tanh } from './ops';
import { filled, glorot } from './params';

export type Weighting = 'lstm' | 'mlp' | 'none';
export type WeightingParams = Readonly<Record<string, tf.Tensor>>;

const LSTM_INPUTS = 7;
const MLP_INPUTS = 5;

export function initWeighting(
  kind: Exclude<Weighting, 'none'>,
  hidden: number,
  rng: Rng,
): Record<string, tf.Tensor> {
  const out = { v: tf.tidy(() => tf.mul(glorot(rng.fork('v'), hidden, 1), 0.1)), c: filled([1], 1) };
  if (kind === 'mlp')
    return { w1: glorot(rng.fork('w1'), MLP_INPUTS, hidden), b1: filled([hidden], 0), ...out };
  return {
    wx: glorot(rng.fork('wx'), LSTM_INPUTS, 4 * hidden),
    wh: glorot(rng.fork('wh'), hidden, 4 * hidden),
    b: filled([4 * hidden], 0),
    h0: filled([hidden], 0),
    c0: filled([hidden], 0),
    ...out,
  };
}

/**
 * Weights [T, S] of the first S positions, from ratings, predictions and losses [T, S] and the support
 * mask [T, S] (1 = a support position). Support positions come first in every task (time order).
 */
export function lossWeights(
  kind: Exclude<Weighting, 'none'>,
  phi: WeightingParams,
  ratings: tf.Tensor2D,
  predictions: tf.Tensor2D,
  losses: tf.Tensor2D,
  mask: tf.Tensor2D,
): tf.Tensor2D {
  const [tasks, steps] = ratings.shape;
  if (kind === 'mlp') {
    const n = tf.maximum(tf.sum(mask, 1, true), 1);
    const mean = tf.div(tf.sum(tf.mul(ratings, mask), 1, true), n);
    const std = tf.sqrt(
      tf.add(tf.div(tf.sum(tf.mul(tf.square(tf.sub(ratings, mean)), mask), 1, true), n), 1e-6),
    );
    const ones = tf.onesLike(ratings);
    const features = tf.stack(
      [tf.mul(ones, tf.div(mean, 5)), tf.mul(ones, std), tf.div(ratings, 5), tf.div(predictions, 5), losses],
      2,
    );
    const h = tf.relu(
      tf.add(
        tf.matMul(tf.reshape(features, [-1, MLP_INPUTS]) as tf.Tensor2D, phi.w1 as tf.Tensor2D),
        phi.b1!,
      ),
    );
    return tf.reshape(tf.abs(tf.add(tf.matMul(h, phi.v as tf.Tensor2D), phi.c!)), [
      tasks,
      steps,
    ]) as tf.Tensor2D;
  }
  const hidden = phi.h0!.shape[0]!;
  const onehot = tf.cast(
    tf.oneHot(tf.cast(tf.sub(tf.round(ratings), 1), 'int32') as tf.Tensor2D, 5),
    'float32',
  );
  const x = tf.concat([onehot, tf.expandDims(tf.div(predictions, 5), 2), tf.expandDims(losses, 2)], 2);
  const inputs = tf.matMul(tf.reshape(x, [-1, LSTM_INPUTS]) as tf.Tensor2D, phi.wx as tf.Tensor2D);
  const perStep = tf.unstack(tf.reshape(tf.add(inputs, phi.b!), [tasks, steps, 4 * hidden]), 1);
  let h: tf.Tensor = tf.tile(tf.reshape(phi.h0!, [1, hidden]), [tasks, 1]);
  let c: tf.Tensor = tf.tile(tf.reshape(phi.c0!, [1, hidden]), [tasks, 1]);
  const outputs: tf.Tensor[] = [];
  for (const z0 of perStep) {
    const z = tf.add(z0, tf.matMul(h as tf.Tensor2D, phi.wh as tf.Tensor2D));
    const [i, f, g, o] = tf.split(z, 4, 1) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
    c = tf.add(tf.mul(sigmoid(f), c), tf.mul(sigmoid(i), tanh(g)));
    h = tf.mul(sigmoid(o), tanh(c));
    outputs.push(tf.abs(tf.add(tf.matMul(h as tf.Tensor2D, phi.v as tf.Tensor2D), phi.c!)));
  }
  return tf.concat(outputs, 1) as tf.Tensor2D;
}
