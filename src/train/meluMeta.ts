/**
 * MeLU meta-gradients, four ways that compute the same numbers (tests check it):
 *
 * - loop:      one task at a time (the reference; any number of local steps).
 * - tile:      every task at once with per-task weights [T, ...] tiled from the shared ones; the local
 *              gradient of sum_t L_t w.r.t. the tiled weights is every task's gradient in one call.
 * - algebraic: one local step, no per-task weights ever formed (batched-meta-step.md, variant C):
 *              x (W - alpha X_s^T D) = x W - alpha (x X_s^T) D, so the heavy products are shared-weight
 *              2-D matmuls over all rows and only small [Q, S] corrections are per task (3-D, padded).
 * - ragged:    the same algebra with the per-task corrections on unpadded rows through a segmented
 *              kernel (meluRagged.ts; wasm: one XNNPACK 2-D product per task; cpu: JS loops); for
 *              several local steps, tile's per-task weights applied to unpadded rows by the same kernel.
 *
 * MAML (Finn et al.): theta'_t = theta - alpha grad L_S,t(theta) (k steps); meta-loss
 * L = (1/T) sum_t L_Q,t(theta'_t). First order treats theta'_t - theta as a constant (gradient at the
 * adapted weights; the embeddings get the query path only); second order differentiates through the
 * local steps, including the support embeddings' influence on the adapted weights.
 */
import * as tf from '@tensorflow/tfjs';
import {
  MELU_LOCAL_KEYS,
  meluPredictRagged,
  meluPredictRows,
  meluPredictTasks,
  type MeluDims,
  type MeluLocal,
  type MeluParams,
  type MeluTaskLocal,
} from '../models/melu';
import { gatherRows, mm } from '../models/ops';
import { pick } from '../models/params';
import type { BatchTensors, RowTensors } from './batch';
import { toPadded } from './batch';
import { clipTaskGradients, fineTuneRates } from './fineTune';
import { FULL_FINE_TUNE, type FineTune } from './adaptation';
import { embed, gradOfParams, meluRates, supportDeltas, type Embedded } from './meluCommon';
import { meluMetaGradRagged, raggedQueryPredictions, raggedSupport } from './meluRagged';
import {
  diffRecord,
  flatTaskLoss,
  localGrads,
  paddedTaskLoss,
  sgdStep,
  stepOf,
  tileTasks,
  withLiveRates,
  type InnerConfig,
  type MetaGradient,
  type StepSizes,
} from './meta';

export type MeluStrategy = 'loop' | 'tile' | 'algebraic' | 'ragged';

const LOCAL = MELU_LOCAL_KEYS;

/** Rows of task t of a block, as a slice of the flat layout. */
function taskRows(block: RowTensors, t: number): { item: tf.Tensor1D; y: tf.Tensor1D; n: number } {
  const start = block.starts[t]!;
  const n = block.counts[t]!;
  return { item: tf.slice(block.item, start, n), y: tf.slice(block.value, start, n), n };
}

/** Mean squared error of task t with shared-shaped local weights w. */
function taskLoss(w: MeluLocal, e: Embedded, block: RowTensors, t: number): tf.Scalar {
  const { item, y, n } = taskRows(block, t);
  if (n === 0) return tf.scalar(0);
  const x = gatherRows(e.itemVecs, item);
  const pred = meluPredictRows(w, x, tf.slice(e.userVecs, t, 1), tf.zeros([n], 'int32'));
  return tf.mean(tf.square(tf.sub(pred, y)));
}

// ---------------------------------------------------------------------------------------------- loop
/** Reference: per-task local adaptation and query loss, summed in a JS loop. */
export function meluMetaGradLoop(
  params: MeluParams,
  dims: MeluDims,
  b: BatchTensors,
  inner: InnerConfig,
): MetaGradient<MeluParams> {
  const t = b.tasks;
  const adapt = (w0: MeluLocal, e: Embedded, task: number, lr: StepSizes): MeluLocal => {
    let w = w0;
    for (let k = 0; k < inner.steps; k++)
      w = sgdStep(
        w,
        localGrads(w, (v) => taskLoss(v, e, b.support, task)),
        lr,
      );
    return w;
  };
  if (inner.order === 'second-order') {
    return gradOfParams(params, (p) => {
      const e = embed(p, dims, b);
      const lr = meluRates(p, inner.lr);
      const losses: tf.Scalar[] = [];
      for (let task = 0; task < t; task++)
        losses.push(taskLoss(adapt(pick(p, LOCAL), e, task, lr), e, b.query, task));
      return tf.div(tf.addN(losses), t);
    });
  }
  // 1. local adaptation outside the meta-gradient: delta_t = theta - theta'_t is a constant.
  const deltas: MeluLocal[] = [];
  const e0 = embed(params, dims, b);
  const frozen = meluRates(params, inner.lr);
  for (let task = 0; task < t; task++)
    deltas.push(diffRecord(pick(params, LOCAL), adapt(pick(params, LOCAL), e0, task, frozen)));
  // 2. query loss at theta'_t = theta - delta_t, differentiated w.r.t. theta, the embeddings (and
  // the learned rates, through delta's scale).
  return gradOfParams(params, (p) => {
    const e = embed(p, dims, b);
    const live = meluRates(p, inner.lr);
    const losses: tf.Scalar[] = [];
    for (let task = 0; task < t; task++) {
      const delta = withLiveRates(deltas[task]!, live, frozen);
      losses.push(taskLoss(diffRecord(pick(p, LOCAL), delta), e, b.query, task));
    }
    return tf.div(tf.addN(losses), t);
  });
}

