/**
 * MML's meta-learners and adaptive fusion (Pan et al. CIKM 2022; peers.md B.2-B.4) over the
 * sequential backbone of models/sequence.ts, as pure functions over named parameter records.
 *
 * Two learners share the backbone's architecture and differ in their item representation E [I+1, d]
 * (row 0 = padding):
 *   id:   E = itemEmb                      (SASRec: one learned row per item)
 *   text: E = X W_text                     (SASRecFeat: X [I+1, d_t] the fixed text embeddings of
 *                                           data/textEmbedding.ts, row 0 zeros; W_text [d_t, d] learned)
 * Both read a task's window through its rows of E (itemRows [T, L, d]) and score the next item at every
 * position by a dot product with E: s_tl = h_tl E^T [I+1] (h = sequenceHidden, the backbone without a
 * rating head), padding masked to -1e9. E is global (never adapted); the local modules MML adapts are
 * the positions, the transformer blocks and the final layer norm (every tiled key here).
 *
 * Fusion (MML's AttentionModule, smaller): per user the learners' representations r_m [T, d] (the
 * hidden state at the last support position, after adaptation) give a weight per modality
 *   z_m = w2_m^T relu(W1_m LN(r_m) + b1_m) + b2_m,   a = softmax_m(z)  [T, M]  (ops.ts softmax)
 * and the fused scores are s^ = sum_m a_m std_I(s_m), std_I = the scores standardised over the real
 * items (MML layer-norms each score vector over items so their scales compare).
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../lib/rng';
import { gatherRows, logSoftmax, softmax } from './ops';
import { filled, glorot } from './params';
import { initSequence, sequenceHidden, type SequenceDims, type TaskParams } from './sequence';
import { layerNorm, rsqrt } from './sequenceOps';

export const MODALITIES = ['id', 'text'] as const;
export type Modality = (typeof MODALITIES)[number];

/** A learner's record: its item representation (itemEmb or textProj) and the backbone's local keys. */
export type LearnerParams = Readonly<Record<string, tf.Tensor>>;
/** Per modality m: `${m}.w1` [d, f], `${m}.b1` [f], `${m}.w2` [f, 1], `${m}.b2` [1]. */
export type FusionParams = Readonly<Record<string, tf.Tensor>>;

/** The keys of a learner that are global (its item representation); every other key is local. */
export const GLOBAL_KEYS: readonly string[] = ['itemEmb', 'textProj'];

/** A learner's initial record: the backbone without its rating head; text: W_text Glorot [d_t, d]. */
export function initLearner(
  modality: Modality,
  dims: SequenceDims,
  textDim: number,
  rng: Rng,
): Record<string, tf.Tensor> {
  const p = initSequence(dims, rng, 0);
  const drop = modality === 'text' ? ['headW', 'headB', 'itemEmb'] : ['headW', 'headB'];
  for (const key of drop) {
    p[key]!.dispose();
    delete p[key];
  }
  if (modality === 'text') p.textProj = glorot(rng.fork('text'), textDim, dims.hidden);
  return p;
}

/** E [I+1, d]: itemEmb, or X W_text for the text learner (X [I+1, d_t]). */
export function itemTable(p: LearnerParams, text: tf.Tensor2D | null): tf.Tensor2D {
  if (p.itemEmb) return p.itemEmb as tf.Tensor2D;
  if (!text || !p.textProj) throw new Error('Expected a text table and textProj for the text learner');
  return tf.matMul(text, p.textProj as tf.Tensor2D);
}

/**
 * The local (adapted) record for T tasks: every non-global key [...s] tiled to [T, ...s] (vectors as
 * [T, 1, n]). Gradients flow back to the shared record (first-order MAML's meta-gradient).
 */
export function localParams(p: LearnerParams, tasks: number, tile: (t: tf.Tensor) => tf.Tensor): TaskParams {
  const out: Record<string, tf.Tensor> = {};
  for (const [key, t] of Object.entries(p)) {
    if (GLOBAL_KEYS.includes(key)) continue;
    const tiled = tile(t);
    out[key] = t.rank === 1 ? tf.reshape(tiled, [tasks, 1, t.shape[0]!]) : tiled;
  }
  return out;
}

/** itemRows [T, L, d] = E[items] for items [T, L] (int32 rows of E, 0 = padding). */
export function itemRows(table: tf.Tensor2D, items: tf.Tensor2D): tf.Tensor {
  const [tasks, length] = items.shape;
  return tf.reshape(gatherRows(table, tf.reshape(items, [-1]) as tf.Tensor1D), [
    tasks,
    length,
    table.shape[1],
  ]);
}

/** The additive padding mask [I+1]: -1e9 at row 0, 0 elsewhere (a constant). */
export function paddingMask(rows: number): tf.Tensor1D {
  const values = new Float32Array(rows);
  values[0] = -1e9;
  return tf.tensor1d(values);
}

