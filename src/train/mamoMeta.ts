/**
 * MAMO meta-gradients (first order, as the paper's "one-step" update and both code bases; second order
 * optional) and the ingredients of the memory writes, in three forms that compute the same numbers:
 * - tile: every task at once with per-task weights [T, ...] (one tf.grads per local step), rows padded
 *   to the longest task of the batch, per-task products as batched matMuls;
 * - ragged: the same per-task weights on flat, unpadded rows, the per-task products on the segmented
 *   kernel (models/segment.ts; cpu, wasm, webgpu); first order written by hand (mamoByHand.ts);
 * - loop: one task at a time with 2-D weights (the reference).
 *
 * Per task (paper Algorithm 1): 1. a = attention(p_u, M_P); b_u = a M_U; M_uI = a M_UI (Eqs 3, 4, 7).
 * 2. theta_u = phi_u - tau b_u, theta_i = phi_i, theta_r = phi_r (Eqs 9, 10). 3. k SGD steps on the support
 * MSE over theta_u, theta_i, theta_r and M_uI (Eq 11). 4. Query MSE at the adapted weights; the first-
 * order meta-gradient is its gradient there (Eq 12), averaged over the batch. 5. The caller writes the
 * memories (memory.ts) with a, p_u, the task's query gradient w.r.t. theta_u and the adapted M_uI.
 */
import * as tf from '@tensorflow/tfjs';
import {
  MAMO_GLOBAL_LOCAL_KEYS,
  MAMO_USER_KEYS,
  mamoForward,
  mamoPaddedRows,
  mamoRaggedRows,
  userNetShapes,
  type MamoDims,
  type MamoParams,
  type MamoRowLayout,
  type MamoTaskLocal,
} from '../models/mamo';
import { embedSides } from '../models/embedding';
import { attention, readMemory, type MemoryState, type UserNetRecord } from '../models/memory';
import { gatherRows } from '../models/ops';
import { fromList, keysOf } from '../models/params';
import type { BatchTensors, RowTensors } from './batch';
import { adaptByHand, embedValues, firstOrderByHand } from './mamoByHand';
import { mamoRates, rateGradient } from './mamoRates';
import { adaptPerTask, formTaskLoss, itemRowsOf, type Form } from './perTask';
import { localGrads, sgdStep, tileTasks, type InnerConfig, type MetaGradient, type StepSizes } from './meta';

export type MamoStrategy = 'loop' | 'tile' | 'ragged';

export interface MamoConfig extends InnerConfig {
  /** the paper's tau: theta_u = phi_u - personalInitScale b_u */
  readonly personalInitScale: number;
  readonly attentionScale: number;
}

/** The meta-gradient plus what the memory writes need, per task of the batch. */
export interface MamoMetaResult extends MetaGradient<MamoParams> {
  /** a [T, K] as read before local adaptation */
  readonly attention: tf.Tensor2D;
  /** p_u [T, Du] */
  readonly profiles: tf.Tensor2D;
  /** Per tensor of theta_u, [T, ...shape]: each task's query-MSE gradient w.r.t. its adapted theta_u */
  readonly userGradients: UserNetRecord;
  /** The adapted M_uI halves [T, e, e] */
  readonly muiUser: tf.Tensor;
  readonly muiItem: tf.Tensor;
}

type Embedded = { itemVecs: tf.Tensor2D; userVecs: tf.Tensor2D };
type Local = MamoTaskLocal;

/** Steps 1-2: attention, memory read and the personalised initial local weights of every task. */
export function initLocal(
  p: MamoParams,
  e: Embedded,
  memory: MemoryState,
  dims: MamoDims,
  cfg: MamoConfig,
  untiled: readonly string[] = [],
) {
  const t = e.userVecs.shape[0];
  const a = attention(e.userVecs, memory, cfg.attentionScale);
  const { bias, muiUser, muiItem } = readMemory(a, memory, userNetShapes(dims));
  const local: Partial<Local> = {};
  // theta_u broadcast against the personal bias [T, ...]; the rest tiled, but `untiled` (mamoByHand.ts)
  const personal = new Set<string>(MAMO_USER_KEYS);
  for (const key of MAMO_GLOBAL_LOCAL_KEYS)
    local[key] = personal.has(key)
      ? tf.sub(p[key], tf.mul(cfg.personalInitScale, bias[key as (typeof MAMO_USER_KEYS)[number]]))
      : untiled.includes(key)
        ? p[key]
        : tileTasks(p[key], t);
  local.muiUser = muiUser;
  local.muiItem = muiItem;
  return { a, local: local as Local };
}

