/**
 * MeLU meta-gradients, four ways that compute the same numbers (tests check it):
 *
 * - loop:      one task at a time (the reference, meluLoop.ts; any number of local steps).
 * - tile:      every task at once with per-task weights [T, ...] tiled from the shared ones; the local
 *              gradient of sum_t L_t w.r.t. the tiled weights is every task's gradient in one call.
 * - algebraic: one local step, no per-task weights ever formed (batched-meta-step.md, variant C):
 *              x (W - alpha X_s^T D) = x W - alpha (x X_s^T) D, so the heavy products are shared-weight
 *              2-D matmuls over all rows and only small [Q, S] corrections are per task (3-D, padded).
 * - ragged:    the same algebra with the per-task corrections on unpadded rows through a segmented
 *              kernel (meluRagged.ts; wasm: one XNNPACK 2-D product per task; cpu: JS loops); for
 *              several local steps, per-task weights on unpadded rows, by hand (meluRaggedSteps.ts).
 * Which of them runs is strategy.ts's meluPlan (a layout and a formulation: 'one-step algebra' or
 * 'per-task weights'), read here and by prediction.
 *
 * MAML (Finn et al.): theta'_t = theta - alpha grad L_S,t(theta) (k steps); meta-loss
 * L = (1/T) sum_t L_Q,t(theta'_t). First order treats theta'_t - theta as a constant (gradient at the
 * adapted weights; the embeddings get the query path only); second order differentiates through the
 * local steps, including the support embeddings' influence on the adapted weights.
 */
import * as tf from '@tensorflow/tfjs';
import {
  meluForward,
  meluLayers,
  meluLocal,
  meluOutputKeys,
  paddedRows,
  raggedRows,
  sharedRows,
  weight,
  type MeluDims,
  type MeluLocal,
  type MeluParams,
} from '../models/melu';
import { gatherRows, mm, relu } from '../models/ops';
import type { BatchTensors, RowTensors } from './batch';
import { toPadded } from './batch';
import { fineTuneRates } from './fineTune';
import { adaptPerTask, formTaskLoss, itemRowsOf, type Form } from './perTask';
import { formOf, meluPlan } from './strategy';
import { FULL_FINE_TUNE, type FineTune } from './adaptation';
import { embed, gradOfParams, meluRates, supportDeltas, type Embedded } from './meluCommon';
import { meluMetaGradRagged, raggedQueryPredictions, raggedSupport } from './meluRagged';
import { byHandFineTunings, type ByHandFineTunings } from './meluRaggedPass';
import { meluMetaGradRaggedSteps } from './meluRaggedSteps';
import { meluMetaGradLoop } from './meluLoop';
import {
  diffRecord,
  paddedTaskLoss,
  stepOf,
  tileTasks,
  withLiveRates,
  type InnerConfig,
  type MetaGradient,
  type StepSizes,
} from './meta';

export type MeluStrategy = 'loop' | 'tile' | 'algebraic' | 'ragged';

/** Per-task weights: every locally adapted key with a leading task axis T. */
type MeluTaskLocal = MeluLocal;

// ---------------------------------------------------------------------------------------------- tile
function tileLocal(w: MeluLocal, tasks: number): MeluTaskLocal {
  const out: MeluTaskLocal = {};
  for (const [key, v] of Object.entries(w)) out[key] = tileTasks(v, tasks);
  return out;
}

function paddedItems(e: Embedded, block: RowTensors, tasks: number): tf.Tensor3D {
  return itemRowsOf('tile', e.itemVecs, block, tasks) as tf.Tensor3D;
}

/** Sum over the block's tasks of each task's mean squared error at per-task weights w (rows in the form). */
function blockLoss(form: Form, w: MeluTaskLocal, e: Embedded, rows: tf.Tensor, block: RowTensors): tf.Scalar {
  const t = e.userVecs.shape[0];
  const layout = form === 'tile' ? paddedRows(t) : raggedRows(block, t);
  return formTaskLoss(form, meluForward(layout, w, rows, e.userVecs), block);
}

/** `steps` support-loss SGD steps of per-task weights, every task at once (clip > 0: per task). */
function adaptTasks(
  form: Form,
  w0: MeluTaskLocal,
  e: Embedded,
  b: BatchTensors,
  steps: number,
  lr: StepSizes,
  clip = 0,
): MeluTaskLocal {
  const xs = itemRowsOf(form, e.itemVecs, b.support, b.tasks);
  return adaptPerTask(w0, (v) => blockLoss(form, v, e, xs, b.support), steps, lr, clip);
}

