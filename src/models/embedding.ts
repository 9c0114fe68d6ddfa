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
import {
  embeddingBag,
  embeddingBagTValue,
  embeddingBagValue,
  gatherRows,
  gatherRowsValue,
  scatterRowsValue,
} from './ops';
import { kernelEmbedSide, kernelEmbedSideT } from '../kernels/rowsWasm';

/**
 * How a model's parameters start (config initScheme). glorot: Glorot-uniform weights, zero hidden
 * biases, the output bias at the mean rating, every table row N(0, 1). pytorch: PyTorch's defaults, as
 * MeLU's code gets them: linear weights and biases U(-1/sqrt(fan_in), 1/sqrt(fan_in)); single-valued
 * fields' rows N(0, 1) (nn.Embedding); multi-hot fields' rows U(-1/sqrt(V), 1/sqrt(V)), V the field's
 * vocabulary ('<unk>' not counted), since MeLU embeds a multi-hot vector with a bias-free nn.Linear(V, e).
 */
export type InitScheme = 'glorot' | 'pytorch';

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
 * On wasm a side with both kinds of field is embedded (and its adjoint taken) by one kernel that writes
 * the index fields' rows and the bags into their columns (kernels/rowsWasm.ts kernelEmbedSide): the
 * concat and the adjoint's slices were ~1 ms of a ~10 ms MeLU step on ML-1M (tf.profile).
 */
function fusedSide(side: SideLayout, inputs: SideInputs): boolean {
  return (
    tf.getBackend() === 'wasm' &&
    side.indexFields > 0 &&
    side.multiFields > 0 &&
    inputs.multi !== null &&
    inputs.multiWeights !== null
  );
}

/**
 * v = [E[i_1], ..., E[i_F], sum_j w_1j E[m_1j], ..., sum_j w_Gj E[m_Gj]]  for each of n rows.
 * table [V, e] -> [n, (F + G) e]
 */
export function embedSide(
  table: tf.Tensor2D,
  side: SideLayout,
  inputs: SideInputs,
  valuesOnly = false,
): tf.Tensor2D {
  const e = table.shape[1];
  const n = inputs.index.shape[0];
  if (valuesOnly && fusedSide(side, inputs))
    return kernelEmbedSide(table, inputs.index, inputs.multi!, inputs.multiWeights!, side.multiFields);
  const parts: tf.Tensor2D[] = [];
  if (side.indexFields > 0) {
    const idx = tf.reshape(inputs.index, [-1]) as tf.Tensor1D;
    const rows = valuesOnly ? gatherRowsValue(table, idx) : gatherRows(table, idx);
    parts.push(tf.reshape(rows, [n, side.indexFields * e]));
  }
  if (side.multiFields > 0 && inputs.multi && inputs.multiWeights)
    parts.push(
      (valuesOnly ? embeddingBagValue : embeddingBag)(
        table,
        inputs.multi,
        inputs.multiWeights,
        side.multiFields,
      ),
    );
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

/**
 * Fresh tables drawn from rng's 'userTable' and 'itemTable' forks: N(0, EMBEDDING_INIT_STD^2) rows, and
 * under the pytorch scheme each multi-hot field's rows (side.multiRows) U(-1/sqrt(V), 1/sqrt(V)) instead.
 */
export function initSideTables(dims: SideDims, rng: Rng, scheme: InitScheme = 'glorot'): SideTables {
  return {
    userTable: sideTable(rng.fork('userTable'), dims.user, dims.e, scheme),
    itemTable: sideTable(rng.fork('itemTable'), dims.item, dims.e, scheme),
  };
}

/** Limits of the uniform init of each table row under the pytorch scheme (0 = a normal row). */
export function pytorchRowLimits(side: SideLayout): Float32Array {
  const limits = new Float32Array(side.tableRows);
  const multi = side.multiRows ?? [];
  let row = side.tableRows - multi.reduce((a, b) => a + b, 0);
  for (const rows of multi) {
    limits.fill(1 / Math.sqrt(Math.max(1, rows - 1)), row, row + rows);
    row += rows;
  }
  return limits;
}

function sideTable(rng: Rng, side: SideLayout, e: number, scheme: InitScheme): tf.Tensor2D {
  const limits = scheme === 'pytorch' ? pytorchRowLimits(side) : null;
  const values = new Float32Array(side.tableRows * e);
  for (let r = 0; r < side.tableRows; r++) {
    const limit = limits?.[r] ?? 0;
    for (let j = 0; j < e; j++)
      values[r * e + j] = limit > 0 ? (2 * rng.next() - 1) * limit : rng.normal() * EMBEDDING_INIT_STD;
  }
  return tf.tensor2d(values, [side.tableRows, e]);
}

/** Item vectors [U, Di] and user vectors [T, Du] of a batch. */
export function embedSides(
  params: SideTables,
  dims: SideDims,
  items: SideInputs,
  users: SideInputs,
  valuesOnly = false,
): { itemVecs: tf.Tensor2D; userVecs: tf.Tensor2D } {
  return {
    itemVecs: embedSide(params.itemTable, dims.item, items, valuesOnly),
    userVecs: embedSide(params.userTable, dims.user, users, valuesOnly),
  };
}

/**
 * The adjoint of embedSide (its table gradient, by hand, for hand-written backward passes): for
 * d = dL/d(side vectors) [n, (F + G) e], the index fields' rows scatter-add d's first F e columns into
 * their table rows, the multi-hot fields' bag adjoint spreads the rest with the bag weights:
 *   dTable[v] = sum_{(r, f): index[r, f] = v} d[r, f e .. (f + 1) e) + embeddingBagT(d[:, F e ..]).
 * `rows` = the table's row count. Values only (no tape).
 */
export function embedSideAdjoint(
  side: SideLayout,
  inputs: SideInputs,
  d: tf.Tensor2D,
  rows: number,
): tf.Tensor2D {
  if (fusedSide(side, inputs))
    return kernelEmbedSideT(d, inputs.index, inputs.multi!, inputs.multiWeights!, side.multiFields, rows);
  const n = d.shape[0];
  const e = d.shape[1] / (side.indexFields + side.multiFields);
  const f = side.indexFields;
  let table: tf.Tensor2D | null = null;
  if (f > 0) {
    const di = f === d.shape[1] / e ? d : tf.slice(d, [0, 0], [n, f * e]);
    table = scatterRowsValue(tf.reshape(di, [n * f, e]), tf.reshape(inputs.index, [-1]) as tf.Tensor1D, rows);
  }
  if (side.multiFields > 0 && inputs.multi && inputs.multiWeights) {
    const dm = f === 0 ? d : tf.slice(d, [0, f * e], [n, side.multiFields * e]);
    // the multi-hot adjoint adds into the index fields' table (one pass, no separate add)
    table = embeddingBagTValue(
      dm as tf.Tensor2D,
      inputs.multi,
      inputs.multiWeights,
      side.multiFields,
      rows,
      table,
    );
  }
  return table ?? tf.zeros([rows, e]);
}
