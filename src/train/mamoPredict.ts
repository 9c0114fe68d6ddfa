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
 * layer once; after[k] at rates[k], by the ops mamoPredict runs for that rate alone.
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
  const { a, local } = initLocal(params, e, memory, dims, cfg);
  const form = formOf(strategy);
  const lrs = rates.map((r) => mamoRates(params, r ?? cfg.lr));
  const q = b.query;
  const xq = itemRowsOf(form, e.itemVecs, q, b.tasks);
  const layout = layoutOf(form, q, b.tasks);
  // ragged: flat query rows [Rq] (no padded 3-D products), padded to [T, Lq] for the reader
  const padded = (y: tf.Tensor): tf.Tensor2D =>
    form === 'tile'
      ? (y as tf.Tensor2D)
      : (tf.reshape(toPadded(tf.reshape(y, [-1, 1]) as tf.Tensor2D, q, b.tasks), [
          b.tasks,
          q.maxLen,
        ]) as tf.Tensor2D);
  const before = padded(mamoForward(layout, local, e.userVecs, xq));
  // ragged: the local steps' backward by hand (no tape: evaluation needs no meta-gradient)
  const after =
    form === 'ragged'
      ? predictByHand(
          adaptByHand(local, params.wi1, e.itemVecs, e.userVecs, b, cfg.steps, lrs),
          e.itemVecs,
          e.userVecs,
          b,
        )
      : lrs.map((lr) => mamoForward(layout, adaptTasks(local, e, b, cfg, form, lr), e.userVecs, xq));
  return { before, after: after.map(padded), attention: a, profiles: e.userVecs };
}
