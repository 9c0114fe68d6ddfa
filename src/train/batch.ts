/**
 * Meta-batches as plain typed arrays (no tfjs), and their upload as tensors.
 *
 * A batch of T tasks holds:
 * - the users' field codes [T, Fu] and the batch's UNIQUE items' field codes [U, Fi] (+ multi-hot), so
 *   item embeddings are computed once per distinct item, then gathered per rating row;
 * - support and query rows in two layouts: FLAT (all rows of all tasks, with the task of each row), for
 *   shared-weight 2-D products, and PADDED [T, L] (L = the longest task), for per-task products; padding
 *   rows point at an extra zero row and weigh 0, so padding changes nothing.
 * - row weights 1/n_t, so sum_r w_r (y^_r - y_r)^2 is the sum over tasks of each task's mean squared error.
 */
import * as tf from '@tensorflow/tfjs';
import type { SideInputs } from '../models/embedding';
import { gatherRows } from '../models/ops';
import type { TaskSet } from '../data/scenarios/types';
import type { Rng } from '../lib/rng';
import type { FeatureLayout } from './layout';

export interface RowBlock {
  readonly rows: number;
  /** Longest task in the block (padded length L). */
  readonly maxLen: number;
  /** [R] task of each row (0..T-1) */
  readonly task: Int32Array;
  /** [R] slot of the row's item among the batch's unique items */
  readonly item: Int32Array;
  readonly value: Float32Array;
  /** [R] 1 / n_t */
  readonly weight: Float32Array;
  /** [T] rows per task */
  readonly count: Int32Array;
  /** [T * L] flat row of each padded slot, or `rows` for padding */
  readonly padIndex: Int32Array;
}

export interface TaskBatch {
  readonly tasks: number;
  /** [T] UserIndex of each task */
  readonly users: Int32Array;
  /** [T * Fu] */
  readonly userIndex: Int32Array;
  /** Number of unique items U. */
  readonly itemCount: number;
  /** [U] ItemIndex of each slot */
  readonly items: Int32Array;
  readonly itemIndex: Int32Array;
  readonly itemMulti: Int32Array;
  readonly itemMultiWeights: Float32Array;
  readonly support: RowBlock;
  readonly query: RowBlock;
}

function rowBlock(
  set: TaskSet,
  taskIds: ArrayLike<number>,
  side: 'support' | 'query',
  slotOf: Map<number, number>,
  slotItems: number[],
): RowBlock {
  const offsets = side === 'support' ? set.supportOffsets : set.queryOffsets;
  const items = side === 'support' ? set.supportItems : set.queryItems;
  const values = side === 'support' ? set.supportValues : set.queryValues;
  const t = taskIds.length;
  const count = new Int32Array(t);
  let rows = 0;
  let maxLen = 0;
  for (let k = 0; k < t; k++) {
    const id = taskIds[k]!;
    const n = offsets[id + 1]! - offsets[id]!;
    count[k] = n;
    rows += n;
    if (n > maxLen) maxLen = n;
  }
  const task = new Int32Array(rows);
  const item = new Int32Array(rows);
  const value = new Float32Array(rows);
  const weight = new Float32Array(rows);
  const padIndex = new Int32Array(t * maxLen).fill(rows);
  let r = 0;
  for (let k = 0; k < t; k++) {
    const id = taskIds[k]!;
    const start = offsets[id]!;
    const n = count[k]!;
    for (let j = 0; j < n; j++, r++) {
      const itemIndex = items[start + j]!;
      let slot = slotOf.get(itemIndex);
      if (slot === undefined) {
        slot = slotItems.length;
        slotOf.set(itemIndex, slot);
        slotItems.push(itemIndex);
      }
      task[r] = k;
      item[r] = slot;
      value[r] = values[start + j]!;
      weight[r] = 1 / n;
      padIndex[k * maxLen + j] = r;
    }
  }
  return { rows, maxLen, task, item, value, weight, count, padIndex };
}

/**
 * Cold-start feature dropout (training only): each of the batch's items reads each multi-hot field's
 * unknown row instead of its set with probability `rate`, drawn per item and field from `rng` (the
 * same item in support and query reads the same). Why: most new items' directors and actors are
 * unknown (on the partial ML-1M 67% of the new films have no known director, against 29% of
 * the training films), so the unknown rows must mean "not known", not only "rare".
 */
export interface FeatureDropout {
  readonly rate: number;
  readonly rng: Rng;
}

