/**
 * MAMO's first-order meta-step on ragged rows with the backward written out by hand: no tape, no saved
 * copies, no custom-gradient scopes (on webgpu the taped step's bookkeeping was about a quarter of its
 * kernels, issue #22). The same numbers as mamoMeta.ts's taped step (tests: by hand = tape, the float64
 * oracle, the memory-write oracle).
 *
 * Forward (models/mamo.ts mamoForward on mamoRaggedRows, per-task weights [T, ...], f = lrelu):
 *   user path, one row per task:  a1 = p_u Wu1 + bu1, g1 = f(a1), a2 = g1 Wu2 + bu2, e_u = f(a2)  [T, 1, .]
 *   item rows:  c1 = x Wi1 + bi1, f1 = f(c1), c2 = f1 Wi2 + bi2, e_i = f(c2)                         [R, .]
 *   preference: zp = e_i Mi^T + (e_u Mu^T)_t, z = f(zp); recommender: c3 = z Wr2 + br2, h = f(c3),
 *   y = h wr3 + br3
 * Backward from dy [R, 1] (f' = step(., slope)); per-task products' adjoints on ragged rows
 * (raggedBack): dX_t = dC_t W_t^T (gram), dW_t = X_t^T dC_t (applyT), db_t = sum over the task's rows:
 *   dh = raggedBack(h, wr3, dy).dx, dc3 = dh f'(c3), dz = raggedBack(z, Wr2, dc3).dx, dzp = dz f'(zp),
 *   (de_i, dMi^T, dup) = raggedBack(e_i, Mi^T, dzp), de_u = dup Mu, dMu = dup^T e_u,
 *   item and user paths the same way back to dx and dp_u.
 * Local steps: theta <- theta - a_k dL_S/dtheta (per task, the support rows); the meta-gradient: the
 * query loss's gradient at the adapted weights summed over tasks (phi), scattered to the tables through
 * the embedding adjoints, and each task's own (the memory writes, the learned rates).
 */
import * as tf from '@tensorflow/tfjs';
import {
  MAMO_GLOBAL_LOCAL_KEYS,
  MAMO_SLOPE,
  MAMO_USER_KEYS,
  type MamoDims,
  type MamoParams,
  type MamoTaskLocal,
} from '../models/mamo';
import { embedSideAdjoint, embedSides } from '../models/embedding';
import type { UserNetRecord } from '../models/memory';
import { gatherRowsValue, leakyReluValue, scatterRowsValue, VALUES } from '../models/ops';
import { reluBackward } from '../kernels/elementwiseWebgpu';
import { fusedSgd, fusedUpdateFor } from '../kernels/optimizerWebgpu';
import { segmentProduct } from '../kernels/segmentMatMul';
import { taskRowValue } from '../models/segment';
import type { BatchTensors, RowTensors } from './batch';
import { rateGradient } from './mamoRates';
import { heldCorrection, heldInput, heldTimesT, zeroCoefficients, type HeldInput } from './heldLayer';
import { sgdStep, type StepSizes } from './meta';

type Local = MamoTaskLocal;

const f = (x: tf.Tensor): tf.Tensor => leakyReluValue(x, MAMO_SLOPE);
const df = (dy: tf.Tensor, x: tf.Tensor): tf.Tensor => reluBackward(dy, x, MAMO_SLOPE);
const swap = (x: tf.Tensor): tf.Tensor => tf.transpose(x, [0, 2, 1]);
/** a_t b_t^T for a [T, 1, m], b [T, k, m] -> [T, 1, k] (models/segment.ts taskRowValue: one SIMD call on wasm). */
const bmmT = (a: tf.Tensor, b: tf.Tensor): tf.Tensor =>
  taskRowValue(a, b, true, [b.shape[0]!, 1, b.shape[1]!]);

/** a_t w_t for a [T, 1, k], w [T, k, m] -> [T, 1, m] (the same, untransposed). */
const bmm = (a: tf.Tensor, w: tf.Tensor): tf.Tensor =>
  taskRowValue(a, w, false, [w.shape[0]!, 1, w.shape[2]!]);

