/**
 * MeLU's K local steps with per-task weights on RAGGED rows, written out by hand (no tape, no saved
 * copies, no custom-gradient scopes): a block's forward and backward at per-task weights, the local
 * steps, and the adapted predictions (values). The meta-gradient through these steps is
 * meluRaggedSteps.ts.
 *
 * Layers i = 0..L (L hidden, the output last), inputs a_0 = x (item rows), a_i = relu(z_{i-1}); per task
 * t weights W_i [T, in, out] and biases b_i [T, out]; the first layer also has the user part u_t W1u_t:
 *   z_0 = x W_0 + (u W1u + b_0)_t,  z_i = a_i W_i + (b_i)_t,  y = z_L [R]
 * Loss of a block: sum_r c w_r (y_r - v_r)^2 / 2 with scale c (support: c = 2, so the per-task mean
 * squared error summed over tasks; query: c = 2 / T). Backward (G = the gradient of that loss):
 *   d_L = c w (y - v),  G_Wi = sum_{r in t} a_i^T d_i,  G_bi = sum_{r in t} d_i,
 *   d_{i-1} = (d_i W_i^T) . step(z_{i-1}),  G_W1u = u_t (x) G_b0,
 *   dx = d_0 W_0^T (the rows' input gradient),  du_t = G_b0 W1u_t^T
 * Local steps: W^{j+1} = W^j - alpha . G(W^j) (alpha: one step per adapted key, a number or a scalar).
 *
 * THE FIRST LAYER IS NEVER FORMED PER TASK. Its inputs (the item rows x, the user u_t) are constants of
 * the local steps, and every change of its weights is (inputs)^T (row coefficients): G_W0 = X_s^T d_0,
 * R{G_W0} = X_s^T R{d_0}, the query's X_q^T d_0; G_W1u = u_t (x) G_b0. So (heldLayer.ts, Users below)
 *   W_0,t = W_0 + X_s,t^T A_t + X_q,t^T B_t,   W1u_t = W1u + u_t (x) c_t
 * held as the shared weight and the coefficient rows (A [Rs, H], B [Rq, H], c [T, H]); products with it
 * are 2-D products with the shared weight plus per-task products with the Gram blocks X X_s^T [n, n_s]
 * (per task; computed once per meta-step, the item rows being constant): ~4x fewer multiply-adds than
 * x W_0,t at MeLU's widths (Di = 128 inputs, ~34 support rows per task), and no [T, Di, H] tensor.
 * Products per task on the flat rows are the segmented kernel's (kernels/segmentMatMul.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { meluLayers, meluLocalKeys } from '../models/melu';
import { gatherRowsValue, scatterRowsValue, VALUES } from '../models/ops';
import { reluBackward } from '../kernels/elementwiseWebgpu';
import { segmentProduct } from '../kernels/segmentMatMul';
import { applyOf, heldInput, heldTimes, zeroCoefficients, type HeldInput } from './heldLayer';
import type { BatchTensors, RowTensors } from './batch';
import type { Embedded } from './meluCommon';
import { stepOf, tileTasks, type StepSizes } from './meta';

export type Rec = Record<string, tf.Tensor>;
export type T2 = tf.Tensor2D;

/** A layer's weight and bias keys; layer 0 is the first (item weight, plus its user weight w1User). */
export interface Layer {
  readonly w: string;
  readonly b: string;
}

export function layersOf(w: object): Layer[] {
  return [{ w: 'w1Item', b: 'b1' }, ...meluLayers(w).map(({ w: wk, b }) => ({ w: wk, b }))];
}

/** A block's rows (support or query) and the per-task products over its counts. */
export interface Rows {
  readonly x: T2;
  readonly block: RowTensors;
  readonly counts: number[];
  /** the first layer's held input (heldLayer.ts): x W1i and the Gram blocks against the support rows */
  readonly held: HeldInput;
  /** x_r W_t: x [R, k], w [T, k, m] -> [R, m] */
  apply(x: tf.Tensor, w: tf.Tensor): T2;
  /** d_r W_t^T: d [R, m], w [T, k, m] -> [R, k] */
  applyT(d: tf.Tensor, w: tf.Tensor): T2;
  /** sum_{r in t} a_r^T d_r: a [R, k], d [R, m] -> [T, k, m] */
  outer(a: tf.Tensor, d: tf.Tensor): tf.Tensor3D;
  /** sum_{r in t} d_r: [R, m] -> [T, m] */
  sum(d: T2): T2;
  /** b_t per row: [T, m] -> [R, m] */
  spread(b: tf.Tensor): T2;
}

