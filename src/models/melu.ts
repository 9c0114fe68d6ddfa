/**
 * MeLU (Lee et al., KDD 2019) as pure functions over a named parameter record.
 *
 *   x = [v_item ; v_user]                       field embeddings (embedding.ts), widths Di and Du
 *   h1 = relu(x W1 + b1) = relu(v_item W1i + v_user W1u + b1)     W1 split by input part, [D, H]
 *   h2 = relu(h1 W2 + b2)                                          [H, H]
 *   y^ = h2 w3 + b3                                                [H, 1]; rating regression, MSE
 *
 * Locally adapted (MeLU's "decision layers"): W1i, W1u, b1, W2, b2, w3, b3. The embedding tables are
 * global: meta-updated only. Splitting W1 by input part is the same model; it lets the user part be
 * computed once per task instead of once per rating row.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../lib/rng';
import { initSideTables, sideWidth, type InitScheme, type SideLayout } from './embedding';
import { gatherRows, mm } from './ops';
import { raggedAffine, type RaggedRows } from './segment';
import { glorot, uniform } from './params';

export interface MeluDims {
  readonly e: number;
  readonly hidden: number;
  readonly user: SideLayout;
  readonly item: SideLayout;
}

export type MeluParams = {
  userTable: tf.Tensor2D;
  itemTable: tf.Tensor2D;
  w1Item: tf.Tensor2D;
  w1User: tf.Tensor2D;
  b1: tf.Tensor1D;
  w2: tf.Tensor2D;
  b2: tf.Tensor1D;
  w3: tf.Tensor2D;
  b3: tf.Tensor1D;
  /**
   * Optional meta-learned local rates (config localRateLr > 0): rho [7], one per MELU_LOCAL_KEYS entry
   * in order, the local step of key k being innerLr * exp(rho_k) (train/meta.ts learnedRates).
   */
  localLogRate?: tf.Tensor1D;
};

/** The locally adapted parameters (MeLU adapts the MLP only). */
export const MELU_LOCAL_KEYS = ['w1Item', 'w1User', 'b1', 'w2', 'b2', 'w3', 'b3'] as const;
export type MeluLocalKey = (typeof MELU_LOCAL_KEYS)[number];
export type MeluLocal = Pick<MeluParams, MeluLocalKey>;

/**
 * Initial parameters. glorot (the default): Glorot-uniform weights, zero hidden biases, b3 = mean
 * training rating (so the first predictions are the global mean, not 0: MSE starts near the rating
 * variance). pytorch (MeLU's code): every weight and bias U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in
 * of W1 being the whole input [item; user], and the tables as initSideTables says. `learnRates`: also
 * the local log-rates rho = 0 (every local step starts at the configured rate).
 */
export function initMelu(
  dims: MeluDims,
  rng: Rng,
  meanRating: number,
  options: { readonly learnRates?: boolean; readonly scheme?: InitScheme } = {},
): MeluParams {
  const di = sideWidth(dims.item, dims.e);
  const du = sideWidth(dims.user, dims.e);
  const h = dims.hidden;
  const scheme = options.scheme ?? 'glorot';
  const rates = options.learnRates ? { localLogRate: tf.zeros([MELU_LOCAL_KEYS.length]) as tf.Tensor1D } : {};
  if (scheme === 'pytorch') {
    const limit = (fanIn: number) => 1 / Math.sqrt(fanIn);
    return {
      ...initSideTables(dims, rng, scheme),
      w1Item: uniform(rng.fork('w1Item'), [di, h], limit(di + du)) as tf.Tensor2D,
      w1User: uniform(rng.fork('w1User'), [du, h], limit(di + du)) as tf.Tensor2D,
      b1: uniform(rng.fork('b1'), [h], limit(di + du)) as tf.Tensor1D,
      w2: uniform(rng.fork('w2'), [h, h], limit(h)) as tf.Tensor2D,
      b2: uniform(rng.fork('b2'), [h], limit(h)) as tf.Tensor1D,
      w3: uniform(rng.fork('w3'), [h, 1], limit(h)) as tf.Tensor2D,
      b3: uniform(rng.fork('b3'), [1], limit(h)) as tf.Tensor1D,
      ...rates,
    };
  }
  return {
    ...initSideTables(dims, rng),
    w1Item: glorot(rng.fork('w1Item'), di, h, di + du, h),
    w1User: glorot(rng.fork('w1User'), du, h, di + du, h),
    b1: tf.zeros([h]),
    w2: glorot(rng.fork('w2'), h, h),
    b2: tf.zeros([h]),
    w3: glorot(rng.fork('w3'), h, 1),
    b3: tf.fill([1], meanRating) as tf.Tensor1D,
    ...rates,
  };
}

