/** The supervised (non-meta) MSE of MeLU's shared weights: pre-training, the non-meta baseline, supervisedWeight. */
import * as tf from '@tensorflow/tfjs';
import { meluForward, meluLocal, sharedRows, type MeluDims, type MeluParams } from '../models/melu';
import { gatherRows } from '../models/ops';
import type { BatchTensors } from './batch';
import { embed, gradOfParams } from './meluCommon';
import type { MetaGradient } from './meta';

/**
 * Supervised (non-meta) loss for the pretrain-then-fine-tune baseline: the mean squared error over
 * every support and query rating of the batch at the shared weights, with its gradient.
 */
export function meluSupervisedGrad(
  params: MeluParams,
  dims: MeluDims,
  b: BatchTensors,
): MetaGradient<MeluParams> {
  // the learned local rates play no part in this loss: their gradient is 0 (tf.grads would refuse them)
  const { localLogRate, ...shared } = params;
  const out = gradOfParams(shared, (p) => {
    const e = embed(p, dims, b);
    const w = meluLocal(p);
    const losses = [b.support, b.query].map((block) =>
      tf.sum(
        tf.square(
          tf.sub(
            meluForward(sharedRows(block.task), w, gatherRows(e.itemVecs, block.item), e.userVecs),
            block.value,
          ),
        ),
      ),
    );
    return tf.div(tf.add(losses[0]!, losses[1]!), Math.max(1, b.support.rows + b.query.rows));
  });
  return localLogRate ? { ...out, grads: { ...out.grads, localLogRate: tf.zerosLike(localLogRate) } } : out;
}