/**
 * Builds the batch of tasks `taskIds` of `set` (tasks with an empty support or query are allowed).
 * `userRows` [T * Fu] replaces the users' feature rows (a profile typed in by a "new user").
 */
export function makeBatch(
  set: TaskSet,
  taskIds: ArrayLike<number>,
  layout: FeatureLayout,
  userRows?: Int32Array,
  dropout?: FeatureDropout,
): TaskBatch {
  const slotOf = new Map<number, number>();
  const slotItems: number[] = [];
  const support = rowBlock(set, taskIds, 'support', slotOf, slotItems);
  const query = rowBlock(set, taskIds, 'query', slotOf, slotItems);
  const t = taskIds.length;
  const fu = layout.user.indexFields;
  const users = new Int32Array(t);
  const userIndex = new Int32Array(t * fu);
  for (let k = 0; k < t; k++) {
    const u = set.users[taskIds[k]!]!;
    users[k] = u;
    userIndex.set(
      userRows ? userRows.subarray(k * fu, (k + 1) * fu) : layout.userIndex.subarray(u * fu, (u + 1) * fu),
      k * fu,
    );
  }
  const fi = layout.item.indexFields;
  const multiWidth = layout.item.multiFields * layout.item.width;
  const u = slotItems.length;
  const itemIndex = new Int32Array(u * fi);
  const itemMulti = new Int32Array(u * multiWidth);
  const itemMultiWeights = new Float32Array(u * multiWidth);
  for (let s = 0; s < u; s++) {
    const i = slotItems[s]!;
    itemIndex.set(layout.itemIndex.subarray(i * fi, (i + 1) * fi), s * fi);
    itemMulti.set(layout.itemMulti.subarray(i * multiWidth, (i + 1) * multiWidth), s * multiWidth);
    itemMultiWeights.set(
      layout.itemMultiWeights.subarray(i * multiWidth, (i + 1) * multiWidth),
      s * multiWidth,
    );
    if (dropout && dropout.rate > 0) {
      const w = layout.item.width;
      for (let f = 0; f < layout.item.multiFields; f++) {
        if (dropout.rng.next() >= dropout.rate) continue;
        const base = s * multiWidth + f * w;
        itemMulti.fill(layout.itemMultiUnknown[f]!, base, base + w);
        itemMultiWeights.fill(0, base, base + w);
        itemMultiWeights[base] = 1;
      }
    }
  }
  return {
    tasks: t,
    users,
    userIndex,
    itemCount: u,
    items: Int32Array.from(slotItems),
    itemIndex,
    itemMulti,
    itemMultiWeights,
    support,
    query,
  };
}

/** Tensors of one row block. */
export interface RowTensors {
  readonly rows: number;
  /** Host copies: rows per task and the first flat row of each task (for per-task loops). */
  readonly counts: Int32Array;
  readonly starts: Int32Array;
  readonly maxLen: number;
  /** [R] int32 */
  readonly task: tf.Tensor1D;
  /** [R] int32 unique-item slot */
  readonly item: tf.Tensor1D;
  /** [R] */
  readonly value: tf.Tensor1D;
  /** [R] 1/n_t */
  readonly weight: tf.Tensor1D;
  /** [T*L] int32, padding -> R */
  readonly padIndex: tf.Tensor1D;
  /** [T*L] int32 unique-item slot of each padded slot (slot 0 for padding, which weighs 0) */
  readonly padItem: tf.Tensor1D;
  /** [T, L] values and weights in padded layout (0 for padding) */
  readonly padValue: tf.Tensor2D;
  readonly padWeight: tf.Tensor2D;
  /** [T, R] one-hot of each row's task: per-task sums of row quantities are taskOneHot x rows. */
  readonly taskOneHot: tf.Tensor2D;
}

export interface BatchTensors {
  readonly tasks: number;
  readonly items: SideInputs;
  readonly users: SideInputs;
  readonly support: RowTensors;
  readonly query: RowTensors;
}

function padded(block: RowBlock, source: Float32Array, t: number): Float32Array {
  const out = new Float32Array(t * block.maxLen);
  for (let s = 0; s < out.length; s++) {
    const r = block.padIndex[s]!;
    if (r < block.rows) out[s] = source[r]!;
  }
  return out;
}

