/**
 * MAMO (Dong et al., KDD 2020) as pure functions: the networks over a named parameter record, the
 * memories as a separate MemoryState (written by rules, never by gradients; memory.ts).
 *
 *   p_u = user field embeddings (concatenated) [Du];   p_i = item field embeddings [Di]
 *   e_u = f(p_u; theta_u),  e_i = f(p_i; theta_i),   f(x) = lrelu(lrelu(x W1 + b1) W2 + b2)   (Eq 1)
 *   y^  = FC(lrelu(M_uI [e_u; e_i]); theta_r) = lrelu(z Wr2 + br2) wr3 + br3,  z = lrelu(M_uI [e_u; e_i])  (Eq 2)
 *
 * M_uI [e, 2e] is the user's preference matrix read from the task memory (Eq 7), split here into its
 * user half [e, e] and item half [e, e] so the user half is applied once per task. Regression with MSE
 * (the authors' code classifies 5 classes through a double softmax; we keep every model on ratings).
 * LeakyReLU slope 0.1 as in the authors' code, written with relu (second-order safe).
 *
 * Locally adapted (Eq 11): theta_u, theta_i, theta_r and M_uI. Global (Eq 12): phi_u, phi_i, phi_r and
 * the field embedding tables (not adapted locally, as MeLU's).
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../lib/rng';
import { initSideTables, sideWidth, type SideLayout } from './embedding';
import { leakyRelu } from './ops';
import { raggedAffine, taskRowProduct, taskRowProductT, type RaggedRows } from './segment';
import { glorot } from './params';

export const MAMO_SLOPE = 0.1;

export interface MamoDims {
  readonly e: number;
  readonly hidden: number;
  readonly slots: number;
  readonly user: SideLayout;
  readonly item: SideLayout;
}

/** Global parameters phi (+ embedding tables). */
export type MamoParams = {
  userTable: tf.Tensor2D;
  itemTable: tf.Tensor2D;
  wu1: tf.Tensor2D;
  bu1: tf.Tensor1D;
  wu2: tf.Tensor2D;
  bu2: tf.Tensor1D;
  wi1: tf.Tensor2D;
  bi1: tf.Tensor1D;
  wi2: tf.Tensor2D;
  bi2: tf.Tensor1D;
  wr2: tf.Tensor2D;
  br2: tf.Tensor1D;
  wr3: tf.Tensor2D;
  br3: tf.Tensor1D;
  /**
   * Optional meta-learned local rates (config localRateLr > 0): rho, one per MAMO_RATE_KEYS entry in
   * order, the local step of key k being innerLr * exp(rho_k) (train/meta.ts learnedRates).
   */
  localLogRate?: tf.Tensor1D;
};

/** theta_u: the user embedding network, whose personalised init comes from the gradient memory M_U. */
export const MAMO_USER_KEYS = ['wu1', 'bu1', 'wu2', 'bu2'] as const;
export const MAMO_ITEM_KEYS = ['wi1', 'bi1', 'wi2', 'bi2'] as const;
export const MAMO_REC_KEYS = ['wr2', 'br2', 'wr3', 'br3'] as const;
export const MAMO_GLOBAL_LOCAL_KEYS = [...MAMO_USER_KEYS, ...MAMO_ITEM_KEYS, ...MAMO_REC_KEYS] as const;
export type MamoGlobalLocalKey = (typeof MAMO_GLOBAL_LOCAL_KEYS)[number];
/** One learned local rate per adapted tensor of theta_u, theta_i, theta_r, and one for M_uI (both halves). */
export const MAMO_RATE_KEYS = [...MAMO_GLOBAL_LOCAL_KEYS, 'mui'] as const;

/**
 * Per-task local weights, every key with a leading task axis T: theta_u, theta_i, theta_r as [T, ...]
 * and the preference matrix split into muiUser, muiItem [T, e, e] (M_uI = [muiUser | muiItem]).
 */
export type MamoTaskLocal = { [K in MamoGlobalLocalKey | 'muiUser' | 'muiItem']: tf.Tensor };

/** Shapes of theta_u's tensors, in MAMO_USER_KEYS order (M_U stores them flattened and concatenated). */
export function userNetShapes(dims: MamoDims): number[][] {
  const du = sideWidth(dims.user, dims.e);
  return [[du, dims.hidden], [dims.hidden], [dims.hidden, dims.e], [dims.e]];
}

