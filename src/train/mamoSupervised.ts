/** MAMO's supervised (non-meta) term: the plain MSE at the personalised initial weights (engine.ts). */
import * as tf from '@tensorflow/tfjs';
import { mamoForward, type MamoDims, type MamoParams } from '../models/mamo';
import { embedSides } from '../models/embedding';
import type { MemoryState } from '../models/memory';
import { fromList, keysOf } from '../models/params';
import type { BatchTensors } from './batch';
import { initLocal, layoutOf, type MamoConfig, type MamoStrategy } from './mamoMeta';
import type { MetaGradient } from './meta';
import { itemRowsOf } from './perTask';
import { formOf } from './strategy';

/**
 * The supervised term of the meta-loss (config supervisedWeight, as MeLU's meluSupervisedGrad): the
 * plain MSE of the personalised initial weights (no local step; memories read, not written) over every
 * rating of the batch, support and query, sum_r (y^_r - y_r)^2 / R, and its gradient w.r.t. every
 * global parameter (through the memory read's attention too: it is a plain function of phi).
 */
export function mamoSupervisedGrad(
  params: MamoParams,
  memory: MemoryState,
  dims: MamoDims,
  b: BatchTensors,
  cfg: MamoConfig,
  strategy: MamoStrategy = 'tile',
): MetaGradient<MamoParams> {
  const form = formOf(strategy);
  // the learned local rates play no part in this loss: their gradient is 0 (tf.grads would refuse them)
  const keys = keysOf(params).filter((k) => k !== 'localLogRate');
  const { value, grads } = tf.valueAndGrads((...list: tf.Tensor[]) => {
    const p = fromList<MamoParams>(keys, list);
    const e = embedSides(p, dims, b.items, b.users);
    const { local } = initLocal(p, e, memory, dims, cfg);
    // the squared error of every rating (not the per-task means of the meta-loss): padding masked out
    const sse = [b.support, b.query].map((block) => {
      const rows = itemRowsOf(form, e.itemVecs, block, b.tasks);
      const pred = mamoForward(layoutOf(form, block, b.tasks), local, e.userVecs, rows);
      if (form === 'ragged') return tf.sum(tf.square(tf.sub(pred, block.value)));
      const mask = tf.cast(tf.greater(block.padWeight, 0), 'float32');
      return tf.sum(tf.mul(mask, tf.square(tf.sub(pred, block.padValue))));
    });
    return tf.div(tf.add(sse[0]!, sse[1]!), Math.max(1, b.support.rows + b.query.rows)) as tf.Scalar;
  })(keys.map((k) => params[k]!));
  const out = fromList<MamoParams>(keys, grads);
  if (params.localLogRate) out.localLogRate = tf.zerosLike(params.localLogRate);
  return { loss: value as tf.Scalar, grads: out };
}