function rowTensors(block: RowBlock, t: number): RowTensors {
  const padItem = new Int32Array(t * block.maxLen);
  for (let s = 0; s < padItem.length; s++) {
    const r = block.padIndex[s]!;
    if (r < block.rows) padItem[s] = block.item[r]!;
  }
  const oneHot = new Float32Array(t * block.rows);
  for (let r = 0; r < block.rows; r++) oneHot[block.task[r]! * block.rows + r] = 1;
  const starts = new Int32Array(t);
  for (let k = 1; k < t; k++) starts[k] = starts[k - 1]! + block.count[k - 1]!;
  return {
    rows: block.rows,
    counts: block.count,
    starts,
    maxLen: block.maxLen,
    task: tf.tensor1d(block.task, 'int32'),
    item: tf.tensor1d(block.item, 'int32'),
    value: tf.tensor1d(block.value),
    weight: tf.tensor1d(block.weight),
    padIndex: tf.tensor1d(block.padIndex, 'int32'),
    padItem: tf.tensor1d(padItem, 'int32'),
    padValue: tf.tensor2d(padded(block, block.value, t), [t, block.maxLen]),
    padWeight: tf.tensor2d(padded(block, block.weight, t), [t, block.maxLen]),
    taskOneHot: tf.tensor2d(oneHot, [t, block.rows]),
  };
}

/** Uploads a batch. The caller disposes the result with disposeBatchTensors. */
export function batchTensors(batch: TaskBatch, layout: FeatureLayout): BatchTensors {
  const t = batch.tasks;
  const u = batch.itemCount;
  const multi = layout.item.multiFields * layout.item.width;
  return {
    tasks: t,
    users: {
      index: tf.tensor2d(batch.userIndex, [t, layout.user.indexFields], 'int32'),
      multi: null,
      multiWeights: null,
    },
    items: {
      index: tf.tensor2d(batch.itemIndex, [u, layout.item.indexFields], 'int32'),
      multi: multi > 0 ? tf.tensor2d(batch.itemMulti, [u, multi], 'int32') : null,
      multiWeights: multi > 0 ? tf.tensor2d(batch.itemMultiWeights, [u, multi]) : null,
    },
    support: rowTensors(batch.support, t),
    query: rowTensors(batch.query, t),
  };
}

/** Disposes every tensor of a BatchTensors. */
export function disposeBatchTensors(b: BatchTensors): void {
  const all: (tf.Tensor | null)[] = [b.users.index, b.items.index, b.items.multi, b.items.multiWeights];
  for (const block of [b.support, b.query]) {
    all.push(
      block.task,
      block.item,
      block.value,
      block.weight,
      block.padIndex,
      block.padItem,
      block.padValue,
    );
    all.push(block.padWeight);
    all.push(block.taskOneHot);
  }
  for (const t of all) t?.dispose();
}

/**
 * Rows [R, k] -> padded [T, L, k] by gathering with padIndex (padding reads an appended zero row).
 * Differentiable (gatherRows), so it can sit inside a meta-gradient.
 */
export function toPadded(rows: tf.Tensor2D, block: RowTensors, tasks: number): tf.Tensor3D {
  const k = rows.shape[1];
  const withZero = tf.concat([rows, tf.zeros([1, k])], 0) as tf.Tensor2D;
  return tf.reshape(gatherRows(withZero, block.padIndex), [tasks, block.maxLen, k]);
}

/**
 * A meta-batch split into `groups` sub-batches of similar support length (tasks sorted by support
 * size, cut into equal counts). Every per-task product is padded to its group's longest task instead
 * of the whole batch's, which saves work when sizes vary (MeLU's 3..90); the tasks and the maths are
 * unchanged. positions[g][k] = index in `taskIds` of task k of group g (to restore the batch order).
 */
export function groupBySupport(
  set: TaskSet,
  taskIds: ArrayLike<number>,
  groups: number,
): { ids: Int32Array; positions: Int32Array }[] {
  const order = Array.from({ length: taskIds.length }, (_, k) => k);
  const size = (k: number) => set.supportOffsets[taskIds[k]! + 1]! - set.supportOffsets[taskIds[k]!]!;
  order.sort((a, b) => size(a) - size(b) || a - b);
  const g = Math.max(1, Math.min(groups, taskIds.length));
  const out: { ids: Int32Array; positions: Int32Array }[] = [];
  for (let i = 0; i < g; i++) {
    const part = order.slice(Math.round((i * order.length) / g), Math.round(((i + 1) * order.length) / g));
    if (part.length)
      out.push({ ids: Int32Array.from(part, (k) => taskIds[k]!), positions: Int32Array.from(part) });
  }
  return out;
}
