/**
 * A first layer whose per-task weights are HELD, never formed: W_t = W + X_s,t^T A_t, the shared W [Di, H]
 * and coefficient rows A [Rs, H] on the support rows (MeLU's W1i, meluRaggedPass.ts; MAMO's theta_i
 * layer, mamoByHand.ts). It works because the layer's inputs (the item rows) are constants of the local
 * steps and its local gradient per task is X_s,t^T d: a step adds -alpha d to A. A block's rows x
 * (support or query) meet it through the Gram blocks of the block against the support rows, per task:
 *   x_r W_t   = x W + (x_r X_s,t^T) A_t          (heldTimes; [R, H])
 *   d_r W_t^T = d W^T + (d_r A_t^T) X_s,t        (heldTimesT; [R, Di]: the rows' input gradient)
 * At MeLU's and MAMO's widths (Di = 128 inputs, ~34 support rows per task) the Gram products are ~4x
 * fewer multiply-adds than x W_t, and no [T, Di, H] tensor exists. Per-task products on ragged rows are
 * the segmented kernel's (kernels/segmentMatMul.ts; segment.ts has the modes).
 */
import * as tf from '@tensorflow/tfjs';
import { VALUES } from '../models/ops';
import { segmentProduct } from '../kernels/segmentMatMul';

type T2 = tf.Tensor2D;

/** A block's item rows against the support rows of the same tasks. */
export interface HeldInput {
  /** the block's rows x [R, Di], rows per task, and x W [R, H] */
  readonly x: T2;
  readonly counts: number[];
  readonly xw: T2;
  /** the support rows X_s [Rs, Di], their counts, and the shared W */
  readonly xs: T2;
  readonly supportCounts: number[];
  readonly w: T2;
  /** per task x_r X_s,t^T [sum_t n_t n_s,t], computed at the first call */
  gram(): tf.Tensor;
}

/** Per-task products between blocks: P_t = A_t B_t^T, C_t = P_t B_t, C_t = P_t^T A_t (segment.ts). */
export const gramOf = (a: tf.Tensor, b: tf.Tensor, na: number[], nb: number[]) =>
  segmentProduct('gram', a, b, na, nb);
export const applyOf = (p: tf.Tensor, b: tf.Tensor, na: number[], nb: number[]) =>
  segmentProduct('apply', p, b, na, nb) as T2;
export const applyTOf = (p: tf.Tensor, a: tf.Tensor, na: number[], nb: number[]) =>
  segmentProduct('applyT', p, a, na, nb) as T2;

/** The held input of a block x [R, Di] (counts per task); `support` omitted: x is the support block. */
export function heldInput(x: T2, counts: number[], w: T2, support?: HeldInput): HeldInput {
  const xs = support?.xs ?? x;
  const sc = support?.supportCounts ?? counts;
  let gram: tf.Tensor | null = null;
  return {
    x,
    counts,
    xw: VALUES.mm(x, w),
    xs,
    supportCounts: sc,
    w,
    gram: () => (gram ??= gramOf(x, xs, counts, sc)),
  };
}

/** Coefficient rows known to be zero (the local steps' start): their products are skipped. */
const ZERO = new WeakSet<tf.Tensor>();

/** A [supportRows, h] of zeros, marked as such. */
export function zeroCoefficients(supportRows: number, h: number): T2 {
  const z = tf.zeros([supportRows, h]) as T2;
  ZERO.add(z);
  return z;
}

/** Whether a coefficient tensor is known to be zero (made by zeroCoefficients). */
export const isZeroCoefficients = (a: tf.Tensor): boolean => ZERO.has(a);

/** (x_r X_s,t^T) A_t [R, H]: the held part of x_r W_t; null when A is known to be zero. */
export function heldCorrection(input: HeldInput, a: tf.Tensor): T2 | null {
  return ZERO.has(a) ? null : applyOf(input.gram(), a, input.counts, input.supportCounts);
}

/** x_r W_t = x W + (x_r X_s,t^T) A_t: [R, H]. */
export function heldTimes(input: HeldInput, a: tf.Tensor): T2 {
  const corr = heldCorrection(input, a);
  return corr ? (tf.add(input.xw, corr) as T2) : input.xw;
}

/** d_r W_t^T = d W^T + (d_r A_t^T) X_s,t for d [R, H]: [R, Di]. */
export function heldTimesT(input: HeldInput, d: T2, a: tf.Tensor): T2 {
  const shared = VALUES.mmT(d, input.w);
  if (ZERO.has(a)) return shared;
  const { counts, supportCounts: sc } = input;
  return tf.add(shared, applyOf(gramOf(d, a, counts, sc), input.xs, counts, sc)) as T2;
}