/**
 * Per-task weights [T, ...] tiled from the shared ones, any number of local steps, either order; the
 * local gradient w.r.t. the tiled weights is every task's gradient in one call. Loss
 * (1/T) sum_t mean_q (y^_q - y_q)^2 at the adapted weights. tile: padded rows (3-D products);
 * ragged: the flat rows, every per-task product through the segmented kernel (meluPredictRagged).
 */
function perTaskMetaGrad(
  form: Form,
  params: MeluParams,
  dims: MeluDims,
  b: BatchTensors,
  inner: InnerConfig,
): MetaGradient<MeluParams> {
  return form === 'ragged'
    ? meluMetaGradRaggedSteps(params, dims, b, inner)
    : meluMetaGradPerTaskTape(form, params, dims, b, inner);
}

/** The per-task-weight meta-gradient through tfjs's tape (tile; ragged: the by-hand step's reference in tests). */
export function meluMetaGradPerTaskTape(
  form: Form,
  params: MeluParams,
  dims: MeluDims,
  b: BatchTensors,
  inner: InnerConfig,
): MetaGradient<MeluParams> {
  const t = b.tasks;
  const queryLoss = (w: MeluTaskLocal, e: Embedded): tf.Scalar =>
    tf.div(blockLoss(form, w, e, itemRowsOf(form, e.itemVecs, b.query, t), b.query), t);
  if (inner.order === 'second-order') {
    return gradOfParams(params, (p) => {
      const e = embed(p, dims, b);
      const lr = meluRates(p, inner.lr);
      return queryLoss(adaptTasks(form, tileLocal(meluLocal(p), t), e, b, inner.steps, lr), e);
    });
  }
  const tiled0 = tileLocal(meluLocal(params), t);
  const frozen = meluRates(params, inner.lr);
  const delta = diffRecord(tiled0, adaptTasks(form, tiled0, embed(params, dims, b), b, inner.steps, frozen));
  return gradOfParams(params, (p) => {
    const live = withLiveRates(delta, meluRates(p, inner.lr), frozen);
    return queryLoss(diffRecord(tileLocal(meluLocal(p), t), live), embed(p, dims, b));
  });
}

// ----------------------------------------------------------------------------------------- algebraic
/**
 * Support pass at the shared weights with hand-written backprop (all ops second-order safe), padded
 * per task: xs, hs = [h1 .. hL], ds = [d1 .. d_{L+1}] [T, Ls, .], sums[k] = per-task sum of ds[k]
 * [T, 1, .] (the bias gradients), users [T, 1, Du].
 */
function supportPass(p: MeluParams, e: Embedded, b: BatchTensors) {
  const s = b.support;
  const t = b.tasks;
  const { xs, hs, ds } = supportDeltas(p, e, b);
  return {
    xs: toPadded(xs, s, t),
    hs: hs.map((h) => toPadded(h, s, t)),
    ds: ds.map((d) => toPadded(d, s, t)),
    // per-task sums: [T, R] one-hot x rows
    sums: ds.map((d) => tf.reshape(mm(s.taskOneHot, d), [t, 1, -1]) as tf.Tensor3D),
    users: tf.reshape(e.userVecs, [t, 1, -1]) as tf.Tensor3D,
  };
}
type SupportPass = ReturnType<typeof supportPass>;

/** x [T, L, k] (W - alpha A^T D) computed as x W - alpha (x A^T) D, per task. */
function corrected(
  x: tf.Tensor3D,
  w: tf.Tensor2D,
  a: tf.Tensor3D,
  d: tf.Tensor3D,
  lr: number | tf.Tensor,
): tf.Tensor3D {
  const [t, l, k] = x.shape;
  const shared = tf.reshape(mm(tf.reshape(x, [t * l, k]), w), [t, l, -1]);
  return tf.sub(shared, tf.mul(lr, tf.matMul(tf.matMul(x, a, false, true), d))) as tf.Tensor3D;
}

