/** Pieces every MeLU meta-gradient formulation shares (meluMeta.ts, meluRagged.ts). */
import * as tf from '@tensorflow/tfjs';
import type { MeluDims, MeluParams } from '../models/melu';
import { embedSides } from '../models/embedding';
import { fromList, keysOf } from '../models/params';
import type { BatchTensors } from './batch';
import type { MetaGradient } from './meta';

/** Item vectors [U, Di] (the batch's unique items) and user vectors [T, Du]. */
export type Embedded = { itemVecs: tf.Tensor2D; userVecs: tf.Tensor2D };

export function embed(p: MeluParams, dims: MeluDims, b: BatchTensors): Embedded {
  return embedSides(p, dims, b.items, b.users);
}

/** Runs `f(params)` under tf.valueAndGrads and returns the loss and the gradient record. */
export function gradOfParams(params: MeluParams, f: (p: MeluParams) => tf.Scalar): MetaGradient<MeluParams> {
  const keys = keysOf(params);
  const { value, grads } = tf.valueAndGrads((...list: tf.Tensor[]) => f(fromList<MeluParams>(keys, list)))(
    keys.map((k) => params[k]),
  );
  return { loss: value as tf.Scalar, grads: fromList<MeluParams>(keys, grads) };
}