/**
 * a^T b for a [T, 1, k], b [T, 1, m]: the per-task outer products [T, k, m] of the user path. On webgpu
 * one transposed BatchMatMul; elsewhere a broadcast product (tfjs-wasm runs a 3-D matMul as a naive
 * loop: [32, 128, 1] x [32, 1, 64] took 3.8 ms of a ~55 ms step under load, tf.profile; as a broadcast
 * product it left the profile's top 30).
 */
const outer = (a: tf.Tensor, b: tf.Tensor): tf.Tensor =>
  tf.getBackend() === 'webgpu'
    ? tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D, true, false)
    : tf.mul(tf.reshape(a, [a.shape[0]!, a.shape[2]!, 1]), b);

/** x [T, 1, k] W [T, k, m] + b [T, m] (the user path: one row per task). */
const taskAffine = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor, t: number): tf.Tensor =>
  tf.add(bmm(x, w), tf.reshape(b, [t, 1, -1]));

/** A block's ragged rows: per-task counts and the task of each row. */
interface Rows {
  readonly counts: number[];
  readonly task: tf.Tensor1D;
  readonly tasks: number;
}

/**
 * theta_i's first layer is never formed per task: held as Wi1 + X_s,t^T A_t (heldLayer.ts), the record's
 * 'wi1' entry being the coefficient rows A [Rs, H] (its local gradient: the support rows' dc1).
 */
const segOf = (rows: Rows, w: tf.Tensor) => ({
  a: rows.counts,
  b: new Array<number>(rows.tasks).fill(w.shape[1]!),
});

/** x [R, k] W_t [k, m] + b_t on ragged rows (raggedAffine's value). */
function ragged(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor, rows: Rows): tf.Tensor {
  const s = segOf(rows, w);
  return tf.add(segmentProduct('apply', x, w, s.a, s.b), gatherRowsValue(b as tf.Tensor2D, rows.task));
}

/** The adjoints of ragged(x, w, b) for dc [R, m]: dx [R, k], dw [T, k, m], db [T, m]. */
function raggedBack(x: tf.Tensor, w: tf.Tensor, dc: tf.Tensor, rows: Rows, needX = true) {
  const s = segOf(rows, w);
  return {
    dx: needX ? segmentProduct('gram', dc, w, s.a, s.b, x.shape) : null,
    dw: segmentProduct('applyT', x, dc, s.a, s.b, w.shape),
    db: scatterRowsValue(dc as tf.Tensor2D, rows.task, rows.tasks),
  };
}

/** Forward on ragged rows, keeping what the backward reads; y [R, 1]. w.wi1: the coefficients (heldLayer.ts). */
function forward(w: Local, pu: tf.Tensor2D, item: HeldInput, rows: Rows) {
  const t = rows.tasks;
  const pu3 = tf.reshape(pu, [t, 1, -1]);
  const a1 = taskAffine(pu3, w.wu1, w.bu1, t);
  const g1 = f(a1);
  const a2 = taskAffine(g1, w.wu2, w.bu2, t);
  const eu = f(a2);
  const x = item.x;
  const corr = heldCorrection(item, w.wi1);
  const c1 = tf.add(corr ? tf.add(item.xw, corr) : item.xw, gatherRowsValue(w.bi1 as tf.Tensor2D, rows.task));
  const f1 = f(c1);
  const c2 = ragged(f1, w.wi2, w.bi2, rows);
  const ei = f(c2);
  const miT = swap(w.muiItem);
  const zp = ragged(ei, miT, tf.reshape(bmmT(eu, w.muiUser), [t, -1]), rows);
  const z = f(zp);
  const c3 = ragged(z, w.wr2, w.br2, rows);
  const h = f(c3);
  const y = ragged(h, w.wr3, w.br3, rows);
  return { pu3, a1, g1, a2, eu, x, corr, c1, f1, c2, ei, miT, zp, z, c3, h, y };
}
type Cache = ReturnType<typeof forward>;

/**
 * Per-task gradients of every local key for dy [R, 1] (wi1: the block's dc1, heldLayer.ts); with `inputs`,
 * also dx [R, Di] and dp_u [T, Du].
 */