/** The row layout of a form for a block of `tasks` tasks. */
export function layoutOf(form: Form, block: RowTensors, tasks: number): MamoRowLayout {
  return form === 'tile' ? mamoPaddedRows(tasks) : mamoRaggedRows(block, tasks);
}

/** Sum over the block's tasks of each task's mean squared error at per-task weights w. */
function blockLoss(
  form: Form,
  w: Local,
  userVecs: tf.Tensor2D,
  rows: tf.Tensor,
  block: RowTensors,
): tf.Scalar {
  const pred = mamoForward(layoutOf(form, block, userVecs.shape[0]), w, userVecs, rows);
  return formTaskLoss(form, pred, block);
}

/** `steps` local SGD steps of every task's weights through the tape (tile or ragged form). */
export function adaptTasks(
  w0: Local,
  e: Embedded,
  b: BatchTensors,
  cfg: InnerConfig,
  form: Form,
  lr: StepSizes,
): Local {
  const xs = itemRowsOf(form, e.itemVecs, b.support, b.tasks);
  return adaptPerTask(w0, (v) => blockLoss(form, v, e.userVecs, xs, b.support), cfg.steps, lr);
}

function queryLossTasks(w: Local, e: Embedded, b: BatchTensors, form: Form): tf.Scalar {
  const xq = itemRowsOf(form, e.itemVecs, b.query, b.tasks);
  return tf.div(blockLoss(form, w, e.userVecs, xq, b.query), b.tasks);
}

/**
 * Query loss gradient at the adapted weights, w.r.t. the tables and the per-task adapted weights:
 * returns the first-order meta-gradient (tiled gradients summed over tasks) and the per-task theta_u grads.
 */
function firstOrderAt(
  p: MamoParams,
  adapted: Local,
  dims: MamoDims,
  b: BatchTensors,
  form: Form,
  init: Local | null,
) {
  // with learned rates (init given) the adapted M_uI halves are differentiated too (their rate's gradient)
  const localKeys = init
    ? ([...MAMO_GLOBAL_LOCAL_KEYS, 'muiUser', 'muiItem'] as const)
    : MAMO_GLOBAL_LOCAL_KEYS;
  const keys = ['userTable', 'itemTable', ...localKeys] as const;
  const inputs = [p.userTable, p.itemTable, ...localKeys.map((k) => adapted[k])];
  const { value, grads } = tf.valueAndGrads((...list: tf.Tensor[]) => {
    const [userTable, itemTable, ...rest] = list;
    const w = { ...adapted, ...fromList<Local>(localKeys, rest) };
    const e = embedSides(
      { userTable: userTable as tf.Tensor2D, itemTable: itemTable as tf.Tensor2D },
      dims,
      b.items,
      b.users,
    );
    return queryLossTasks(w, e, b, form);
  })(inputs);
  const out: Record<string, tf.Tensor> = {};
  const perTask: Partial<Local> = {};
  keys.forEach((key, i) => {
    if (i < 2) out[key] = grads[i]!;
    else {
      perTask[key as keyof Local] = grads[i]!;
      if (key !== 'muiUser' && key !== 'muiItem') out[key] = tf.sum(grads[i]!, 0);
    }
  });
  if (init) out.localLogRate = rateGradient(perTask, init, adapted);
  const userGradients = {} as UserNetRecord;
  for (const key of MAMO_USER_KEYS) userGradients[key] = tf.mul(b.tasks, grads[keys.indexOf(key)]!);
  return { loss: value as tf.Scalar, grads: out as MamoParams, userGradients };
}

/**
 * Every task at once (per-task weights [T, ...]), on padded rows (tile) or ragged ones. Ragged and
 * first order runs the hand-written backward (mamoByHand.ts) unless `tape` (the tests' reference).
 */
