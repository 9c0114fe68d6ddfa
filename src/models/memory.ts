/**
 * MAMO's memories are state, not parameters: read by attention, written by blending rules (Eqs 3-8).
 *
 *   M_P  [K, Du]        profile memory: keys over the profile vectors p_u
 *   M_U  [K, |theta_u|] fast-gradient memory: b_u = a^T M_U, theta_u = phi_u - tau b_u   (Eqs 4, 9)
 *   M_UI [K, e, 2e]     task memory: M_uI = a^T M_UI, the user's preference matrix        (Eq 7)
 *   a_u = softmax_k(s cos(p_u, M_P[k]))                                                    (Eq 3, s = 1 in the paper)
 *
 * Writes, for each task of a meta-batch in order (Eqs 5, 6, 8), with r = alpha, beta, gamma and
 * v_t = p_u (M_P), the task's query-loss gradient w.r.t. its adapted theta_u (M_U; the authors' code;
 * RecBole uses the support gradient) and the locally adapted M_uI (M_UI; the paper and the authors'
 * code), in one of two forms (the `memoryWrite` setting):
 *   paper:      M <- r (a_t (x) v_t) + (1 - r) M              (Eqs 5, 6, 8 as printed)
 *   slot-gated: M_k <- M_k + r a_tk (v_t - M_k)               (the default)
 * Why slot-gated: the printed rule decays EVERY slot by (1 - r) at every write, so with alpha = 0.5 the
 * profile memory forgets all but the last two or three users, every slot becomes the same recent
 * average, cos(p_u, M_P[k]) is the same for every k and the attention is exactly uniform from then on
 * (measured: max attention 0.333 with K = 3, slot spread ~1e-6; docs/results-pre-v1.md). Gating the decay by the
 * attention makes each slot an attention-weighted running mean of the users that read it (online soft
 * k-means), so slots keep apart; with one-hot attention both forms move the read slot identically.
 * Closed forms of T sequential writes (one matmul per memory):
 *   paper:      M_T = (1 - r)^T M_0 + sum_t r (1 - r)^(T-1-t) a_t (x) v_t
 *   slot-gated: M_T[k] = P_k M_0[k] + sum_t c_tk v_t,  c_tk = r a_tk prod_{s>t} (1 - r a_sk),
 *               P_k = prod_t (1 - r a_tk)   (products as exp of (suffix) sums of logs)
 * Reads within a meta-batch see the memory as it was at the batch start (like phi), which is what
 * makes the batch one tensor program; evaluation reads but never writes.
 *
 * Storage: M_U is kept as one [K, size] tensor per tensor of theta_u and M_UI as its two halves
 * [K, e, e] (user part, item part), so reads need no split (tf.split is slow on tfjs-wasm); the maths
 * is the same as one flat M_U and one M_UI.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../lib/rng';
import { glorot, normal } from './params';
import { exp, reshapeTo, softmax } from './ops';
import { fusedCosineSoftmax } from '../kernels/cosineSoftmax';

/** The tensors of theta_u, in order (M_U holds one memory per tensor). */
export const USER_NET_KEYS = ['wu1', 'bu1', 'wu2', 'bu2'] as const;
export type UserNetKey = (typeof USER_NET_KEYS)[number];
export type UserNetRecord = Record<UserNetKey, tf.Tensor>;

export interface MemoryState {
  /** M_P [K, Du] */
  readonly profile: tf.Tensor2D;
  /** M_U: per tensor of theta_u, [K, size of that tensor] */
  readonly gradient: Readonly<Record<UserNetKey, tf.Tensor2D>>;
  /** M_UI = [taskUser | taskItem], each [K, e, e] */
  readonly taskUser: tf.Tensor3D;
  readonly taskItem: tf.Tensor3D;
}

/**
 * Initial memories: M_P ~ N(0, 1) (the authors' randn), M_U ~ N(0, 0.05^2) with independent slots
 * (the authors' code aliases all K slots to one tensor), M_UI Glorot-uniform per slot (the authors'
 * randn, std 1, makes |M_uI x| ~ sqrt(2e) times |x|; Glorot keeps the recommender's scale).
 * userNetShapes: the shapes of theta_u's tensors in USER_NET_KEYS order.
 */