export function rowsOf(x: T2, block: RowTensors, tasks: number, w0: T2, support?: Rows): Rows {
  const counts = Array.from(block.counts);
  const reps = new Map<number, number[]>();
  const rep = (k: number) => {
    let r = reps.get(k);
    if (!r) reps.set(k, (r = new Array<number>(tasks).fill(k)));
    return r;
  };
  const n = block.rows;
  return {
    x,
    block,
    counts,
    held: heldInput(x, counts, w0, support?.held),
    apply: (a, w) => segmentProduct('apply', a, w, counts, rep(w.shape[1]!)) as T2,
    applyT: (d, w) => segmentProduct('gram', d, w, counts, rep(w.shape[1]!), [n, w.shape[1]!]) as T2,
    outer: (a, d) =>
      segmentProduct('applyT', a, d, counts, rep(a.shape[1]!), [
        tasks,
        a.shape[1]!,
        d.shape[1]!,
      ]) as tf.Tensor3D,
    sum: (d) => scatterRowsValue(d, block.task, tasks),
    spread: (b) => gatherRowsValue(tf.reshape(b, [tasks, -1]) as T2, block.task),
  };
}

/**
 * The users' side of the first layer: W1u_t = W1u + u_t (x) c_t, the record's 'w1User' entry being the
 * row c [T, H] (G's, V's and U's too: the gradient u_t (x) G_b0 is held as G_b0):
 *   u_t W1u_t = u_t W1u + |u_t|^2 c_t,   g W1u_t^T = g W1u^T + (g . c_t) u_t,
 *   <u (x) g, u (x) v> = |u|^2 g . v,   sum_t u_t (x) v_t = u^T v (the shared gradient).
 */
export interface Users {
  readonly u: T2;
  /** |u_t|^2 [T, 1] */
  readonly uu: T2;
  /** u W1u [T, H] */
  readonly uw: T2;
  readonly w1User: T2;
}

export function usersOf(u: T2, w1User: T2): Users {
  return { u, uu: tf.sum(tf.square(u), 1, true) as T2, uw: VALUES.mm(u, w1User), w1User };
}

/** g W1u^T + (sum of `dots`' columns) u_t: the users' input gradient (Users). */
export function userGrad(users: Users, g: T2, dots: tf.Tensor): T2 {
  return tf.add(VALUES.mmT(g, users.w1User), tf.mul(tf.sum(dots, 1, true), users.u)) as T2;
}

/** One block's forward and backward at per-task weights w (the file comment's a, z, d, G). */
export interface Pass {
  readonly a: T2[];
  readonly z: T2[];
  readonly d: T2[];
  /** G per key; w1Item: the block's own d_0 (its coefficient rows), w1User: G_b0 */
  readonly g: Rec;
  /** c w (the loss's row scale) as [R, 1] */
  readonly scale: T2;
  readonly residual: tf.Tensor1D;
}

/**
 * The forward from layer `from` on (a[from] given as `input`; 0: the rows x): a[i], z[i] for i >= from,
 * the entries below left empty. The layers below `from` are the caller's (a prefix no step changes).
 */
function forward(w: Rec, layers: readonly Layer[], rows: Rows, users: Users, from = 0, input = rows.x) {
  const a: T2[] = [];
  const z: T2[] = [];
  a[from] = input;
  for (let i = from; i < layers.length; i++) {
    const layer = layers[i]!;
    z[i] =
      i === 0
        ? (tf.add(
            heldTimes(rows.held, w.w1Item!),
            rows.spread(tf.add(tf.add(users.uw, tf.mul(users.uu, w.w1User!)), w.b1!)),
          ) as T2)
        : (tf.add(rows.apply(a[i]!, w[layer.w]!), rows.spread(w[layer.b]!)) as T2);
    if (i < layers.length - 1) a[i + 1] = VALUES.relu(z[i]!);
  }
  return { a, z };
}

/**
 * The forward and backward of a block at per-task weights w, loss scale c (the file comment). from > 0:
 * only layers from .. L move (the last-layer fine-tuning), so the forward starts at their input a[from]
 * (`input`) and the backward stops there: G of the moving layers only, no d below a[from].
 */