function backward(w: Local, c: Cache, item: HeldInput, dy: tf.Tensor, rows: Rows, inputs: boolean) {
  const t = rows.tasks;
  const g: Partial<Local> = {};
  const r3 = raggedBack(c.h, w.wr3, dy, rows);
  g.wr3 = r3.dw;
  g.br3 = r3.db;
  const dc3 = df(r3.dx!, c.c3);
  const r2 = raggedBack(c.z, w.wr2, dc3, rows);
  g.wr2 = r2.dw;
  g.br2 = r2.db;
  const dzp = df(r2.dx!, c.zp);
  const rp = raggedBack(c.ei, c.miT, dzp, rows);
  g.muiItem = swap(rp.dw);
  const dup = tf.reshape(rp.db, [t, 1, -1]);
  g.muiUser = outer(dup, c.eu);
  const deu = bmm(dup, w.muiUser);
  const dc2 = df(rp.dx!, c.c2);
  const ri2 = raggedBack(c.f1, w.wi2, dc2, rows);
  g.wi2 = ri2.dw;
  g.bi2 = ri2.db;
  const dc1 = df(ri2.dx!, c.c1);
  g.wi1 = dc1;
  g.bi1 = scatterRowsValue(dc1 as tf.Tensor2D, rows.task, rows.tasks);
  // dx = dc1 Wi1_t^T = dc1 Wi1^T + (dc1 A_t^T) X_s,t
  const dx = inputs ? heldTimesT(item, dc1 as tf.Tensor2D, w.wi1) : null;
  const da2 = df(deu, c.a2);
  g.wu2 = outer(c.g1, da2);
  g.bu2 = tf.reshape(da2, [t, -1]);
  const da1 = df(bmmT(da2, w.wu2), c.a1);
  g.wu1 = outer(c.pu3, da1);
  g.bu1 = tf.reshape(da1, [t, -1]);
  const dpu = inputs ? (tf.reshape(bmmT(da1, w.wu1), [t, -1]) as tf.Tensor2D) : null;
  return { grads: g as Local, dx, dpu };
}

/** w - a_k g_k per key: one fused kernel per tensor on webgpu and for small ones on wasm (fusedUpdateFor). */
function localStep(w: Local, g: Local, lr: StepSizes): Local {
  if (typeof lr !== 'number') return sgdStep(w, g, lr);
  const out: Partial<Local> = {};
  for (const key of Object.keys(w) as (keyof Local)[])
    out[key] = fusedUpdateFor(w[key]) ? fusedSgd(w[key], g[key], lr, 1) : tf.sub(w[key], tf.mul(lr, g[key]));
  return out as Local;
}

/** dL/dy [R, 1] of scale * sum_r w_r (y_r - v_r)^2 (w_r = 1/n_t), and that loss. */
function squaredError(y: tf.Tensor, block: RowTensors, scale: number) {
  const r = tf.sub(tf.reshape(y, [-1]), block.value);
  return {
    loss: tf.mul(tf.sum(tf.mul(block.weight, tf.square(r))), scale) as tf.Scalar,
    dy: tf.reshape(tf.mul(tf.mul(block.weight, r), 2 * scale), [-1, 1]),
  };
}

const rowsOf = (block: RowTensors, tasks: number): Rows => ({
  counts: Array.from(block.counts),
  task: block.task,
  tasks,
});

/** Per-task weights after local steps, wi1 held as coefficient rows on the support rows (heldLayer.ts). */
export interface AdaptedByHand {
  readonly w: Local;
  readonly support: HeldInput;
}

/**
 * `steps` local SGD steps of the per-task weights on the support rows, by hand: the adapted weights, one
 * entry per entry of `lrs` (the local-rate choice tries several). itemVecs [U, Di] and userVecs [T, Du]
 * are the batch's embeddings (values); wi1 the shared first item layer (local.wi1 is not read: the
 * adapted one is Wi1 + X_s^T A, heldLayer.ts). The rates share the rows and the support's held input (its
 * Gram blocks, computed at their first use); each rate's steps are the ops it runs alone. A null rate:
 * the start weights, no step (the prediction before adaptation, its first layer x Wi1 unformed per task).
 */
