/**
 * MAMO's predictions for evaluation: before local adaptation (the personalised init) and after it, at
 * one local rate or several at once (what the local-rate choice on validation users tries), with the
 * attention and user profiles. Memories are read, never written.
 */
import * as tf from '@tensorflow/tfjs';
import { mamoForward, type MamoDims, type MamoParams } from '../models/mamo';
import { embedSides } from '../models/embedding';
import type { MemoryState } from '../models/memory';
import { toPadded, type BatchTensors } from './batch';
import { adaptByHand, predictByHand } from './mamoByHand';
import { adaptTasks, initLocal, layoutOf, type MamoConfig, type MamoStrategy } from './mamoMeta';
import { mamoRates } from './mamoRates';
import { itemRowsOf } from './perTask';
import { formOf } from './strategy';

/**
 * Query predictions [T, Lq] at the personalised init (MAMO without local adaptation) and after local
 * adaptation, plus the attention a [T, K] and the user profile p_u [T, width] of every task. Memories
 * are read, never written. The local steps and the query predictions run in the strategy's form (the
 * loop's as the tile's, tested); the predictions come back padded, the layout evaluation reads. One
 * rate of mamoPredictAtRates.
 */
export function mamoPredict(
  params: MamoParams,
  memory: MemoryState,
  dims: MamoDims,
  b: BatchTensors,
  cfg: MamoConfig,
  strategy: MamoStrategy = 'tile',
): { before: tf.Tensor2D; after: tf.Tensor2D; attention: tf.Tensor2D; profiles: tf.Tensor2D } {
  const { after, ...rest } = mamoPredictAtRates(params, memory, dims, b, cfg, [cfg.lr], strategy);
  return { ...rest, after: after[0]! };
}

/**
 * mamoPredict at several local rates (undefined: cfg.lr): the embeddings, the memory read, the
 * prediction before adaptation and, on the ragged plan, the rows and Gram blocks of the held first item
 * layer once (wi1 is never tiled there: before adaptation its coefficients are zero, x Wi1 one 2-D
 * product); after[k] at rates[k], by the ops mamoPredict runs for that rate alone.
 */
export function mamoPredictAtRates(
  params: MamoParams,
  memory: MemoryState,
  dims: MamoDims,
  b: BatchTensors,
  cfg: MamoConfig,
  rates: readonly (number | undefined)[],
  strategy: MamoStrategy = 'tile',
): { before: tf.Tensor2D; after: tf.Tensor2D[]; attention: tf.Tensor2D; profiles: tf.Tensor2D } {
  const e = embedSides(params, dims, b.items, b.users);
  const form = formOf(strategy);
  const lrs = rates.map((r) => mamoRates(params, r ?? cfg.lr));
  const q = b.query;
  if (form === 'ragged') {
    // by hand, no tape (evaluation needs no meta-gradient), wi1 held and never tiled; before adaptation
    // is the start weights' prediction; flat query rows [Rq] padded to [T, Lq] for the reader
    const { a, local } = initLocal(params, e, memory, dims, cfg, ['wi1']);
    const padded = (y: tf.Tensor) =>
      tf.reshape(toPadded(tf.reshape(y, [-1, 1]) as tf.Tensor2D, q, b.tasks), [
        b.tasks,
        q.maxLen,
      ]) as tf.Tensor2D;
    const adapted = adaptByHand(local, params.wi1, e.itemVecs, e.userVecs, b, cfg.steps, [null, ...lrs]);
    const [before, ...after] = predictByHand(adapted, e.itemVecs, e.userVecs, b).map(padded);
    return { before: before!, after, attention: a, profiles: e.userVecs };
  }
  const { a, local } = initLocal(params, e, memory, dims, cfg);
  const xq = itemRowsOf(form, e.itemVecs, q, b.tasks);
  const layout = layoutOf(form, q, b.tasks);
  const before = mamoForward(layout, local, e.userVecs, xq) as tf.Tensor2D;
  const after = lrs.map(
    (lr) => mamoForward(layout, adaptTasks(local, e, b, cfg, form, lr), e.userVecs, xq) as tf.Tensor2D,
  );
  return { before, after, attention: a, profiles: e.userVecs };
}
