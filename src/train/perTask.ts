/**
 * The per-task-weight skeleton MeLU and MAMO share (meluMeta.ts, mamoMeta.ts): every task's weights
 * [T, ...] at once, on one of two row forms, and the local SGD steps over them. Each model supplies
 * only its forward pass on a row layout (models/melu.ts meluForward, models/mamo.ts mamoForward).
 */
import * as tf from '@tensorflow/tfjs';
import { gatherRows } from '../models/ops';
import type { RowTensors } from './batch';
import { clipTaskGradients } from './fineTune';
import { flatTaskLoss, localGrads, paddedTaskLoss, sgdStep, type StepSizes } from './meta';

/** The row form of the per-task-weight strategies: tile pads to the longest task, ragged keeps the flat rows. */
export type Form = 'tile' | 'ragged';

/** A block's item rows in the form: padded [T, L, Di] or flat [R, Di] (item vectors itemVecs [U, Di]). */
export function itemRowsOf(form: Form, itemVecs: tf.Tensor2D, block: RowTensors, tasks: number): tf.Tensor {
  return form === 'tile'
    ? tf.reshape(gatherRows(itemVecs, block.padItem), [tasks, block.maxLen, itemVecs.shape[1]])
    : gatherRows(itemVecs, block.item);
}

/**
 * Sum over the block's tasks of each task's mean squared error, predictions in the form's layout
 * ([T, L] padded, padding weighted 0; or [R] flat): sum_t (1/n_t) sum_r (y^_r - y_r)^2.
 */
export function formTaskLoss(form: Form, pred: tf.Tensor, block: RowTensors): tf.Scalar {
  return form === 'tile' ? paddedTaskLoss(pred, block) : flatTaskLoss(pred, block);
}

/**
 * `steps` SGD steps of per-task weights w [T, ...] on `supportLoss` (the sum of the tasks' support
 * losses, so its gradient is every task's own), w <- w - lr_k g_k; clip > 0: each task's gradient
 * scaled to global norm <= clip first (the non-meta baseline's fine-tuning, fineTune.ts).
 */
export function adaptPerTask<W extends Record<string, tf.Tensor>>(
  w0: W,
  supportLoss: (w: W) => tf.Scalar,
  steps: number,
  lr: StepSizes,
  clip = 0,
): W {
  let w = w0;
  for (let k = 0; k < steps; k++) {
    const g = localGrads(w, supportLoss);
    w = sgdStep(w, clip > 0 ? clipTaskGradients(g, clip, lr) : g, lr);
  }
  return w;
}
