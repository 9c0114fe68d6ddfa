/**
 * MML's meta-training and prediction (peers.md B.3-B.4) over models/mml.ts: first-order MAML per
 * learner (MML's MetaLearningTrainer), the fusion layer's loss, and adapted predictions. Pure
 * functions of records; the runner (mmlRun.ts) owns the records and their optimisers.
 *
 * A window of T tasks [T, L] (support positions first, then query; right-padded) predicts at position
 * l the item at l + 1: targets_tl = items_t,l+1; support targets = positions 1..S-1, query targets = the
 * query positions. For one learner with record theta (global E, local w):
 *   1. w_0 = tile(w)
 *   2. for j = 0 .. J-1:  w_{j+1} = w_j - alpha * stop_grad(dL_s(w_j)/dw_j)
 *        L_s = sum_t mean_{support targets} CE(s_tl, target_tl)   (each task's own gradient)
 *   3. L_q = mean_t mean_{query targets} CE at (E, w_J): d L_q / d theta is the first-order
 *      meta-gradient (the sum over tasks through the tile; E directly).
 * The fusion layer trains on the same batch's adapted learners, held constant (MML trains it after
 * the learners, on adapted upstream tasks): L_f = mean_t mean_{query} CE(s^_tl, target_tl).
 */
import * as tf from '@tensorflow/tfjs';
import {
  fusedScores,
  fusionWeights,
  itemRows,
  itemTable,
  learnerScores,
  localParams,
  nextItemLoss,
  positionRows,
  type FusionParams,
  type LearnerParams,
  type Modality,
} from '../models/mml';
import { detached } from '../models/ops';
import { fromList, keysOf } from '../models/params';
import type { SequenceDims, TaskParams } from '../models/sequence';
import { localGrads, tileTasks } from './meta';
import type { Window } from './meloWindows';

/** A padded batch of windows for next-item prediction (all [T, L] but lastSupport [T]). */
export interface MmlBatch {
  /** Item rows (ItemIndex + 1; 0 = padding), int32. */
  readonly items: tf.Tensor2D;
  /** The item at the next position (0 past the end), int32. */
  readonly targets: tf.Tensor2D;
  /** 1 where the next position is a support position (l + 1 in 1..S-1). */
  readonly supportTargets: tf.Tensor2D;
  /** 1 where the next position is a query position. */
  readonly queryTargets: tf.Tensor2D;
  /** The last support position S - 1 (the user representation's position), int32. */
  readonly lastSupport: tf.Tensor1D;
}

/** MmlBatch tensors of windows (meloWindows.ts: items are ItemIndex, support counts first). */
export function mmlBatch(windows: readonly Window[], length: number): MmlBatch {
  const T = windows.length;
  const items = new Int32Array(T * length);
  const targets = new Int32Array(T * length);
  const support = new Float32Array(T * length);
  const query = new Float32Array(T * length);
  const last = new Int32Array(T);
  windows.forEach((w, t) => {
    const n = w.items.length;
    for (let l = 0; l < n; l++) items[t * length + l] = w.items[l]! + 1;
    for (let l = 0; l + 1 < n; l++) {
      targets[t * length + l] = w.items[l + 1]! + 1;
      (l + 1 < w.support ? support : query)[t * length + l] = 1;
    }
    last[t] = Math.max(0, w.support - 1);
  });
  return {
    items: tf.tensor2d(items, [T, length], 'int32'),
    targets: tf.tensor2d(targets, [T, length], 'int32'),
    supportTargets: tf.tensor2d(support, [T, length]),
    queryTargets: tf.tensor2d(query, [T, length]),
    lastSupport: tf.tensor1d(last, 'int32'),
  };
}

export const disposeMmlBatch = (b: MmlBatch) =>
  [b.items, b.targets, b.supportTargets, b.queryTargets, b.lastSupport].forEach((t) => t.dispose());

/** Constants of a run: the backbone's sizes, the text table X [I+1, d_t], the local steps and rate. */
export interface MmlContext {
  readonly dims: SequenceDims;
  readonly text: tf.Tensor2D | null;
  readonly steps: number;
  readonly lr: number;
}