/** Initial phi: Glorot weights, zero biases, br3 = mean training rating. */
/** `learnRates`: also the local log-rates rho = 0 (every local step starts at the configured rate). */
export function initMamo(dims: MamoDims, rng: Rng, meanRating: number, learnRates = false): MamoParams {
  const du = sideWidth(dims.user, dims.e);
  const di = sideWidth(dims.item, dims.e);
  const { e, hidden } = dims;
  return {
    ...initSideTables(dims, rng),
    wu1: glorot(rng.fork('wu1'), du, hidden),
    bu1: tf.zeros([hidden]),
    wu2: glorot(rng.fork('wu2'), hidden, e),
    bu2: tf.zeros([e]),
    wi1: glorot(rng.fork('wi1'), di, hidden),
    bi1: tf.zeros([hidden]),
    wi2: glorot(rng.fork('wi2'), hidden, e),
    bi2: tf.zeros([e]),
    wr2: glorot(rng.fork('wr2'), e, hidden),
    br2: tf.zeros([hidden]),
    wr3: glorot(rng.fork('wr3'), hidden, 1),
    br3: tf.fill([1], meanRating) as tf.Tensor1D,
    ...(learnRates ? { localLogRate: tf.zeros([MAMO_RATE_KEYS.length]) as tf.Tensor1D } : {}),
  };
}

const lrelu = (x: tf.Tensor): tf.Tensor => leakyRelu(x, MAMO_SLOPE);

/** x [T, L, k] times per-task W [T, k, m] plus per-task b [T, m] -> [T, L, m]. */
function taskAffine(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const t = w.shape[0]!;
  return tf.add(tf.matMul(x as tf.Tensor3D, w as tf.Tensor3D), tf.reshape(b, [t, 1, -1]));
}

/**
 * Where the item rows of a forward pass live (the seam each formulation implements): padded
 * [T, L, .] (3-D batched products) or ragged [R, .] (the segmented kernel). Weights are per task
 * [T, k, m], biases [T, m]; the user path has one row per task and is the same in every layout.
 */
export interface MamoRowLayout {
  /** x W_t + b_t on the item rows */
  affine(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor): tf.Tensor;
  /** M_uI [e_u; e_i] = e_i muiItem_t^T + userPart_t on the item rows; userPart [T, 1, e] */
  preference(ei: tf.Tensor, muiItem: tf.Tensor, userPart: tf.Tensor): tf.Tensor;
  /** the output column as predictions: [T, L] or [R] */
  output(y: tf.Tensor): tf.Tensor;
}

/**
 * MAMO's forward pass, the one place it is written (Eqs 1-2): p_u [T, Du], item rows p_i in the
 * layout -> y^ in the layout (padded [T, L] or ragged [R]).
 */
export function mamoForward(
  layout: MamoRowLayout,
  w: MamoTaskLocal,
  userVecs: tf.Tensor2D,
  itemRows: tf.Tensor,
): tf.Tensor {
  const t = userVecs.shape[0];
  // Eq 1: e_u (one row per task: u_t W_t + b_t by models/segment.ts's one-row products, whose every
  // gradient order stays in that family) and e_i (every row)
  const userAffine = (u: tf.Tensor, wt: tf.Tensor, b: tf.Tensor) =>
    tf.add(taskRowProduct(u, wt), tf.reshape(b, [t, -1]));
  const eu = lrelu(userAffine(lrelu(userAffine(userVecs, w.wu1, w.bu1)), w.wu2, w.bu2)); // [T, e]
  const ei = lrelu(layout.affine(lrelu(layout.affine(itemRows, w.wi1, w.bi1)), w.wi2, w.bi2));
  // Eq 2: z = lrelu(M_uI [e_u; e_i]) = lrelu(e_i muiItem^T + e_u muiUser^T)
  const userPart = tf.reshape(taskRowProductT(eu, w.muiUser), [t, 1, -1]); // [T, 1, e]
  const z = lrelu(layout.preference(ei, w.muiItem, userPart));
  const h = lrelu(layout.affine(z, w.wr2, w.br2));
  return layout.output(layout.affine(h, w.wr3, w.br3));
}

/** Padded item rows [T, L, Di] -> y^ [T, L]. */
export function mamoPaddedRows(tasks: number): MamoRowLayout {
  return {
    affine: taskAffine,
    preference: (ei, muiItem, userPart) =>
      tf.add(tf.matMul(ei as tf.Tensor3D, muiItem as tf.Tensor3D, false, true), userPart),
    output: (y) => tf.reshape(y, [tasks, -1]),
  };
}

/**
 * Ragged item rows [R, Di] (flat, task-contiguous; needs the segmented kernel,
 * kernels/segmentMatMul.ts) -> y^ [R].
 */
export function mamoRaggedRows(rows: RaggedRows, tasks: number): MamoRowLayout {
  return {
    affine: (x, w, b) => raggedAffine(x, w, b, rows),
    // e_i muiItem_t^T: B_t = muiItem_t^T
    preference: (ei, muiItem, userPart) =>
      raggedAffine(ei, tf.transpose(muiItem, [0, 2, 1]), tf.reshape(userPart, [tasks, -1]), rows),
    output: (y) => tf.reshape(y, [-1]),
  };
}
