/**
 * Field embeddings ("embedding bags"). Each side (users, items) has ONE table holding the rows of all
 * its fields (per-field offsets are baked into the codes by data/features.ts), so a batch needs one
 * gather per side instead of one per field.
 *
 * A side has `indexFields` fields with exactly one code per row, and `multiFields` multi-hot fields,
 * each padded to `width` codes with weights (1/count for real codes, 0 for padding): the field's
 * vector is the weighted sum, i.e. the MEAN of its codes' embeddings (MeLU's multi-hot mean).
 */
import * as tf from '@tensorflow/tfjs';
import type { SideLayout } from '../data/features';
import type { Rng } from '../lib/rng';
import { embeddingBag, gatherRows } from './ops';
import { normal } from './params';

/** How one side's fields map onto its embedding table (data/features.ts builds it). */
export type { SideLayout };

/** Width of a side's embedding vector: (indexFields + multiFields) * e. */
export function sideWidth(side: SideLayout, e: number): number {
  return (side.indexFields + side.multiFields) * e;
}

/** Per-row inputs of one side (built from typed arrays once per batch). */
export interface SideInputs {
  /** [n, indexFields] int32 rows of the table */
  readonly index: tf.Tensor2D;
  /** [n, multiFields * width] int32, or null when the side has no multi-hot fields */
  readonly multi: tf.Tensor2D | null;
  /** [n, multiFields * width] float32 weights (1/count, 0 for padding) */
  readonly multiWeights: tf.Tensor2D | null;
}

/**
 * v = [E[i_1], ..., E[i_F], sum_j w_1j E[m_1j], ..., sum_j w_Gj E[m_Gj]]  for each of n rows.
 * table [V, e] -> [n, (F + G) e]
 */
export function embedSide(table: tf.Tensor2D, side: SideLayout, inputs: SideInputs): tf.Tensor2D {
  const e = table.shape[1];
  const n = inputs.index.shape[0];
  const parts: tf.Tensor2D[] = [];
  if (side.indexFields > 0) {
    const rows = gatherRows(table, tf.reshape(inputs.index, [-1]) as tf.Tensor1D);
    parts.push(tf.reshape(rows, [n, side.indexFields * e]));
  }
  if (side.multiFields > 0 && inputs.multi && inputs.multiWeights)
    parts.push(embeddingBag(table, inputs.multi, inputs.multiWeights, side.multiFields));
  return parts.length === 1 ? parts[0]! : tf.concat(parts, 1);
}

/**
 * Embedding tables start at N(0, 1), PyTorch's nn.Embedding default that both papers' code uses; the
 * first layers' Glorot weights keep the activations O(1).
 */
export const EMBEDDING_INIT_STD = 1;

/** The two embedding tables every model holds: [userRows, e] and [itemRows, e]. */
export interface SideTables {
  readonly userTable: tf.Tensor2D;
  readonly itemTable: tf.Tensor2D;
}

/** The two sides' layouts and the embedding width e. */
export interface SideDims {
  readonly e: number;
  readonly user: SideLayout;
  readonly item: SideLayout;
}

/** Fresh tables, N(0, EMBEDDING_INIT_STD^2), drawn from rng's 'userTable' and 'itemTable' forks. */
export function initSideTables(dims: SideDims, rng: Rng): SideTables {
  return {
    userTable: normal(
      rng.fork('userTable'),
      [dims.user.tableRows, dims.e],
      EMBEDDING_INIT_STD,
    ) as tf.Tensor2D,
    itemTable: normal(
      rng.fork('itemTable'),
      [dims.item.tableRows, dims.e],
      EMBEDDING_INIT_STD,
    ) as tf.Tensor2D,
  };
}

/** Item vectors [U, Di] and user vectors [T, Du] of a batch. */
export function embedSides(
  params: SideTables,
  dims: SideDims,
  items: SideInputs,
  users: SideInputs,
): { itemVecs: tf.Tensor2D; userVecs: tf.Tensor2D } {
  return {
    itemVecs: embedSide(params.itemTable, dims.item, items),
    userVecs: embedSide(params.userTable, dims.user, users),
  };
}