/** h [T, L, d] and next-item scores s [T, L, I+1] = h E^T + padding mask, at local weights `local`. */
export function learnerScores(
  local: TaskParams,
  rows: tf.Tensor,
  table: tf.Tensor2D,
  dims: SequenceDims,
): { hidden: tf.Tensor; scores: tf.Tensor } {
  const hidden = sequenceHidden({ ...local, itemRows: rows }, dims);
  const [tasks, length, d] = hidden.shape as [number, number, number];
  const flat = tf.matMul(tf.reshape(hidden, [tasks * length, d]) as tf.Tensor2D, table, false, true);
  const scores = tf.add(tf.reshape(flat, [tasks, length, table.shape[0]]), paddingMask(table.shape[0]));
  return { hidden, scores };
}

/**
 * Next-item cross-entropy: per task the mean over its positions l with weight 1 of
 * -log softmax(s_tl)[target_tl], then summed over tasks ('sum': the local loss whose gradient is each
 * task's own) or averaged ('mean': the meta-loss). scores [T, L, N], targets [T, L] int32, weights [T, L].
 */
export function nextItemLoss(
  scores: tf.Tensor,
  targets: tf.Tensor2D,
  weights: tf.Tensor2D,
  reduce: 'sum' | 'mean',
): tf.Scalar {
  const n = scores.shape[2]!;
  const picked = tf.sum(tf.mul(logSoftmax(scores), tf.oneHot(targets, n)), -1); // [T, L]
  const perTask = tf.div(tf.sum(tf.mul(picked, weights), 1), tf.maximum(tf.sum(weights, 1), 1));
  return tf.neg(reduce === 'sum' ? tf.sum(perTask) : tf.mean(perTask)) as tf.Scalar;
}

/** r [T, d]: h [T, L, d] at position `at` [T] (int32) of each task (the user's representation). */
export function positionRows(hidden: tf.Tensor, at: tf.Tensor1D): tf.Tensor2D {
  const length = hidden.shape[1]!;
  return tf.sum(tf.mul(hidden, tf.expandDims(tf.oneHot(at, length), -1)), 1) as tf.Tensor2D;
}

/** Fusion parameters for `modalities` (W1 Glorot [d, f], w2 Glorot [f, 1], zero biases). */
export function initFusion(
  modalities: readonly Modality[],
  hidden: number,
  width: number,
  rng: Rng,
): Record<string, tf.Tensor> {
  const p: Record<string, tf.Tensor> = {};
  for (const m of modalities) {
    p[`${m}.w1`] = glorot(rng.fork(`${m}1`), hidden, width);
    p[`${m}.b1`] = filled([width], 0);
    p[`${m}.w2`] = glorot(rng.fork(`${m}2`), width, 1);
    p[`${m}.b2`] = filled([1], 0);
  }
  return p;
}

/** a [T, M] = softmax_m(z_m(r_m)), r_m [T, d] per modality in `modalities` order. */
export function fusionWeights(
  f: FusionParams,
  modalities: readonly Modality[],
  reps: readonly tf.Tensor2D[],
): tf.Tensor2D {
  const d = reps[0]!.shape[1];
  const [one, zero] = [tf.ones([d]), tf.zeros([d])];
  const z = modalities.map((m, k) => {
    const x = layerNorm(reps[k]!, one, zero);
    const h = tf.relu(tf.add(tf.matMul(x, f[`${m}.w1`] as tf.Tensor2D), f[`${m}.b1`]!));
    return tf.add(tf.matMul(h, f[`${m}.w2`] as tf.Tensor2D), f[`${m}.b2`]!); // [T, 1]
  });
  return softmax(tf.concat(z, 1)) as tf.Tensor2D;
}

/** std_I(s): scores [T, L, N] standardised over the real items (columns 1..N-1), padding re-masked. */
export function standardiseScores(scores: tf.Tensor): tf.Tensor {
  const n = scores.shape[2]!;
  const real = tf.sub(1, tf.oneHot(tf.tensor1d([0], 'int32'), n).reshape([n])); // [N], 0 at padding
  const mean = tf.div(tf.sum(tf.mul(scores, real), -1, true), n - 1);
  const centred = tf.mul(tf.sub(scores, mean), real);
  const variance = tf.div(tf.sum(tf.square(centred), -1, true), n - 1);
  return tf.add(tf.mul(centred, rsqrt(tf.add(variance, 1e-6))), paddingMask(n));
}

/** s^ [T, L, N] = sum_m a_m std_I(s_m), a [T, M], scores s_m [T, L, N] in the same order. */
export function fusedScores(weights: tf.Tensor2D, scores: readonly tf.Tensor[]): tf.Tensor {
  const [tasks, m] = weights.shape;
  const parts = scores.map((s, k) =>
    tf.mul(standardiseScores(s), tf.reshape(tf.slice(weights, [0, k], [tasks, 1]), [tasks, 1, 1])),
  );
  return m === 1 ? parts[0]! : tf.addN(parts);
}
