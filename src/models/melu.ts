/**
 * MeLU (Lee et al., KDD 2019) as pure functions over a named parameter record.
 *
 *   x = [v_item ; v_user]                       field embeddings (embedding.ts), widths Di and Du
 *   h1 = relu(x W1 + b1) = relu(v_item W1i + v_user W1u + b1)     W1 split by input part, [D, H]
 *   h_k = relu(h_{k-1} W_k + b_k), k = 2..L                         [H, H]  (L = hiddenLayers, MeLU: 2)
 *   y^ = h_L w_{L+1} + b_{L+1}                                      [H, 1]; rating regression, MSE
 *
 * Locally adapted (MeLU's "decision layers"): W1i, W1u, b1, then W_k, b_k of every later layer. The
 * embedding tables are global: meta-updated only. Splitting W1 by input part is the same model; it lets
 * the user part be computed once per task instead of once per rating row.
 *
 * ONE MATH, SEVERAL ROW LAYOUTS. The forward pass is written once (meluForward) over a MeluRowLayout:
 * shared 2-D weights on flat rows (sharedRows), per-task 3-D weights on padded rows (paddedRows) or on
 * ragged, task-contiguous rows through the segmented kernel (raggedRows). The layer list comes from the
 * parameter record (meluLayers): every formulation (train/meluMeta.ts, meluRagged.ts, meluCommon.ts)
 * loops over it, so a hidden layer is added by `hiddenLayers` (config) and nothing else.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../lib/rng';
import { initSideTables, sideWidth, type InitScheme, type SideLayout } from './embedding';
import { gatherRows, mm, relu } from './ops';
import { raggedAffine, taskRowProduct, type RaggedRows } from './segment';
import { glorot, uniform } from './params';

export interface MeluDims {
  readonly e: number;
  readonly hidden: number;
  readonly user: SideLayout;
  readonly item: SideLayout;
  /** hidden layers L (MeLU: 2); the record then holds w2, b2, ..., w{L+1}, b{L+1} */
  readonly hiddenLayers?: number;
}

/** The weight and bias keys of the layers after the first: 'w2', 'b2', ..., 'w{L+1}', 'b{L+1}'. */
export type MeluLayerKey = `w${number}` | `b${number}`;

export type MeluParams = {
  userTable: tf.Tensor2D;
  itemTable: tf.Tensor2D;
  w1Item: tf.Tensor2D;
  w1User: tf.Tensor2D;
  b1: tf.Tensor1D;
  /**
   * Optional meta-learned local rates (config localRateLr > 0): rho, one per meluLocalKeys entry in
   * order, the local step of key k being innerLr * exp(rho_k) (train/meta.ts learnedRates).
   */
  localLogRate?: tf.Tensor1D;
} & { [K in MeluLayerKey]: tf.Tensor };

/** The locally adapted weights (MeLU adapts the MLP only), shared [in, out] or per task [T, in, out]. */
export type MeluLocal = Record<string, tf.Tensor>;

/** One layer after the first: y = act(h W + b), ReLU on hidden layers, linear on the output. */
export interface MeluLayer {
  readonly w: string;
  readonly b: string;
  readonly relu: boolean;
}

/** The number of hidden layers L of a weight record (the later layers' keys it holds). */
export function meluDepth(w: object): number {
  let k = 2;
  while (`w${k}` in w) k++;
  if (k < 3) throw new Error('A MeLU record needs at least one layer after the first (w2, b2)');
  return k - 2;
}

/** The layers after the first of a record of depth L: hidden 2..L with ReLU, then the linear output. */
export function meluLayers(w: object): MeluLayer[] {
  const depth = meluDepth(w);
  return Array.from({ length: depth }, (_, i) => ({ w: `w${i + 2}`, b: `b${i + 2}`, relu: i + 2 <= depth }));
}