/**
 * Prediction with SHARED (2-D) MLP weights for flat rows: row r belongs to task rowTask[r].
 * xItem [R, Di], userVecs [T, Du], rowTask int32 [R] -> y^ [R]
 */
export function meluPredictRows(
  w: MeluLocal,
  xItem: tf.Tensor2D,
  userVecs: tf.Tensor2D,
  rowTask: tf.Tensor1D,
): tf.Tensor1D {
  const userPart = gatherRows(mm(userVecs, w.w1User), rowTask); // [R, H]
  const h1 = tf.relu(tf.add(tf.add(mm(xItem, w.w1Item), userPart), w.b1)) as tf.Tensor2D;
  const h2 = tf.relu(tf.add(mm(h1, w.w2), w.b2)) as tf.Tensor2D;
  return tf.reshape(tf.add(mm(h2, w.w3), w.b3), [-1]);
}

/** Per-task (3-D) MLP weights: every key of MeluLocal with a leading task axis T. */
export type MeluTaskLocal = { [K in MeluLocalKey]: tf.Tensor };

/**
 * Prediction with PER-TASK weights for padded rows: xItem [T, L, Di], userVecs [T, Du] -> y^ [T, L].
 * Weights: w1Item [T, Di, H], w1User [T, Du, H], b1 [T, H], w2 [T, H, H], b2 [T, H], w3 [T, H, 1], b3 [T, 1].
 */
export function meluPredictTasks(w: MeluTaskLocal, xItem: tf.Tensor3D, userVecs: tf.Tensor2D): tf.Tensor2D {
  const t = xItem.shape[0];
  const userPart = tf.matMul(tf.reshape(userVecs, [t, 1, -1]) as tf.Tensor3D, w.w1User as tf.Tensor3D); // [T,1,H]
  const bias1 = tf.add(userPart, tf.reshape(w.b1, [t, 1, -1]));
  const h1 = tf.relu(tf.add(tf.matMul(xItem, w.w1Item as tf.Tensor3D), bias1)) as tf.Tensor3D;
  const h2 = tf.relu(tf.add(tf.matMul(h1, w.w2 as tf.Tensor3D), tf.reshape(w.b2, [t, 1, -1]))) as tf.Tensor3D;
  const y = tf.add(tf.matMul(h2, w.w3 as tf.Tensor3D), tf.reshape(w.b3, [t, 1, 1]));
  return tf.reshape(y, [t, -1]);
}

/**
 * The same predictions as meluPredictTasks on RAGGED rows (flat, task-contiguous, nothing padded; needs
 * the segmented kernel, kernels/segmentMatMul.ts): xItem [R, Di], userVecs [T, Du] -> y^ [R], with
 * the per-task weights of meluPredictTasks. Each per-task product is a segmentApply (models/segment.ts),
 * whose gradients are segmented products again: any number of local steps, either order.
 */
export function meluPredictRagged(
  w: MeluTaskLocal,
  xItem: tf.Tensor2D,
  userVecs: tf.Tensor2D,
  rows: RaggedRows,
): tf.Tensor1D {
  const t = userVecs.shape[0];
  const userPart = tf.matMul(tf.reshape(userVecs, [t, 1, -1]) as tf.Tensor3D, w.w1User as tf.Tensor3D); // [T,1,H]
  const bias1 = tf.add(tf.reshape(userPart, [t, -1]), tf.reshape(w.b1, [t, -1])); // [T, H]
  const h1 = tf.relu(raggedAffine(xItem, w.w1Item, bias1, rows));
  const h2 = tf.relu(raggedAffine(h1, w.w2, tf.reshape(w.b2, [t, -1]), rows));
  return tf.reshape(raggedAffine(h2, w.w3, tf.reshape(w.b3, [t, -1]), rows), [-1]);
}