export function adaptByHand(
  local: Local,
  wi1: tf.Tensor2D,
  itemVecs: tf.Tensor2D,
  userVecs: tf.Tensor2D,
  b: BatchTensors,
  steps: number,
  lrs: readonly (StepSizes | null)[],
): AdaptedByHand[] {
  const rows = rowsOf(b.support, b.tasks);
  const support = heldInput(gatherRowsValue(itemVecs, b.support.item), rows.counts, wi1);
  const start: Local = { ...local, wi1: zeroCoefficients(b.support.rows, wi1.shape[1]) };
  return lrs.map((lr) => {
    let w = start;
    for (let k = 0; lr !== null && k < steps; k++) {
      const c = forward(w, userVecs, support, rows);
      const { dy } = squaredError(c.y, b.support, 1);
      w = localStep(w, backward(w, c, support, dy, rows, false).grads, lr);
    }
    return { w, support };
  });
}

/**
 * Query predictions [Rq, 1] (flat rows) at each of the adapted weights, all adapted from one support
 * held input (one adaptByHand call): the query rows and their Gram blocks against the support rows shared.
 */
export function predictByHand(
  adapted: readonly AdaptedByHand[],
  itemVecs: tf.Tensor2D,
  userVecs: tf.Tensor2D,
  b: BatchTensors,
) {
  const rows = rowsOf(b.query, b.tasks);
  const support = adapted[0]!.support;
  const item = heldInput(gatherRowsValue(itemVecs, b.query.item), rows.counts, support.w, support);
  return adapted.map((a) => {
    if (a.support !== support) throw new Error('predictByHand: weights adapted from other support rows');
    return forward(a.w, userVecs, item, rows).y;
  });
}

/**
 * The first-order meta-gradient at the adapted weights (mamoMetaGradTile's firstOrderAt, by hand):
 * loss (1/T) sum_t L_Q,t, grads of phi (summed per-task gradients), of the tables (embedding adjoints),
 * of the learned log-rates when `init` is given (rateGradient), and each task's theta_u gradient of
 * its own query loss (the memory writes: T times the per-task gradient of the mean).
 */
export function firstOrderByHand(
  params: MamoParams,
  adapted: AdaptedByHand,
  itemVecs: tf.Tensor2D,
  userVecs: tf.Tensor2D,
  dims: MamoDims,
  b: BatchTensors,
  init: Local | null,
): { loss: tf.Scalar; grads: MamoParams; userGradients: UserNetRecord } {
  const q = b.query;
  const t = b.tasks;
  const rows = rowsOf(q, t);
  const item = heldInput(gatherRowsValue(itemVecs, q.item), rows.counts, adapted.support.w, adapted.support);
  const c = forward(adapted.w, userVecs, item, rows);
  const { loss, dy } = squaredError(c.y, q, 1 / t);
  const back = backward(adapted.w, c, item, dy, rows, true);
  const perTask = back.grads;
  const out: Record<string, tf.Tensor> = {
    userTable: embedSideAdjoint(dims.user, b.users, back.dpu!, params.userTable.shape[0]),
    itemTable: embedSideAdjoint(
      dims.item,
      b.items,
      scatterRowsValue(back.dx!, q.item, itemVecs.shape[0]),
      params.itemTable.shape[0],
    ),
  };
  for (const key of MAMO_GLOBAL_LOCAL_KEYS)
    out[key] = key === 'wi1' ? VALUES.mmTA(item.x, perTask.wi1 as tf.Tensor2D) : tf.sum(perTask[key], 0);
  // wi1's rate term: -<X_q^T dc1, Wi1 - (Wi1 + X_s^T A)> = sum_q dc1 . (x_q X_s^T) A = sum dc1 . corr
  if (init)
    out.localLogRate = rateGradient(perTask, init, adapted.w, {
      wi1: c.corr ? tf.sum(tf.mul(perTask.wi1, c.corr)) : tf.scalar(0),
    });
  const userGradients = {} as UserNetRecord;
  for (const key of MAMO_USER_KEYS) userGradients[key] = tf.mul(t, perTask[key]);
  const ordered = Object.fromEntries(Object.keys(params).map((k) => [k, out[k]!])) as unknown as MamoParams;
  return { loss, grads: ordered, userGradients };
}

/** The batch's embeddings as values (no tape). */
export function embedValues(params: MamoParams, dims: MamoDims, b: BatchTensors) {
  return embedSides(params, dims, b.items, b.users, true);
}