// ---------------------------------------------------------------------------------------------- tile
function tileLocal(w: MeluLocal, tasks: number): MeluTaskLocal {
  const out: Partial<MeluTaskLocal> = {};
  for (const key of LOCAL) out[key] = tileTasks(w[key], tasks);
  return out as MeluTaskLocal;
}

function paddedItems(e: Embedded, block: RowTensors, tasks: number, di: number): tf.Tensor3D {
  return tf.reshape(gatherRows(e.itemVecs, block.padItem), [tasks, block.maxLen, di]);
}

/** The row form of the per-task-weight strategies: tile pads, ragged keeps the flat rows. */
type Form = 'tile' | 'ragged';

/** A block's item rows in the form: padded [T, L, Di] or flat [R, Di]. */
function rowsOf(form: Form, e: Embedded, block: RowTensors, t: number): tf.Tensor {
  return form === 'tile' ? paddedItems(e, block, t, e.itemVecs.shape[1]) : gatherRows(e.itemVecs, block.item);
}

/** Sum over the block's tasks of each task's mean squared error at per-task weights w. */
function blockLoss(form: Form, w: MeluTaskLocal, e: Embedded, rows: tf.Tensor, block: RowTensors): tf.Scalar {
  return form === 'tile'
    ? paddedTaskLoss(meluPredictTasks(w, rows as tf.Tensor3D, e.userVecs), block)
    : flatTaskLoss(meluPredictRagged(w, rows as tf.Tensor2D, e.userVecs, block), block);
}

/** `inner.steps` support-loss SGD steps of per-task weights, every task at once (clip > 0: per task). */
function adaptTasks(
  form: Form,
  w0: MeluTaskLocal,
  e: Embedded,
  b: BatchTensors,
  steps: number,
  lr: StepSizes,
  clip = 0,
): MeluTaskLocal {
  const xs = rowsOf(form, e, b.support, b.tasks);
  let w = w0;
  for (let k = 0; k < steps; k++) {
    const g = localGrads(w, (v) => blockLoss(form, v, e, xs, b.support));
    w = sgdStep(w, clip > 0 ? clipTaskGradients(g, clip, lr) : g, lr);
  }
  return w;
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
  const t = b.tasks;
  const queryLoss = (w: MeluTaskLocal, e: Embedded): tf.Scalar =>
    tf.div(blockLoss(form, w, e, rowsOf(form, e, b.query, t), b.query), t);
  if (inner.order === 'second-order') {
    return gradOfParams(params, (p) => {
      const e = embed(p, dims, b);
      const lr = meluRates(p, inner.lr);
      return queryLoss(adaptTasks(form, tileLocal(pick(p, LOCAL), t), e, b, inner.steps, lr), e);
    });
  }
  const tiled0 = tileLocal(pick(params, LOCAL), t);
  const frozen = meluRates(params, inner.lr);
  const delta = diffRecord(tiled0, adaptTasks(form, tiled0, embed(params, dims, b), b, inner.steps, frozen));
  return gradOfParams(params, (p) => {
    const live = withLiveRates(delta, meluRates(p, inner.lr), frozen);
    return queryLoss(diffRecord(tileLocal(pick(p, LOCAL), t), live), embed(p, dims, b));
  });
}

/** Every task at once: per-task weights [T, ...], padded rows, one tf.grads per local step. */
export function meluMetaGradTile(
  params: MeluParams,
  dims: MeluDims,
  b: BatchTensors,
  inner: InnerConfig,
): MetaGradient<MeluParams> {
  return perTaskMetaGrad('tile', params, dims, b, inner);
}

/** Tile's meta-step on the flat, unpadded rows: the "ragged" strategy for several local steps. */
export function meluMetaGradRaggedSteps(
  params: MeluParams,
  dims: MeluDims,
  b: BatchTensors,
  inner: InnerConfig,
): MetaGradient<MeluParams> {
  return perTaskMetaGrad('ragged', params, dims, b, inner);
}