/** Query predictions [T, Lq] at the adapted weights, from the support pass (first-order constants or live). */
function queryPredictionsAdapted(
  p: MeluParams,
  e: Embedded,
  sp: SupportPass,
  b: BatchTensors,
  lr: StepSizes,
): tf.Tensor2D {
  const q = b.query;
  const t = b.tasks;
  const a = (key: string) => stepOf(lr, key);
  const xq = paddedItems(e, q, t);
  const users = tf.reshape(e.userVecs, [t, 1, -1]) as tf.Tensor3D;
  // user part: x_u (W1u - alpha x_u0^T s1) = x_u W1u - alpha (x_u . x_u0) s1; bias: b1 - alpha s1
  const userPart = tf.sub(
    tf.reshape(mm(e.userVecs, p.w1User), [t, 1, -1]),
    tf.mul(a('w1User'), tf.mul(tf.sum(tf.mul(users, sp.users), 2, true), sp.sums[0]!)),
  );
  const z1 = tf.add(
    tf.add(corrected(xq, p.w1Item, sp.xs, sp.ds[0]!, a('w1Item')), userPart),
    tf.sub(p.b1, tf.mul(a('b1'), sp.sums[0]!)),
  );
  let h = relu(z1) as tf.Tensor3D;
  meluLayers(p).forEach((layer, i) => {
    const w = weight(p, layer.w) as tf.Tensor2D;
    const bias = tf.sub(weight(p, layer.b), tf.mul(a(layer.b), sp.sums[i + 1]!));
    const z = tf.add(corrected(h, w, sp.hs[i]!, sp.ds[i + 1]!, a(layer.w)), bias) as tf.Tensor3D;
    h = layer.relu ? (relu(z) as tf.Tensor3D) : z;
  });
  return tf.reshape(h, [t, -1]) as tf.Tensor2D;
}

function queryAtAdapted(
  p: MeluParams,
  e: Embedded,
  sp: SupportPass,
  b: BatchTensors,
  lr: StepSizes,
): tf.Scalar {
  return tf.div(paddedTaskLoss(queryPredictionsAdapted(p, e, sp, b, lr), b.query), b.tasks);
}

/** One local step, no per-task weights: see the file comment. */
export function meluMetaGradAlgebraic(
  params: MeluParams,
  dims: MeluDims,
  b: BatchTensors,
  inner: InnerConfig,
): MetaGradient<MeluParams> {
  if (inner.steps !== 1)
    throw new Error(`Expected 1 local step for the algebraic meta-step, got ${inner.steps}`);
  if (inner.order === 'second-order') {
    return gradOfParams(params, (p) => {
      const e = embed(p, dims, b);
      return queryAtAdapted(p, e, supportPass(p, e, b), b, meluRates(p, inner.lr));
    });
  }
  const sp = supportPass(params, embed(params, dims, b), b); // constants for the first-order gradient
  return gradOfParams(params, (p) => queryAtAdapted(p, embed(p, dims, b), sp, b, meluRates(p, inner.lr)));
}

/**
 * The meta-gradient with the chosen strategy (algebraic falls back to tile for several local steps).
 * Whether ragged can run on the backend is strategy.ts's decision (chooseStrategy), not made here.
 */
export function meluMetaGradient(
  strategy: MeluStrategy,
  params: MeluParams,
  dims: MeluDims,
  b: BatchTensors,
  inner: InnerConfig,
): MetaGradient<MeluParams> {
  const plan = meluPlan(strategy, inner.steps);
  if (plan.layout === 'loop') return meluMetaGradLoop(params, dims, b, inner);
  if (plan.formulation === 'one-step algebra')
    return plan.layout === 'ragged'
      ? meluMetaGradRagged(params, dims, b, inner)
      : meluMetaGradAlgebraic(params, dims, b, inner);
  return perTaskMetaGrad(formOf(strategy), params, dims, b, inner);
}

/**
 * Query predictions [T, Lq] before local adaptation (the shared meta-learned weights) and after it
 * (tile, or algebraic for one step). Padding slots hold meaningless values; callers read real rows.
 * `fineTune` (the non-meta baseline's): the last layer only, per-task gradient clipping (per-task weights),
 * and its own number of local steps (else inner.steps). One rate of meluPredictAtRates.
 */
