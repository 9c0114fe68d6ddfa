/**
 * MAMO's memories are state, not parameters: read by attention, written by blending rules (Eqs 3-8).
 *
 *   M_P  [K, Du]        profile memory: keys over the profile vectors p_u
 *   M_U  [K, |theta_u|] fast-gradient memory: b_u = a^T M_U, theta_u = phi_u - tau b_u   (Eqs 4, 9)
 *   M_UI [K, e, 2e]     task memory: M_uI = a^T M_UI, the user's preference matrix        (Eq 7)
 *   a_u = softmax_k(s cos(p_u, M_P[k]))                                                    (Eq 3, s = 1 in the paper)
 *
 * Writes, for each task of a meta-batch in order (Eqs 5, 6, 8), with r = alpha, beta, gamma:
 *   M <- r (a_t (x) v_t) + (1 - r) M
 * with v_t = p_u (M_P), the task's query-loss gradient w.r.t. its adapted theta_u (M_U; the authors'
 * code; RecBole uses the support gradient) and the locally adapted M_uI (M_UI; the paper and the
 * authors' code). Applying them task after task equals the closed form
 *   M_T = (1 - r)^T M_0 + sum_t r (1 - r)^(T-1-t) a_t (x) v_t,
 * one matmul per memory. Reads within a meta-batch see the memory as it was at the batch start (like
 * phi), which is what makes the batch one tensor program; evaluation reads but never writes.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../lib/rng';
import { glorot, normal } from './params';
import { softmax } from './ops';
import { fusedCosineSoftmax } from '../kernels/cosineSoftmax';

export interface MemoryState {
  readonly profile: tf.Tensor2D;
  readonly gradient: tf.Tensor2D;
  readonly task: tf.Tensor3D;
}

/**
 * Initial memories: M_P ~ N(0, 1) (the authors' randn), M_U ~ N(0, 0.05^2) with independent slots
 * (the authors' code aliases all K slots to one tensor), M_UI Glorot-uniform per slot (the authors'
 * randn, std 1, makes |M_uI x| ~ sqrt(2e) times |x|; Glorot keeps the recommender's scale).
 */
export function initMemory(
  rng: Rng,
  slots: number,
  profileWidth: number,
  userNetSize: number,
  e: number,
): MemoryState {
  const taskSlots = Array.from({ length: slots }, (_, k) => glorot(rng.fork(`mui${k}`), e, 2 * e));
  const task = tf.stack(taskSlots) as tf.Tensor3D;
  taskSlots.forEach((t) => t.dispose());
  return {
    profile: normal(rng.fork('profile'), [slots, profileWidth], 1) as tf.Tensor2D,
    gradient: normal(rng.fork('gradient'), [slots, userNetSize], 0.05) as tf.Tensor2D,
    task,
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

/** Eqs 4 and 7: b_u = a M_U [T, |theta_u|] and M_uI = a M_UI [T, e, 2e]. */
export function readMemory(
  a: tf.Tensor2D,
  memory: MemoryState,
): { bias: tf.Tensor2D; preference: tf.Tensor3D } {
  const [k, e, e2] = memory.task.shape;
  const t = a.shape[0];
  return {
    bias: tf.matMul(a, memory.gradient),
    preference: tf.reshape(tf.matMul(a, tf.reshape(memory.task, [k, e * e2])), [t, e, e2]),
  };
}

/**
 * M_T = (1 - r)^T M + sum_t r (1 - r)^(T-1-t) a_t (x) v_t  (sequential blends in task order).
 * memory [K, ...s], a [T, K], values [T, prod(s)] -> new memory [K, ...s].
 */
export function blendWrite(memory: tf.Tensor, a: tf.Tensor2D, values: tf.Tensor2D, rate: number): tf.Tensor {
  const t = a.shape[0];
  const k = memory.shape[0]!;
  const coefficients = new Float32Array(t);
  for (let i = 0; i < t; i++) coefficients[i] = rate * Math.pow(1 - rate, t - 1 - i);
  const weighted = tf.mul(a, tf.tensor2d(coefficients, [t, 1])); // [T, K]
  const update = tf.matMul(weighted, values, true, false); // [K, prod(s)]
  const kept = tf.mul(Math.pow(1 - rate, t), tf.reshape(memory, [k, -1]));
  return tf.reshape(tf.add(kept, update), memory.shape);
}

/** Writes all three memories after a meta-batch (the caller disposes the old state). */
export function writeMemory(
  memory: MemoryState,
  a: tf.Tensor2D,
  writes: { profiles: tf.Tensor2D; userGradients: tf.Tensor2D; adaptedPreferences: tf.Tensor2D },
  rates: { alpha: number; beta: number; gamma: number },
): MemoryState {
  return {
    profile: blendWrite(memory.profile, a, writes.profiles, rates.alpha) as tf.Tensor2D,
    gradient: blendWrite(memory.gradient, a, writes.userGradients, rates.beta) as tf.Tensor2D,
    task: blendWrite(memory.task, a, writes.adaptedPreferences, rates.gamma) as tf.Tensor3D,
  };
}

export function disposeMemory(memory: MemoryState): void {
  memory.profile.dispose();
  memory.gradient.dispose();
  memory.task.dispose();
}