// ----------------------------------------------------------------------------------------- algebraic
/** Support pass at the shared weights with hand-written backprop (all ops second-order safe). */
function supportPass(p: MeluParams, e: Embedded, b: BatchTensors) {
  const s = b.support;
  const t = b.tasks;
  const { xs, h1, h2, d1, d2, d3 } = supportDeltas(p, e, b);
  // per-task sums (bias gradients): [T, R] one-hot x rows
  const s1 = mm(s.taskOneHot, d1);
  const s2 = mm(s.taskOneHot, d2);
  const s3 = mm(s.taskOneHot, d3);
  return {
    xs: toPadded(xs, s, t),
    h1: toPadded(h1, s, t),
    h2: toPadded(h2, s, t),
    d1: toPadded(d1, s, t),
    d2: toPadded(d2, s, t),
    d3: toPadded(d3, s, t),
    s1: tf.reshape(s1, [t, 1, -1]),
    s2: tf.reshape(s2, [t, 1, -1]),
    s3: tf.reshape(s3, [t, 1, 1]),
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
  const xq = paddedItems(e, q, t, p.w1Item.shape[0]);
  const users = tf.reshape(e.userVecs, [t, 1, -1]) as tf.Tensor3D;
  // user part: x_u (W1u - alpha x_u0^T s1) = x_u W1u - alpha (x_u . x_u0) s1; bias: b1 - alpha s1
  const userPart = tf.sub(
    tf.reshape(mm(e.userVecs, p.w1User), [t, 1, -1]),
    tf.mul(a('w1User'), tf.mul(tf.sum(tf.mul(users, sp.users), 2, true), sp.s1)),
  );
  const z1 = tf.add(
    tf.add(corrected(xq, p.w1Item, sp.xs, sp.d1, a('w1Item')), userPart),
    tf.sub(p.b1, tf.mul(a('b1'), sp.s1)),
  );
  const h1 = tf.relu(z1) as tf.Tensor3D;
  const z2 = tf.add(corrected(h1, p.w2, sp.h1, sp.d2, a('w2')), tf.sub(p.b2, tf.mul(a('b2'), sp.s2)));
  const h2 = tf.relu(z2) as tf.Tensor3D;
  const y = tf.add(corrected(h2, p.w3, sp.h2, sp.d3, a('w3')), tf.sub(p.b3, tf.mul(a('b3'), sp.s3)));
  return tf.reshape(y, [t, -1]) as tf.Tensor2D;
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
  if (strategy === 'loop') return meluMetaGradLoop(params, dims, b, inner);
  if (strategy === 'ragged')
    return inner.steps === 1
      ? meluMetaGradRagged(params, dims, b, inner)
      : meluMetaGradRaggedSteps(params, dims, b, inner);
  if (strategy === 'algebraic' && inner.steps === 1) return meluMetaGradAlgebraic(params, dims, b, inner);
  return meluMetaGradTile(params, dims, b, inner);
}

/**
 * Query predictions [T, Lq] before local adaptation (the shared meta-learned weights) and after it
 * (tile, or algebraic for one step). Padding slots hold meaningless values; callers read real rows.
 * `fineTune` (the non-meta baseline's): the last layer only, per-task gradient clipping (per-task weights),
 * and its own number of local steps (else inner.steps).
 */
export function meluPredict(
  strategy: MeluStrategy,
  params: MeluParams,
  dims: MeluDims,
  b: BatchTensors,
  inner: InnerConfig,
  fineTune: FineTune = FULL_FINE_TUNE,
): { before: tf.Tensor2D; after: tf.Tensor2D } {
  const e = embed(params, dims, b);
  const lr = fineTuneRates(meluRates(params, inner.lr), LOCAL, fineTune);
  const steps = fineTune.steps ?? inner.steps;
  const oneStep = steps === 1 && fineTune.clip === 0;
  const q = b.query;
  const shared = meluPredictRows(pick(params, LOCAL), gatherRows(e.itemVecs, q.item), e.userVecs, q.task);
  const before = tf.reshape(toPadded(tf.reshape(shared, [-1, 1]), q, b.tasks), [
    b.tasks,
    q.maxLen,
  ]) as tf.Tensor2D;
  if (strategy === 'ragged' && oneStep) {
    const flat = raggedQueryPredictions(params, e, raggedSupport(params, e, b), b, lr, true);
    const after = toPadded(tf.reshape(flat, [-1, 1]) as tf.Tensor2D, q, b.tasks);
    return { before, after: tf.reshape(after, [b.tasks, q.maxLen]) as tf.Tensor2D };
  }
  if (strategy === 'algebraic' && oneStep) {
    return { before, after: queryPredictionsAdapted(params, e, supportPass(params, e, b), b, lr) };
  }
  // several local steps (or clipped): per-task weights, on flat rows for the ragged strategy
  const form: Form = strategy === 'ragged' ? 'ragged' : 'tile';
  const w = adaptTasks(form, tileLocal(pick(params, LOCAL), b.tasks), e, b, steps, lr, fineTune.clip);
  if (form === 'tile')
    return {
      before,
      after: meluPredictTasks(w, paddedItems(e, q, b.tasks, e.itemVecs.shape[1]), e.userVecs),
    };
  const flat = meluPredictRagged(w, gatherRows(e.itemVecs, q.item), e.userVecs, q);
  const after = toPadded(tf.reshape(flat, [-1, 1]) as tf.Tensor2D, q, b.tasks);
  return { before, after: tf.reshape(after, [b.tasks, q.maxLen]) as tf.Tensor2D };
}