export function initMemory(
  rng: Rng,
  slots: number,
  profileWidth: number,
  userNetShapes: number[][],
  e: number,
): MemoryState {
  const halves = Array.from({ length: slots }, (_, k) => glorot(rng.fork(`mui${k}`), e, 2 * e, e, 2 * e));
  const task = tf.stack(halves) as tf.Tensor3D;
  halves.forEach((t) => t.dispose());
  const [taskUser, taskItem] = tf.split(task, 2, 2) as [tf.Tensor3D, tf.Tensor3D];
  task.dispose();
  const gradient = {} as Record<UserNetKey, tf.Tensor2D>;
  USER_NET_KEYS.forEach((key, i) => {
    const size = userNetShapes[i]!.reduce((a, b) => a * b, 1);
    gradient[key] = normal(rng.fork(`gradient:${key}`), [slots, size], 0.05) as tf.Tensor2D;
  });
  return {
    profile: normal(rng.fork('profile'), [slots, profileWidth], 1) as tf.Tensor2D,
    gradient,
    taskUser,
    taskItem,
  };
}

/** cos(p_t, m_k) for p [T, d], m [K, d] -> [T, K] (norms floored at 1e-12 for zero rows). */
export function cosine(p: tf.Tensor2D, m: tf.Tensor2D): tf.Tensor2D {
  const pn = tf.div(p, tf.maximum(tf.sqrt(tf.sum(tf.square(p), 1, true)), 1e-12));
  const mn = tf.div(m, tf.maximum(tf.sqrt(tf.sum(tf.square(m), 1, true)), 1e-12));
  return tf.matMul(pn, mn, false, true);
}

/**
 * Eq 3: a = softmax(scale * cos(p_u, M_P)), p [T, Du] -> [T, K]; one fused kernel on WebGPU
 * (kernels/cosineSoftmax.ts), second-order-safe composite ops elsewhere.
 */
export function attention(profiles: tf.Tensor2D, memory: MemoryState, scale: number): tf.Tensor2D {
  return (
    fusedCosineSoftmax(profiles, memory.profile, scale) ??
    (softmax(tf.mul(scale, cosine(profiles, memory.profile))) as tf.Tensor2D)
  );
}

/**
 * Eqs 4 and 7: b_u = a M_U per tensor of theta_u ([T, ...shape]) and M_uI = a M_UI as its halves
 * [T, e, e]. shapes: theta_u's tensor shapes in USER_NET_KEYS order.
 */
export function readMemory(
  a: tf.Tensor2D,
  memory: MemoryState,
  shapes: number[][],
): { bias: UserNetRecord; muiUser: tf.Tensor3D; muiItem: tf.Tensor3D } {
  const t = a.shape[0];
  const [k, e] = memory.taskUser.shape;
  const bias = {} as UserNetRecord;
  USER_NET_KEYS.forEach(
    (key, i) => (bias[key] = reshapeTo(tf.matMul(a, memory.gradient[key]), [t, ...shapes[i]!])),
  );
  const half = (m: tf.Tensor3D) =>
    tf.reshape(tf.matMul(a, tf.reshape(m, [k, e * e])), [t, e, e]) as tf.Tensor3D;
  return { bias, muiUser: half(memory.taskUser), muiItem: half(memory.taskItem) };
}

export type MemoryWriteForm = 'paper' | 'slot-gated';

/**
 * The coefficients of T sequential writes at rate r in closed form (see the file comment): weighted
 * [T, K] (c_tk) and what every slot keeps of its old value, (1 - r)^T (paper, a number) or P_k [K, 1]
 * (slot-gated). a [T, K].
 */