/** Step 2: J first-order local steps of w_0 = local on the support targets (E and its rows fixed). */
export function adaptLocal(
  local: TaskParams,
  rows: tf.Tensor,
  table: tf.Tensor2D,
  b: MmlBatch,
  ctx: MmlContext,
): TaskParams {
  let fast = local;
  for (let j = 0; j < ctx.steps; j++) {
    const g = localGrads({ ...fast }, (w) =>
      nextItemLoss(learnerScores(w, rows, table, ctx.dims).scores, b.targets, b.supportTargets, 'sum'),
    );
    const next: Record<string, tf.Tensor> = {};
    for (const key of keysOf(fast)) next[key] = tf.sub(fast[key]!, tf.mul(ctx.lr, detached(g[key]!)));
    fast = next;
  }
  return fast;
}

/** A learner's adapted outputs: scores s [T, L, N], the user representation r [T, d], and before. */
export interface LearnerOutputs {
  readonly scores: tf.Tensor;
  readonly reps: tf.Tensor2D;
  readonly scoresBefore: tf.Tensor;
  readonly repsBefore: tf.Tensor2D;
}

/** Scores and representations before and after adaptation; `table` overrides E (the generator's rows). */
export function learnerOutputs(
  p: LearnerParams,
  ctx: MmlContext,
  b: MmlBatch,
  table: tf.Tensor2D = itemTable(p, ctx.text),
): LearnerOutputs {
  const tasks = b.items.shape[0];
  const rows = itemRows(table, b.items);
  const local = localParams(p, tasks, (t) => tileTasks(t, tasks));
  const before = learnerScores(local, rows, table, ctx.dims);
  const after =
    ctx.steps > 0 ? learnerScores(adaptLocal(local, rows, table, b, ctx), rows, table, ctx.dims) : before;
  return {
    scores: after.scores,
    reps: positionRows(after.hidden, b.lastSupport),
    scoresBefore: before.scores,
    repsBefore: positionRows(before.hidden, b.lastSupport),
  };
}

/** Steps 1-3: L_q at the adapted weights and its first-order gradient; `side` = kept detached outputs. */
export function learnerMetaGradient(
  p: LearnerParams,
  ctx: MmlContext,
  b: MmlBatch,
): { loss: tf.Scalar; grads: Record<string, tf.Tensor>; side: { scores: tf.Tensor; reps: tf.Tensor2D } } {
  const keys = keysOf(p);
  const kept: { side?: { scores: tf.Tensor; reps: tf.Tensor2D } } = {};
  const { value, grads } = tf.valueAndGrads((...xs: tf.Tensor[]) => {
    const theta = fromList<LearnerParams>(keys, xs);
    const table = itemTable(theta, ctx.text);
    const tasks = b.items.shape[0];
    const rows = itemRows(table, b.items);
    const local = localParams(theta, tasks, (t) => tileTasks(t, tasks));
    const out = learnerScores(adaptLocal(local, rows, table, b, ctx), rows, table, ctx.dims);
    kept.side = {
      scores: tf.keep(detached(out.scores)),
      reps: tf.keep(detached(positionRows(out.hidden, b.lastSupport))),
    };
    return nextItemLoss(out.scores, b.targets, b.queryTargets, 'mean');
  })(keys.map((k) => p[k]!));
  return {
    loss: value as tf.Scalar,
    grads: fromList<Record<string, tf.Tensor>>(keys, grads),
    side: kept.side!,
  };
}

/** L_f: the fused query cross-entropy, learners' scores and representations held constant. */
export function fusionLoss(
  f: FusionParams,
  modalities: readonly Modality[],
  outputs: readonly { scores: tf.Tensor; reps: tf.Tensor2D }[],
  b: MmlBatch,
): tf.Scalar {
  const a = fusionWeights(
    f,
    modalities,
    outputs.map((o) => o.reps),
  );
  return nextItemLoss(
    fusedScores(
      a,
      outputs.map((o) => o.scores),
    ),
    b.targets,
    b.queryTargets,
    'mean',
  );
}

/** d L_f / d f for every key of the fusion record. */
export function fusionGradient(
  f: FusionParams,
  modalities: readonly Modality[],
  outputs: readonly { scores: tf.Tensor; reps: tf.Tensor2D }[],
  b: MmlBatch,
): { loss: tf.Scalar; grads: Record<string, tf.Tensor> } {
  const keys = keysOf(f);
  const { value, grads } = tf.valueAndGrads((...xs: tf.Tensor[]) =>
    fusionLoss(fromList<FusionParams>(keys, xs), modalities, outputs, b),
  )(keys.map((k) => f[k]!));
  return { loss: value as tf.Scalar, grads: fromList<Record<string, tf.Tensor>>(keys, grads) };
}
