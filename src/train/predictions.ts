/**
 * What a ModelEngine (engine.ts) takes and gives around a step: predictions and how to free them, a
 * meta-batch as support-size groups, and the two helpers that combine the groups' results.
 */
import * as tf from '@tensorflow/tfjs';
import { gatherRows } from '../models/ops';
import type { ParamRecord } from '../models/params';
import type { BatchTensors } from './batch';

export interface Predictions {
  /** [T, Lq] query predictions before / after local adaptation */
  readonly before: tf.Tensor2D;
  readonly after: tf.Tensor2D;
  /** MAMO: a [T, K] */
  readonly attention: tf.Tensor2D | null;
  /** MAMO: each task's user profile vector p_u [T, width] (what the attention compares with M_P) */
  readonly profiles?: tf.Tensor2D;
}

/** Disposes every tensor of a prediction (callers own them; a field added here is freed everywhere). */
export function disposePredictions(p: Predictions): void {
  p.before.dispose();
  p.after.dispose();
  p.attention?.dispose();
  p.profiles?.dispose();
}

/**
 * Predictions of one batch at several local rates (ModelEngine.predictAtRates): what does not depend on
 * the rate once (before adaptation, MAMO's attention and profiles), after[k] [T, Lq] at rates[k].
 */
export interface RatePredictions {
  readonly before: tf.Tensor2D;
  readonly after: readonly tf.Tensor2D[];
  readonly attention: tf.Tensor2D | null;
  readonly profiles?: tf.Tensor2D;
}

export function disposeRatePredictions(p: RatePredictions): void {
  p.before.dispose();
  for (const a of p.after) a.dispose();
  p.attention?.dispose();
  p.profiles?.dispose();
}

/**
 * One meta-batch as one or more sub-batches (batch.ts groupBySupport): the meta-gradient is the
 * task-weighted mean of the groups' (each group's loss is a mean over its tasks), and per-task results
 * are put back in the batch order (positions[g][k] = the batch index of group g's task k).
 */
export interface GroupedBatch {
  readonly tasks: number;
  readonly groups: readonly BatchTensors[];
  readonly positions: readonly Int32Array[];
}

/** A batch used as it is (one group). */
export function single(batch: BatchTensors): GroupedBatch {
  return {
    tasks: batch.tasks,
    groups: [batch],
    positions: [Int32Array.from({ length: batch.tasks }, (_, k) => k)],
  };
}

/** sum_g w_g x_g for records with the same keys. */
export function weightedSum<P extends ParamRecord>(records: readonly P[], weights: readonly number[]): P {
  if (records.length === 1) return records[0]!;
  const out: Record<string, tf.Tensor> = {};
  for (const key of Object.keys(records[0]!))
    out[key] = tf.addN(records.map((r, g) => tf.mul(weights[g]!, r[key]!)));
  return out as unknown as P;
}

/** Rows [T_g, ...] of each group, concatenated and put back in batch order -> [T, ...]. */
export function inBatchOrder(parts: readonly tf.Tensor[], batch: GroupedBatch): tf.Tensor {
  if (parts.length === 1) return parts[0]!;
  const shape = parts[0]!.shape.slice(1);
  const rows = tf.concat(
    parts.map((x) => tf.reshape(x, [x.shape[0]!, -1])),
    0,
  ) as tf.Tensor2D;
  const inverse = new Int32Array(batch.tasks);
  let j = 0;
  for (const positions of batch.positions) for (const p of positions) inverse[p] = j++;
  return tf.reshape(gatherRows(rows, tf.tensor1d(inverse, 'int32')), [batch.tasks, ...shape]);
}