export function pass(
  w: Rec,
  layers: readonly Layer[],
  rows: Rows,
  support: Rows,
  users: Users,
  c: number,
  from = 0,
  input = rows.x,
): Pass {
  const { a, z } = forward(w, layers, rows, users, from, input);
  const L = layers.length - 1;
  const residual = tf.sub(tf.reshape(z[L]!, [-1]), rows.block.value) as tf.Tensor1D;
  const scale = tf.reshape(tf.mul(rows.block.weight, c), [-1, 1]) as T2;
  const d: T2[] = new Array<T2>(L + 1);
  d[L] = tf.mul(scale, tf.reshape(residual, [-1, 1])) as T2;
  const g: Rec = {};
  for (let i = L; i >= Math.max(from, 1); i--) {
    const layer = layers[i]!;
    g[layer.w] = rows.outer(a[i]!, d[i]!);
    g[layer.b] = rows.sum(d[i]!);
    if (i > from) d[i - 1] = reluBackward(rows.applyT(d[i]!, w[layer.w]!), z[i - 1]!, 0) as T2;
  }
  if (from === 0) {
    g.w1Item = d[0]!;
    g.b1 = rows.sum(d[0]!);
    g.w1User = g.b1;
  }
  return { a, z, d, g, scale, residual };
}

/** Every task's weights at the shared ones: the first layer's coefficients zero (Users, heldLayer.ts). */
export function tiled(local: Rec, keys: readonly string[], tasks: number, supportRows: number): Rec {
  const h = local.b1!.shape[0]!;
  return Object.fromEntries(
    keys.map((k) => [
      k,
      k === 'w1User'
        ? tf.zeros([tasks, h])
        : k === 'w1Item'
          ? zeroCoefficients(supportRows, h)
          : tileTasks(local[k]!, tasks),
    ]),
  );
}

/** w - alpha . g, key by key (coefficients included: the first layer's changes are linear in them); a
 * key whose step is the number 0 stays (its G may be absent: pass with from > 0). */
export function stepped(w: Rec, g: Rec, keys: readonly string[], lr: StepSizes): Rec {
  return Object.fromEntries(
    keys.map((k) => {
      const step = stepOf(lr, k);
      return [k, step === 0 ? w[k]! : tf.sub(w[k]!, tf.mul(step, g[k]!))];
    }),
  );
}

/** The lowest layer with a key that moves (step not the number 0); layers.length when none moves. */
function lowestMoving(layers: readonly Layer[], lr: StepSizes): number {
  const moves = (k: string) => stepOf(lr, k) !== 0;
  const i = layers.findIndex((l, j) => moves(l.w) || moves(l.b) || (j === 0 && moves('w1User')));
  return i < 0 ? layers.length : i;
}

/**
 * Each task's local gradient scaled to global norm <= clip over the keys that move (step not the number
 * 0), as fineTune.ts clipTaskGradients does on formed tensors, here on the held forms: ||X_s^T D||^2 =
 * sum_r D_r . (X_s X_s^T D)_r per task, ||u (x) g||^2 = |u|^2 |g|^2 (the file comment, Users).
 */
function clipped(
  g: Rec,
  keys: readonly string[],
  lr: StepSizes,
  clip: number,
  support: Rows,
  users: Users,
): Rec {
  const tasks = users.u.shape[0];
  const sc = support.counts;
  const squares = keys
    .filter((k) => stepOf(lr, k) !== 0)
    .map((k) => {
      const v = g[k]!;
      if (k === 'w1Item') {
        const rows = tf.sum(tf.mul(v, applyOf(support.held.gram(), v, sc, sc)), 1, true) as T2;
        return tf.reshape(support.sum(rows), [-1]);
      }
      if (k === 'w1User') return tf.reshape(tf.mul(users.uu, tf.sum(tf.square(v), 1, true)), [-1]);
      return tf.sum(tf.square(tf.reshape(v, [tasks, -1])), 1);
    });
  const norm = tf.sqrt(squares.length ? tf.addN(squares) : tf.zeros([tasks]));
  const scale = tf.minimum(1, tf.div(clip, tf.add(norm, 1e-12))) as tf.Tensor1D;
  return Object.fromEntries(
    keys
      .filter((k) => g[k] !== undefined)
      .map((k) => {
        const v = g[k]!;
        const s =
          k === 'w1Item'
            ? gatherRowsValue(tf.reshape(scale, [-1, 1]) as T2, support.block.task)
            : tf.reshape(scale, [tasks, ...v.shape.slice(1).map(() => 1)]);
        return [k, tf.mul(v, s)];
      }),
  );
}

