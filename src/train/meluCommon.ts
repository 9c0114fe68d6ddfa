/** Pieces every MeLU meta-gradient formulation shares (meluMeta.ts, meluRagged.ts). */
import * as tf from '@tensorflow/tfjs';
import { meluDepth, meluLayers, meluLocalKeys, weight, type MeluDims, type MeluParams } from '../models/melu';
import { embedSides } from '../models/embedding';
import { TAPED, type RowOps } from '../models/ops';
import { fromList, keysOf } from '../models/params';
import type { BatchTensors } from './batch';
import { learnedRates, type MetaGradient, type StepSizes } from './meta';
import { reluBackward } from '../kernels/elementwiseWebgpu';

/** Item vectors [U, Di] (the batch's unique items) and user vectors [T, Du]. */
export type Embedded = { itemVecs: tf.Tensor2D; userVecs: tf.Tensor2D };

export function embed(p: MeluParams, dims: MeluDims, b: BatchTensors, valuesOnly = false): Embedded {
  return embedSides(p, dims, b.items, b.users, valuesOnly);
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
 * L_S = sum_t mean_r (y^_r - v_r)^2 (every op second-order safe), on flat support rows [Rs, .], over
 * the record's layers (models/melu.ts meluLayers; L hidden layers, output layer L + 1):
 *   z1 = x W1i + u_t W1u + b1, h_k = relu(z_k), z_k = h_{k-1} W_k + b_k (k = 2..L), y = h_L w + b,
 *   d_{L+1} = 2 w_r (y - v) [Rs, 1], d_L = (d_{L+1} w^T) . step(z_L), d_k = (d_{k+1} W_{k+1}^T) . step(z_k)
 * (d_{L+1} w^T as a broadcast product: a [Rs, 1] x [1, H] matmul is all overhead).
 * Returns xs [Rs, Di], hs = [h1 .. hL] and ds = [d1 .. d_{L+1}] (hs[k] feeds layer k + 2, whose
 * delta is ds[k + 1]). `ops`: TAPED (differentiable: second order) or VALUES (a hand-written backward).
 */
export function supportDeltas(p: MeluParams, e: Embedded, b: BatchTensors, ops: RowOps = TAPED) {
  const { mm, gather, relu } = ops;
  const s = b.support;
  const layers = meluLayers(p);
  const xs = gather(e.itemVecs, s.item); // [Rs, Di]
  const userPart = mm(e.userVecs, p.w1User); // [T, H]
  const zs: tf.Tensor2D[] = [tf.add(tf.add(mm(xs, p.w1Item), gather(userPart, s.task)), p.b1) as tf.Tensor2D];
  const hs: tf.Tensor2D[] = [relu(zs[0]!) as tf.Tensor2D];
  for (const layer of layers.slice(0, -1)) {
    zs.push(tf.add(mm(hs.at(-1)!, weight(p, layer.w) as tf.Tensor2D), weight(p, layer.b)) as tf.Tensor2D);
    hs.push(relu(zs.at(-1)!) as tf.Tensor2D);
  }
  const out = layers.at(-1)!;
  const y = tf.reshape(tf.add(mm(hs.at(-1)!, weight(p, out.w) as tf.Tensor2D), weight(p, out.b)), [-1]);
  const ds: tf.Tensor2D[] = new Array<tf.Tensor2D>(hs.length + 1);
  ds[hs.length] = tf.reshape(tf.mul(tf.mul(2, s.weight), tf.sub(y, s.value)), [-1, 1]) as tf.Tensor2D;
  for (let k = hs.length - 1; k >= 0; k--) {
    const next = weight(p, layers[k]!.w) as tf.Tensor2D; // the layer h_{k+1} feeds
    const back =
      k === hs.length - 1
        ? tf.mul(ds[k + 1]!, tf.reshape(next, [1, -1]))
        : mm(ds[k + 1]!, tf.transpose(next));
    ds[k] = reluBackward(back, zs[k]!, 0) as tf.Tensor2D;
  }
  return { xs, hs, ds };
}

/** The local step of every adapted key: lr, or lr * exp(rho_k) with learned rates (meta.ts). */
export function meluRates(p: MeluParams, lr: number): StepSizes {
  return learnedRates(meluLocalKeys(meluDepth(p)), p.localLogRate, lr);
}
