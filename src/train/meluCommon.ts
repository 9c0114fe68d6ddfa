/** Pieces every MeLU meta-gradient formulation shares (meluMeta.ts, meluRagged.ts). */
import * as tf from '@tensorflow/tfjs';
import { MELU_LOCAL_KEYS, type MeluDims, type MeluParams } from '../models/melu';
import { embedSides } from '../models/embedding';
import { gatherRows, mm } from '../models/ops';
import { fromList, keysOf } from '../models/params';
import type { BatchTensors } from './batch';
import { learnedRates, type MetaGradient, type StepSizes } from './meta';

/** Item vectors [U, Di] (the batch's unique items) and user vectors [T, Du]. */
export type Embedded = { itemVecs: tf.Tensor2D; userVecs: tf.Tensor2D };

export function embed(p: MeluParams, dims: MeluDims, b: BatchTensors): Embedded {
  return embedSides(p, dims, b.items, b.users);
}

/** Runs `f(params)` under tf.valueAndGrads and returns the loss and the gradient record. */
export function gradOfParams(params: MeluParams, f: (p: MeluParams) => tf.Scalar): MetaGradient<MeluParams> {
  const keys = keysOf(params);
  const { value, grads } = tf.valueAndGrads((...list: tf.Tensor[]) => f(fromList<MeluParams>(keys, list)))(
    keys.map((k) => params[k]!),
  );
  return { loss: value as tf.Scalar, grads: fromList<MeluParams>(keys, grads) };
}

/**
 * The support rows' forward pass at the shared weights and the hand-written backprop deltas of
 * L_S = sum_t mean_r (y^_r - v_r)^2 (every op second-order safe), on flat support rows [Rs, .]:
 *   z1 = x W1i + u_t W1u + b1, h1 = relu(z1), z2 = h1 W2 + b2, h2 = relu(z2), y = h2 w3 + b3,
 *   d3 = 2 w_r (y - v) [Rs, 1], d2 = (d3 w3^T) . step(z2), d1 = (d2 W2^T) . step(z1)  [Rs, H]
 * (d3 w3^T as a broadcast product: a [Rs, 1] x [1, H] matmul is all overhead).
 */
export function supportDeltas(p: MeluParams, e: Embedded, b: BatchTensors) {
  const s = b.support;
  const xs = gatherRows(e.itemVecs, s.item); // [Rs, Di]
  const userPart = mm(e.userVecs, p.w1User); // [T, H]
  const z1 = tf.add(tf.add(mm(xs, p.w1Item), gatherRows(userPart, s.task)), p.b1) as tf.Tensor2D;
  const h1 = tf.relu(z1) as tf.Tensor2D;
  const z2 = tf.add(mm(h1, p.w2), p.b2) as tf.Tensor2D;
  const h2 = tf.relu(z2) as tf.Tensor2D;
  const y = tf.reshape(tf.add(mm(h2, p.w3), p.b3), [-1]);
  const d3 = tf.reshape(tf.mul(tf.mul(2, s.weight), tf.sub(y, s.value)), [-1, 1]) as tf.Tensor2D;
  const d2 = tf.mul(tf.mul(d3, tf.reshape(p.w3, [1, -1])), tf.step(z2)) as tf.Tensor2D;
  const d1 = tf.mul(mm(d2, tf.transpose(p.w2)), tf.step(z1)) as tf.Tensor2D;
  return { xs, h1, h2, d1, d2, d3 };
}

/** The local step of every adapted key: lr, or lr * exp(rho_k) with learned rates (meta.ts). */
export function meluRates(p: MeluParams, lr: number): StepSizes {
  return learnedRates(MELU_LOCAL_KEYS, p.localLogRate, lr);
}