function blendCoefficients(
  a: tf.Tensor2D,
  rate: number,
  form: MemoryWriteForm,
): { weighted: tf.Tensor2D; kept: number | tf.Tensor } {
  const t = a.shape[0];
  if (form === 'slot-gated') {
    const k = a.shape[1];
    // log(1 - r a_tk) [T, K]; suffix sums exclude task t itself: S_tk = total_k - inclusive cumsum_tk
    const logs = tf.log(tf.maximum(tf.sub(1, tf.mul(rate, a)), 1e-30));
    const total = tf.sum(logs, 0, true); // [1, K]
    const suffix = tf.sub(total, tf.cumsum(logs, 0));
    // writes are never differentiated; ops.exp only keeps every exp of models/ second-order safe
    return { weighted: tf.mul(tf.mul(rate, a), exp(suffix)), kept: tf.reshape(exp(total), [k, 1]) };
  }
  const coefficients = new Float32Array(t);
  for (let i = 0; i < t; i++) coefficients[i] = rate * Math.pow(1 - rate, t - 1 - i);
  return { weighted: tf.mul(a, tf.tensor2d(coefficients, [t, 1])), kept: Math.pow(1 - rate, t) };
}

/** kept * M + weighted^T values: memory [K, ...s], values [T, prod(s)] -> [K, ...s]. */
function applyBlend(
  memory: tf.Tensor,
  c: { weighted: tf.Tensor2D; kept: number | tf.Tensor },
  values: tf.Tensor2D,
): tf.Tensor {
  const k = memory.shape[0]!;
  const flat = reshapeTo(memory, [k, values.shape[1]]);
  const update = tf.matMul(c.weighted, values, true, false); // [K, prod(s)]
  return reshapeTo(tf.add(tf.mul(c.kept, flat), update), memory.shape);
}

/**
 * T sequential writes in task order, in closed form (see the file comment for both forms).
 * memory [K, ...s], a [T, K], values [T, prod(s)] -> new memory [K, ...s]. Never differentiated.
 */
export function blendWrite(
  memory: tf.Tensor,
  a: tf.Tensor2D,
  values: tf.Tensor2D,
  rate: number,
  form: MemoryWriteForm = 'paper',
): tf.Tensor {
  return applyBlend(memory, blendCoefficients(a, rate, form), values);
}

export interface MemoryWrites {
  /** p_u [T, Du] */
  readonly profiles: tf.Tensor2D;
  /** each task's gradient w.r.t. its adapted theta_u, per tensor [T, ...shape] */
  readonly userGradients: UserNetRecord;
  /** adapted M_uI halves [T, e, e] */
  readonly muiUser: tf.Tensor;
  readonly muiItem: tf.Tensor;
}

/**
 * Writes all three memories after a meta-batch (Eqs 5, 6, 8) in `form`; the caller disposes the old state.
 * gradientScale [T, 1] (optional) scales each task's M_U write (the per-task clip of mamoWrites.ts), folded
 * into the write coefficients: (c s)^T V = c^T (s V). The coefficients are computed once per rate.
 */
export function writeMemory(
  memory: MemoryState,
  a: tf.Tensor2D,
  writes: MemoryWrites,
  rates: { profile: number; gradient: number; preference: number },
  form: MemoryWriteForm = 'paper',
  gradientScale?: tf.Tensor,
): MemoryState {
  const t = a.shape[0];
  const flat = (x: tf.Tensor) => reshapeTo(x, [t, x.size / t]) as tf.Tensor2D;
  const byGradient = blendCoefficients(a, rates.gradient, form);
  const scaled = gradientScale
    ? { ...byGradient, weighted: tf.mul(byGradient.weighted, gradientScale) as tf.Tensor2D }
    : byGradient;
  const gradient = {} as Record<UserNetKey, tf.Tensor2D>;
  for (const key of USER_NET_KEYS)
    gradient[key] = applyBlend(memory.gradient[key], scaled, flat(writes.userGradients[key])) as tf.Tensor2D;
  const byPreference = blendCoefficients(a, rates.preference, form);
  return {
    profile: blendWrite(memory.profile, a, writes.profiles, rates.profile, form) as tf.Tensor2D,
    gradient,
    taskUser: applyBlend(memory.taskUser, byPreference, flat(writes.muiUser)) as tf.Tensor3D,
    taskItem: applyBlend(memory.taskItem, byPreference, flat(writes.muiItem)) as tf.Tensor3D,
  };
}

/** Every tensor of a memory state. */
export function memoryTensors(memory: MemoryState): tf.Tensor[] {
  return [memory.profile, ...Object.values(memory.gradient), memory.taskUser, memory.taskItem];
}

export function disposeMemory(memory: MemoryState): void {
  for (const t of memoryTensors(memory)) t.dispose();
}