/** The locally adapted keys in order (the learned rates' order) for L hidden layers. */
export function meluLocalKeys(hiddenLayers: number): string[] {
  const keys = ['w1Item', 'w1User', 'b1'];
  for (let k = 2; k <= hiddenLayers + 1; k++) keys.push(`w${k}`, `b${k}`);
  return keys;
}

/** The output layer's keys (what "fine-tune the last layer" moves). */
export function meluOutputKeys(w: object): string[] {
  const out = meluLayers(w).at(-1)!;
  return [out.w, out.b];
}

/** A key of a weight record that must be there. */
export function weight(w: Record<string, tf.Tensor | undefined>, key: string): tf.Tensor {
  const t = w[key];
  if (!t) throw new Error(`MeLU weight ${key} missing`);
  return t;
}

/**
 * Initial parameters. glorot (the default): Glorot-uniform weights, zero hidden biases, the output
 * bias = mean training rating (so the first predictions are the global mean, not 0: MSE starts near
 * the rating variance). pytorch (MeLU's code): every weight and bias U(-1/sqrt(fan_in), 1/sqrt(fan_in)),
 * fan_in of W1 being the whole input [item; user], and the tables as initSideTables says. `learnRates`:
 * also the local log-rates rho = 0 (every local step starts at the configured rate). Each tensor draws
 * from its own fork named by its key, so a deeper network leaves the shallower one's draws unchanged.
 */
export function initMelu(
  dims: MeluDims,
  rng: Rng,
  meanRating: number,
  options: { readonly learnRates?: boolean; readonly scheme?: InitScheme } = {},
): MeluParams {
  const di = sideWidth(dims.item, dims.e);
  const du = sideWidth(dims.user, dims.e);
  const h = dims.hidden;
  const depth = dims.hiddenLayers ?? 2;
  const scheme = options.scheme ?? 'glorot';
  const rates = options.learnRates
    ? { localLogRate: tf.zeros([meluLocalKeys(depth).length]) as tf.Tensor1D }
    : {};
  const later: Record<string, tf.Tensor> = {};
  for (let k = 2; k <= depth + 1; k++) {
    const out = k === depth + 1 ? 1 : h;
    if (scheme === 'pytorch') {
      later[`w${k}`] = uniform(rng.fork(`w${k}`), [h, out], 1 / Math.sqrt(h));
      later[`b${k}`] = uniform(rng.fork(`b${k}`), [out], 1 / Math.sqrt(h));
    } else {
      later[`w${k}`] = glorot(rng.fork(`w${k}`), h, out);
      later[`b${k}`] = out === 1 ? tf.fill([1], meanRating) : tf.zeros([out]);
    }
  }
  if (scheme === 'pytorch') {
    const limit = 1 / Math.sqrt(di + du);
    return {
      ...initSideTables(dims, rng, scheme),
      w1Item: uniform(rng.fork('w1Item'), [di, h], limit) as tf.Tensor2D,
      w1User: uniform(rng.fork('w1User'), [du, h], limit) as tf.Tensor2D,
      b1: uniform(rng.fork('b1'), [h], limit) as tf.Tensor1D,
      ...later,
      ...rates,
    };
  }
  return {
    ...initSideTables(dims, rng),
    w1Item: glorot(rng.fork('w1Item'), di, h, di + du, h),
    w1User: glorot(rng.fork('w1User'), du, h, di + du, h),
    b1: tf.zeros([h]),
    ...later,
    ...rates,
  };
}

/**
 * Where a forward pass's rows live and what shape its weights have: the seam every formulation
 * implements once. Shapes: x [R, Di] flat or [T, L, Di] padded; userVecs [T, Du]; weights [in, out]
 * shared or [T, in, out] per task; biases [out] or [T, out].
 */
