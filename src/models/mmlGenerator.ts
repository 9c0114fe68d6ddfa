/**
 * MML's cold-start item-embedding generator (IEG; peers.md B.5), as pure functions over a named record.
 * A new item i (never in a training task) has text x_i [d_t] but no trained ID row; its K nearest
 * training items by text (data/textEmbedding.ts nearestNeighbours) N(i) have both. With
 * gq, gk [d_t, d_a] and gr [d_t, d]:
 *   alpha_ik = softmax_k( (x_i gq) . (x_k gk) / sqrt(d_a) )      attention over the K neighbours
 *   g_i      = sum_k alpha_ik E_k + x_i gr                         the generated ID row [d]
 * Trained (MML's IEG stage, here as reconstruction): for known items j, with N(j) excluding j itself,
 *   L_gen = mean_j || g_j - E_j ||^2      (E the meta-trained ID table, a constant)
 * MML's generator projects self and neighbours' attribute embeddings and meta-trains in place of ID
 * rows; this one attends over the neighbours' trained ID rows directly (the rows to imitate).
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../lib/rng';
import { gatherRows, softmax } from './ops';
import { glorot } from './params';

/** gq, gk [d_t, d_a], gr [d_t, d]. */
export type GeneratorParams = Readonly<Record<'gq' | 'gk' | 'gr', tf.Tensor2D>>;

export function initGenerator(textDim: number, hidden: number, rng: Rng): GeneratorParams {
  return {
    gq: glorot(rng.fork('q'), textDim, hidden),
    gk: glorot(rng.fork('k'), textDim, hidden),
    gr: glorot(rng.fork('r'), textDim, hidden),
  };
}

/**
 * g [B, d] and alpha [B, K] for items [B] (rows of the tables) with neighbours [B, K] (rows):
 * text X [R, d_t], ID table E [R, d] (rows as E's: ItemIndex + 1).
 */
export function generate(
  g: GeneratorParams,
  text: tf.Tensor2D,
  table: tf.Tensor2D,
  items: tf.Tensor1D,
  neighbours: tf.Tensor2D,
): { embedding: tf.Tensor2D; attention: tf.Tensor2D } {
  const [b, k] = neighbours.shape;
  const da = g.gq.shape[1];
  const flat = tf.reshape(neighbours, [-1]) as tf.Tensor1D;
  const self = gatherRows(text, items); // [B, d_t]
  const q = tf.matMul(self, g.gq); // [B, d_a]
  const keys = tf.reshape(tf.matMul(gatherRows(text, flat), g.gk), [b, k, da]); // [B, K, d_a]
  const logits = tf.mul(tf.sum(tf.mul(keys, tf.expandDims(q, 1)), -1), 1 / Math.sqrt(da)); // [B, K]
  const attention = softmax(logits) as tf.Tensor2D;
  const rows = tf.reshape(gatherRows(table, flat), [b, k, table.shape[1]]); // [B, K, d]
  const mixed = tf.sum(tf.mul(rows, tf.expandDims(attention, -1)), 1);
  return { embedding: tf.add(mixed, tf.matMul(self, g.gr)) as tf.Tensor2D, attention };
}

/** L_gen = mean_j ||g_j - E_j||^2 over items [B] (E a constant: pass it detached). */
export function generatorLoss(
  g: GeneratorParams,
  text: tf.Tensor2D,
  table: tf.Tensor2D,
  items: tf.Tensor1D,
  neighbours: tf.Tensor2D,
): tf.Scalar {
  const { embedding } = generate(g, text, table, items, neighbours);
  return tf.mean(tf.sum(tf.square(tf.sub(embedding, gatherRows(table, items))), -1)) as tf.Scalar;
}

/** E with rows `items` [B] replaced by `rows` [B, d] (the generated rows of new items). */
export function withRows(table: tf.Tensor2D, items: tf.Tensor1D, rows: tf.Tensor2D): tf.Tensor2D {
  const n = table.shape[0];
  const onehot = tf.cast(tf.oneHot(items, n), 'float32'); // [B, R]
  const keep = tf.sub(1, tf.sum(onehot, 0)); // [R] 0 at replaced rows (items are distinct)
  return tf.add(tf.mul(table, tf.expandDims(keep, 1)), tf.matMul(onehot, rows, true, false)) as tf.Tensor2D;
}