export function meluPredict(
  strategy: MeluStrategy,
  params: MeluParams,
  dims: MeluDims,
  b: BatchTensors,
  inner: InnerConfig,
  fineTune: FineTune = FULL_FINE_TUNE,
): { before: tf.Tensor2D; after: tf.Tensor2D } {
  const { before, after } = meluPredictAtRates(strategy, params, dims, b, inner, [inner.lr], [fineTune]);
  return { before, after: after[0]! };
}

/**
 * meluPredict at several local rates and fine-tunings at once: `before` [T, Lq] once, and
 * `after[f * rates.length + k]` [T, Lq] adapted with fineTunes[f] at rates[k] (an undefined rate:
 * inner.lr). What does not depend on the rate or the fine-tuning is computed once and shared: the
 * embeddings, the prediction before adaptation, the support pass of the one-step algebra, and on the
 * ragged plan's by-hand steps the tiled weights, the Gram blocks of the held first layer, the layers
 * below the moving ones, the first step's gradient at the shared weights (the same for every rate), and
 * a clipped fine-tuning's first steps (the 5-step one continues from the 1-step one's weights:
 * meluRaggedPass.ts byHandFineTunings). Each prediction is the result of the ops meluPredict runs for
 * it alone, on the same inputs, so it is the same number (tests: meluMeta.grad.test.ts,
 * predictAtRates.test.ts). Choosing the local rate on validation users (localRate.ts) tries 8 rates per
 * checkpoint, and the non-meta network's 8 fine-tunings at once.
 */
export function meluPredictAtRates(
  strategy: MeluStrategy,
  params: MeluParams,
  dims: MeluDims,
  b: BatchTensors,
  inner: InnerConfig,
  rates: readonly (number | undefined)[],
  fineTunes: readonly FineTune[] = [FULL_FINE_TUNE],
): { before: tf.Tensor2D; after: tf.Tensor2D[] } {
  const e = embed(params, dims, b);
  const local = meluLocal(params);
  const q = b.query;
  const shared = meluForward(sharedRows(q.task), local, gatherRows(e.itemVecs, q.item), e.userVecs);
  const padded = (flat: tf.Tensor) =>
    tf.reshape(toPadded(tf.reshape(flat, [-1, 1]) as tf.Tensor2D, q, b.tasks), [
      b.tasks,
      q.maxLen,
    ]) as tf.Tensor2D;
  const before = padded(shared);
  let raggedOneStep: ReturnType<typeof raggedSupport> | null = null;
  let paddedOneStep: ReturnType<typeof supportPass> | null = null;
  let byHand: ByHandFineTunings | null = null;
  let tiledLocal: ReturnType<typeof tileLocal> | null = null;
  const form = formOf(strategy);
  const after = fineTunes.flatMap((fineTune) => {
    const lrs = rates.map((r) =>
      fineTuneRates(meluRates(params, r ?? inner.lr), Object.keys(local), fineTune, meluOutputKeys(params)),
    );
    const steps = fineTune.steps ?? inner.steps;
    const plan = meluPlan(strategy, steps, fineTune.clip > 0);
    if (plan.formulation === 'one-step algebra' && plan.layout === 'ragged') {
      const support = (raggedOneStep ??= raggedSupport(params, e, b));
      return lrs.map((lr) => padded(raggedQueryPredictions(params, e, support, b, lr, true)));
    }
    if (plan.formulation === 'one-step algebra') {
      const support = (paddedOneStep ??= supportPass(params, e, b));
      return lrs.map((lr) => queryPredictionsAdapted(params, e, support, b, lr));
    }
    // several local steps (or clipped): per-task weights, on flat rows for the ragged plan (by hand:
    // meluRaggedPass.ts)
    if (form === 'ragged') {
      byHand ??= byHandFineTunings(local, e, b);
      // which (rate, layers) each step-size record is: equal ids share their steps across fine-tunings
      const ids = rates.map((_, k) => `${fineTune.layers} ${k}`);
      return byHand.predict(steps, lrs, fineTune.clip, ids).map(padded);
    }
    const start = (tiledLocal ??= tileLocal(local, b.tasks));
    return lrs.map(
      (lr) =>
        meluForward(
          paddedRows(b.tasks),
          adaptTasks(form, start, e, b, steps, lr, fineTune.clip),
          paddedItems(e, q, b.tasks),
          e.userVecs,
        ) as tf.Tensor2D,
    );
  });
  return { before, after };
}