export function mamoMetaGradTile(
  params: MamoParams,
  memory: MemoryState,
  dims: MamoDims,
  b: BatchTensors,
  cfg: MamoConfig,
  form: Form = 'tile',
  tape = false,
): MamoMetaResult {
  if (form === 'ragged' && cfg.order === 'first-order' && !tape) {
    const e = embedValues(params, dims, b);
    const { a, local } = initLocal(params, e, memory, dims, cfg, ['wi1']);
    const adapted = adaptByHand(local, params.wi1, e.itemVecs, e.userVecs, b, cfg.steps, [
      mamoRates(params, cfg.lr),
    ])[0]!;
    const fo = firstOrderByHand(
      params,
      adapted,
      e.itemVecs,
      e.userVecs,
      dims,
      b,
      params.localLogRate ? local : null,
    );
    return {
      loss: fo.loss,
      grads: fo.grads,
      attention: a,
      profiles: e.userVecs,
      userGradients: fo.userGradients,
      muiUser: adapted.w.muiUser,
      muiItem: adapted.w.muiItem,
    };
  }
  const e0 = embedSides(params, dims, b.items, b.users);
  const { a, local } = initLocal(params, e0, memory, dims, cfg);
  const adapted = adaptTasks(local, e0, b, cfg, form, mamoRates(params, cfg.lr));
  const fo = firstOrderAt(params, adapted, dims, b, form, params.localLogRate ? local : null);
  const common = {
    attention: a,
    profiles: e0.userVecs,
    userGradients: fo.userGradients,
    muiUser: adapted.muiUser,
    muiItem: adapted.muiItem,
  };
  if (cfg.order === 'first-order') return { loss: fo.loss, grads: fo.grads, ...common };
  // Second order: differentiate the whole chain (attention, memory read, local steps) w.r.t. phi.
  const keys = keysOf(params);
  const { value, grads } = tf.valueAndGrads((...list: tf.Tensor[]) => {
    const p = fromList<MamoParams>(keys, list);
    const e = embedSides(p, dims, b.items, b.users);
    const lr = mamoRates(p, cfg.lr);
    return queryLossTasks(
      adaptTasks(initLocal(p, e, memory, dims, cfg).local, e, b, cfg, form, lr),
      e,
      b,
      form,
    );
  })(keys.map((k) => params[k]!));
  return { loss: value as tf.Scalar, grads: fromList<MamoParams>(keys, grads), ...common };
}

// ---------------------------------------------------------------------------------------------- loop
/** Task t's slice of per-task weights, its task axis kept: [1, ...] (the forward's layout with T = 1). */
function taskSlice(local: Local, t: number): Local {
  const out: Partial<Local> = {};
  for (const key of keysOf(local)) out[key] = tf.slice(local[key], [t], [1]);
  return out as Local;
}

/** Task t's mean squared error over a block's rows at its own weights w ([1, ...]). */
function taskMse(w: Local, e: Embedded, block: RowTensors, t: number): tf.Scalar {
  const n = block.counts[t]!;
  if (n === 0) return tf.scalar(0);
  const rows = gatherRows(e.itemVecs, tf.slice(block.item, block.starts[t]!, n));
  const pred = mamoForward(mamoPaddedRows(1), w, tf.slice(e.userVecs, t, 1), tf.expandDims(rows, 0));
  return tf.mean(tf.square(tf.sub(tf.reshape(pred, [-1]), tf.slice(block.value, block.starts[t]!, n))));
}