export interface MeluRowLayout {
  /** z1 = x W1i + u_t W1u + b1 on the layout's rows */
  first(x: tf.Tensor, userVecs: tf.Tensor2D, w1Item: tf.Tensor, w1User: tf.Tensor, b1: tf.Tensor): tf.Tensor;
  /** z = h W + b on the layout's rows */
  affine(h: tf.Tensor, w: tf.Tensor, b: tf.Tensor): tf.Tensor;
  /** the output column as predictions: [R] (flat) or [T, L] (padded) */
  output(y: tf.Tensor): tf.Tensor;
}

/**
 * MeLU's forward pass, the one place it is written: y^ = (relu(... relu(z1) W2 + b2 ...)) w_out + b_out
 * over the layers of `w` (meluLayers), on any row layout.
 */
export function meluForward(
  layout: MeluRowLayout,
  w: MeluLocal,
  x: tf.Tensor,
  userVecs: tf.Tensor2D,
): tf.Tensor {
  let h = relu(layout.first(x, userVecs, weight(w, 'w1Item'), weight(w, 'w1User'), weight(w, 'b1')));
  for (const layer of meluLayers(w)) {
    const z = layout.affine(h, weight(w, layer.w), weight(w, layer.b));
    h = layer.relu ? relu(z) : z;
  }
  return layout.output(h);
}

/** SHARED (2-D) weights on flat rows, row r of task rowTask[r]: x [R, Di] -> y^ [R]. */
export function sharedRows(rowTask: tf.Tensor1D): MeluRowLayout {
  return {
    first: (x, u, w1Item, w1User, b1) =>
      tf.add(
        tf.add(
          mm(x as tf.Tensor2D, w1Item as tf.Tensor2D),
          gatherRows(mm(u, w1User as tf.Tensor2D), rowTask),
        ),
        b1,
      ),
    affine: (h, w, b) => tf.add(mm(h as tf.Tensor2D, w as tf.Tensor2D), b),
    output: (y) => tf.reshape(y, [-1]),
  };
}

/** PER-TASK (3-D) weights on padded rows: x [T, L, Di] -> y^ [T, L] (3-D batched products). */
export function paddedRows(tasks: number): MeluRowLayout {
  const t = tasks;
  return {
    first: (x, u, w1Item, w1User, b1) => {
      const userPart = tf.reshape(taskRowProduct(u, w1User), [t, 1, -1]); // [T,1,H]
      const bias1 = tf.add(userPart, tf.reshape(b1, [t, 1, -1]));
      return tf.add(tf.matMul(x as tf.Tensor3D, w1Item as tf.Tensor3D), bias1);
    },
    affine: (h, w, b) => tf.add(tf.matMul(h as tf.Tensor3D, w as tf.Tensor3D), tf.reshape(b, [t, 1, -1])),
    output: (y) => tf.reshape(y, [t, -1]),
  };
}

/**
 * PER-TASK weights on RAGGED rows (flat, task-contiguous, nothing padded; needs the segmented kernel,
 * kernels/segmentMatMul.ts): x [R, Di] -> y^ [R]. Each per-task product is a raggedAffine
 * (models/segment.ts), whose gradients are segmented products again: any number of local steps, either
 * order.
 */
export function raggedRows(rows: RaggedRows, tasks: number): MeluRowLayout {
  const t = tasks;
  return {
    first: (x, u, w1Item, w1User, b1) => {
      const bias1 = tf.add(taskRowProduct(u, w1User), tf.reshape(b1, [t, -1])); // [T, H]
      return raggedAffine(x as tf.Tensor2D, w1Item, bias1, rows);
    },
    affine: (h, w, b) => raggedAffine(h as tf.Tensor2D, w, tf.reshape(b, [t, -1]), rows),
    output: (y) => tf.reshape(y, [-1]),
  };
}

/** The locally adapted weights of a record (meluLocalKeys order), shared-shaped. */
export function meluLocal(p: MeluParams): MeluLocal {
  return Object.fromEntries(
    meluLocalKeys(meluDepth(p)).map((k) => [k, weight(p as Record<string, tf.Tensor | undefined>, k)]),
  );
}