/** A batch's by-hand fine-tunings (byHandFineTunings): query predictions after local SGD steps. */
export interface ByHandFineTunings {
  /**
   * The query predictions [Rq] (flat rows) after `steps` local SGD steps of every task's weights from
   * the shared `local`, one entry per entry of `lrs`. lr: one step per key (numbers or scalars; 0 leaves
   * a key); clip > 0: each task's gradient scaled to norm <= clip first (the non-meta baseline's
   * fine-tuning, fineTune.ts). ids[k] names lrs[k] (which rate and layers): a later call with the same
   * id and clip continues from the weights an earlier one reached when it asked for fewer steps.
   */
  predict(steps: number, lrs: readonly StepSizes[], clip: number, ids: readonly string[]): tf.Tensor1D[];
}

/**
 * What every fine-tuning of one batch shares, computed at its first use: the rows, the users'
 * products, the tiled weights and the Gram blocks; the input of the lowest moving layer at the start
 * weights (last-layer fine-tuning: the layers below are a constant of the steps); the first step's
 * gradient (clipped or not) at the start weights, which depends on which keys move but not on the rate;
 * and each (id, clip)'s latest weights. Every prediction is still the result of the ops one rate runs
 * alone, on the same inputs: sharing removes repeats, never changes a number.
 */
export function byHandFineTunings(local: Rec, e: Embedded, b: BatchTensors): ByHandFineTunings {
  const layers = layersOf(local);
  const keys = meluLocalKeys(layers.length - 1);
  const w0 = local.w1Item as T2;
  const users = usersOf(e.userVecs, local.w1User as T2);
  const support = rowsOf(gatherRowsValue(e.itemVecs, b.support.item), b.support, b.tasks, w0);
  const query = rowsOf(gatherRowsValue(e.itemVecs, b.query.item), b.query, b.tasks, w0, support);
  const start = tiled(local, keys, b.tasks, b.support.rows);
  // the input of layer `from` on both blocks at the start weights, once per layer
  const prefixes = new Map<number, { support: T2; query: T2 }>();
  const prefix = (from: number) => {
    let p = prefixes.get(from);
    if (!p) {
      const at = (rows: Rows) => (from === 0 ? rows.x : forward(start, layers, rows, users).a[from]!);
      prefixes.set(from, (p = { support: at(support), query: at(query) }));
    }
    return p;
  };
  // the first step's gradient at the start weights, per (from, clip, moving keys)
  const firstGrads = new Map<string, Rec>();
  const gradient = (w: Rec, from: number, lr: StepSizes, clip: number): Rec => {
    const g = pass(w, layers, support, support, users, 2, from, prefix(from).support).g;
    return clip > 0 ? clipped(g, keys, lr, clip, support, users) : g;
  };
  const firstGrad = (from: number, lr: StepSizes, clip: number): Rec => {
    const at = `${from} ${clip} ${keys.filter((k) => stepOf(lr, k) !== 0).join()}`;
    let g = firstGrads.get(at);
    if (!g) firstGrads.set(at, (g = gradient(start, from, lr, clip)));
    return g;
  };
  const reached = new Map<string, { steps: number; w: Rec }>();
  return {
    predict: (steps, lrs, clip, ids) =>
      lrs.map((lr, k) => {
        // layers below the lowest moving one keep the start weights: their output is a constant of the steps
        const from = Math.min(lowestMoving(layers, lr), layers.length - 1);
        const moves = lowestMoving(layers, lr) < layers.length;
        const id = `${ids[k]!} ${clip}`;
        const earlier = reached.get(id);
        const j0 = earlier && earlier.steps <= steps ? earlier.steps : 0;
        // what outlives one rate is made out here: the shared prefix, the first gradient, the Gram blocks
        const input = prefix(from);
        const first = moves && j0 === 0 && steps > 0 ? firstGrad(from, lr, clip) : null;
        if (moves && from === 0) {
          support.held.gram();
          query.held.gram();
        }
        // one rate's steps in a scope of their own: only its weights and predictions outlive it (the
        // passes of 8 fine-tunings x 8 rates at once would hold ~1 GB)
        const out = tf.tidy(() => {
          let w = j0 > 0 ? earlier!.w : start;
          if (moves)
            for (let j = j0; j < steps; j++)
              w = stepped(w, j === 0 ? first! : gradient(w, from, lr, clip), keys, lr);
          const { z } = forward(w, layers, query, users, from, input.query);
          return { w, y: tf.reshape(z.at(-1)!, [-1]) as tf.Tensor1D };
        });
        if (moves) reached.set(id, { steps, w: out.w });
        return out.y;
      }),
  };
}