/** One task at a time, each with its own weights (the reference). */
export function mamoMetaGradLoop(
  params: MamoParams,
  memory: MemoryState,
  dims: MamoDims,
  b: BatchTensors,
  cfg: MamoConfig,
): MamoMetaResult {
  const adaptOne = (w0: Local, e: Embedded, t: number, lr: StepSizes): Local => {
    let w = w0;
    const grad = (v: Local) => localGrads(v, (x) => taskMse(x, e, b.support, t));
    for (let k = 0; k < cfg.steps; k++) w = sgdStep(w, grad(w), lr);
    return w;
  };
  const e0 = embedSides(params, dims, b.items, b.users);
  const { a, local } = initLocal(params, e0, memory, dims, cfg);
  const rates = mamoRates(params, cfg.lr);
  const adapted = Array.from({ length: b.tasks }, (_, t) => adaptOne(taskSlice(local, t), e0, t, rates));
  const keys = keysOf(params);
  // First order: sum over tasks of each task's query-loss gradient at its adapted weights.
  const perTask = adapted.map((w, t) => {
    const localKeys = keysOf(w);
    const inputs = [params.userTable, params.itemTable, ...localKeys.map((k) => w[k])];
    return tf.valueAndGrads((...list: tf.Tensor[]) => {
      const [userTable, itemTable, ...rest] = list;
      const e = embedSides(
        { userTable: userTable as tf.Tensor2D, itemTable: itemTable as tf.Tensor2D },
        dims,
        b.items,
        b.users,
      );
      return taskMse(fromList<Local>(localKeys, rest), e, b.query, t);
    })(inputs);
  });
  const localKeys = keysOf(adapted[0]!);
  const mean = (i: number) => tf.div(tf.addN(perTask.map((r) => r.grads[i]!)), b.tasks);
  const grads: Record<string, tf.Tensor> = { userTable: mean(0), itemTable: mean(1) };
  // each task's weights keep their task axis [1, ...]: back to the shared shape
  for (const key of MAMO_GLOBAL_LOCAL_KEYS)
    grads[key] = tf.reshape(mean(2 + localKeys.indexOf(key)), params[key].shape);
  if (params.localLogRate) {
    // per-task gradients of the mean loss w.r.t. each adapted key, stacked [T, ...]
    const stacked: Partial<Local> = {};
    for (const key of localKeys)
      stacked[key] = tf.div(tf.concat(perTask.map((r) => r.grads[2 + localKeys.indexOf(key)]!)), b.tasks);
    const both = (ws: Local[]) => {
      const out: Partial<Local> = {};
      for (const key of localKeys) out[key] = tf.concat(ws.map((w) => w[key]));
      return out;
    };
    grads.localLogRate = rateGradient(
      stacked,
      both(Array.from({ length: b.tasks }, (_, t) => taskSlice(local, t))),
      both(adapted),
    );
  }
  const userGradients = {} as UserNetRecord;
  for (const key of MAMO_USER_KEYS) {
    userGradients[key] = tf.concat(perTask.map((r) => r.grads[2 + localKeys.indexOf(key)]!));
  }
  const muiUser = tf.concat(adapted.map((w) => w.muiUser));
  const muiItem = tf.concat(adapted.map((w) => w.muiItem));
  let loss = tf.div(tf.addN(perTask.map((r) => r.value)), b.tasks) as tf.Scalar;
  let metaGrads = fromList<MamoParams>(
    keys,
    keys.map((k) => grads[k]!),
  );
  if (cfg.order === 'second-order') {
    const so = tf.valueAndGrads((...list: tf.Tensor[]) => {
      const p = fromList<MamoParams>(keys, list);
      const e = embedSides(p, dims, b.items, b.users);
      const init = initLocal(p, e, memory, dims, cfg).local;
      const lr = mamoRates(p, cfg.lr);
      const losses = Array.from({ length: b.tasks }, (_, t) =>
        taskMse(adaptOne(taskSlice(init, t), e, t, lr), e, b.query, t),
      );
      return tf.div(tf.addN(losses), b.tasks) as tf.Scalar;
    })(keys.map((k) => params[k]!));
    loss = so.value as tf.Scalar;
    metaGrads = fromList<MamoParams>(keys, so.grads);
  }
  return { loss, grads: metaGrads, attention: a, profiles: e0.userVecs, userGradients, muiUser, muiItem };
}

/** The MAMO meta-gradient with the chosen strategy. */
export function mamoMetaGradient(
  strategy: MamoStrategy,
  params: MamoParams,
  memory: MemoryState,
  dims: MamoDims,
  b: BatchTensors,
  cfg: MamoConfig,
): MamoMetaResult {
  return strategy === 'loop'
    ? mamoMetaGradLoop(params, memory, dims, b, cfg)
    : mamoMetaGradTile(params, memory, dims, b, cfg, strategy);
}
