/**
 * MeLU's K local steps with per-task weights on RAGGED rows, written out by hand (no tape, no saved
 * copies, no custom-gradient scopes): the adapted predictions (values) and the meta-gradient of either
 * order. Through tfjs's tape the second-order MeLU-5 step was ~1,840 kernels (527 of them the Identity
 * clones tfjs makes for every saved tensor, docs/findings.md section 10); here every kernel is arithmetic.
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
 * Meta-gradient (MAML): with V = dL_Q/dW^K from the query block's backward, for j = K-1 .. 0
 *   second order: U = alpha . V, V <- V - R_U{G}(W^j), and the support rows' and users' inputs get
 *     -R_U{dx} and -R_U{du}: the Hessian-vector products of the support loss (Pearlmutter's R-operator
 *     along U, the inputs held fixed; the loss is symmetric in its second derivatives, so R_U{G} is the
 *     vector-Jacobian product of the step the reverse pass needs). ReLU's second derivative is 0:
 *       R{z_0} = x U_0 + (u U1u + Ub_0)_t,  R{a_i} = R{z_{i-1}} . step(z_{i-1}),
 *       R{z_i} = R{a_i} W_i + a_i U_i + (Ub_i)_t,  R{d_L} = c w R{y},
 *       R{G_Wi} = sum_t (R{a_i}^T d_i + a_i^T R{d_i}),  R{G_bi} = sum_t R{d_i},
 *       R{d_{i-1}} = (R{d_i} W_i^T + d_i U_i^T) . step(z_{i-1}),  R{G_W1u} = u_t (x) R{G_b0},
 *       R{dx} = R{d_0} W_0^T + d_0 U_0^T,  R{du} = R{G_b0} W1u^T + G_b0 U1u^T
 *   first order: V stays dL_Q/dW^K (the local change a constant; the embeddings see the query only).
 *   Either order: d alpha_k = -sum_j <G_k(W^j), V^{j+1}_k> (first order: V^K), and with learned rates
 *   alpha_k = lr exp(rho_k), d rho_k = alpha_k d alpha_k. The shared weights get sum_t V^0 (the tile's
 *   adjoint), the tables the embedding adjoints of the rows' and users' input gradients.
 *
 * THE FIRST LAYER IS NEVER FORMED PER TASK. Its inputs (the item rows x, the user u_t) are constants of
 * the local steps, and every change of its weights is (inputs)^T (row coefficients): G_W0 = X_s^T d_0,
 * R{G_W0} = X_s^T R{d_0}, the query's X_q^T d_0; G_W1u = u_t (x) G_b0. So (firstLayer, Users below)
 *   W_0,t = W_0 + X_s,t^T A_t + X_q,t^T B_t,   W1u_t = W1u + u_t (x) c_t
 * held as the shared weight and the coefficient rows (A [Rs, H], B [Rq, H], c [T, H]); products with it
 * are 2-D products with the shared weight plus per-task products with the Gram blocks X X_s^T [n, n_s]
 * (per task; computed once per meta-step, the item rows being constant): ~4x fewer multiply-adds than
 * x W_0,t at MeLU's widths (Di = 128 inputs, ~34 support rows per task), and no [T, Di, H] tensor.
 * Products per task on the flat rows are the segmented kernel's (kernels/segmentMatMul.ts).
 * Tests: the float64 oracle (both orders, any depth, learned rates) and the taped per-task step
 * (meluMeta.grad.test.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { embedSideAdjoint } from '../models/embedding';
import { meluLayers, meluLocalKeys, type MeluDims, type MeluParams } from '../models/melu';
import { gatherRowsValue, scatterRowsValue, VALUES } from '../models/ops';
import { keysOf } from '../models/params';
import { reluBackward } from '../kernels/elementwiseWebgpu';
import { segmentProduct } from '../kernels/segmentMatMul';
import type { BatchTensors, RowTensors } from './batch';
import { embed, type Embedded } from './meluCommon';
import { stepOf, tileTasks, type InnerConfig, type MetaGradient, type StepSizes } from './meta';

type Rec = Record<string, tf.Tensor>;
type T2 = tf.Tensor2D;

/** A layer's weight and bias keys; layer 0 is the first (item weight, plus its user weight w1User). */
interface Layer {
  readonly w: string;
  readonly b: string;
}

function layersOf(w: object): Layer[] {
  return [{ w: 'w1Item', b: 'b1' }, ...meluLayers(w).map(({ w: wk, b }) => ({ w: wk, b }))];
}

/** A block's rows (support or query) and the per-task products over its counts. */
interface Rows {
  readonly x: T2;
  readonly block: RowTensors;
  readonly counts: number[];
  /** x W_0 (the shared first-layer weight) [R, H] */
  readonly xw: T2;
  /** per task x_r X_s^T: the Gram blocks against the support rows [sum_t n_t n_s,t] */
  readonly gram: tf.Tensor;
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

/** Per-task products between blocks: P_t = A_t B_t^T, C_t = P_t B_t, C_t = P_t^T A_t (segment.ts). */
const gramOf = (a: tf.Tensor, b: tf.Tensor, na: number[], nb: number[]) =>
  segmentProduct('gram', a, b, na, nb);
const applyOf = (p: tf.Tensor, b: tf.Tensor, na: number[], nb: number[]) =>
  segmentProduct('apply', p, b, na, nb) as T2;
const applyTOf = (p: tf.Tensor, a: tf.Tensor, na: number[], nb: number[]) =>
  segmentProduct('applyT', p, a, na, nb) as T2;

function rowsOf(x: T2, block: RowTensors, tasks: number, w0: T2, support?: Rows): Rows {
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
    xw: VALUES.mm(x, w0),
    gram: gramOf(x, support?.x ?? x, counts, support?.counts ?? counts),
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
interface Users {
  readonly u: T2;
  /** |u_t|^2 [T, 1] */
  readonly uu: T2;
  /** u W1u [T, H] */
  readonly uw: T2;
  readonly w1User: T2;
}

function usersOf(u: T2, w1User: T2): Users {
  return { u, uu: tf.sum(tf.square(u), 1, true) as T2, uw: VALUES.mm(u, w1User), w1User };
}

/** g W1u^T + (sum of `dots`' columns) u_t: the users' input gradient (Users). */
function userGrad(users: Users, g: T2, dots: tf.Tensor): T2 {
  return tf.add(VALUES.mmT(g, users.w1User), tf.mul(tf.sum(dots, 1, true), users.u)) as T2;
}

/**
 * The item side of the first layer: W_0,t = W_0 + X_s,t^T A_t (+ X_q,t^T B_t in the reverse pass), the
 * record's 'w1Item' entry being A [Rs, H] (G's: d_0 of the support rows). x_r W_0,t for the block's rows
 * = x W_0 + (x_r X_s^T) A_t, through the block's Gram blocks.
 */
function itemPart(rows: Rows, a: tf.Tensor, support: Rows): T2 {
  return tf.add(rows.xw, applyOf(rows.gram, a, rows.counts, support.counts)) as T2;
}

/** One block's forward and backward at per-task weights w (the file comment's a, z, d, G). */
interface Pass {
  readonly a: T2[];
  readonly z: T2[];
  readonly d: T2[];
  /** G per key; w1Item: the block's own d_0 (its coefficient rows), w1User: G_b0 */
  readonly g: Rec;
  /** c w (the loss's row scale) as [R, 1] */
  readonly scale: T2;
  readonly residual: tf.Tensor1D;
}

function forward(w: Rec, layers: readonly Layer[], rows: Rows, support: Rows, users: Users) {
  const a: T2[] = [rows.x];
  const z: T2[] = [];
  layers.forEach((layer, i) => {
    z.push(
      i === 0
        ? (tf.add(
            itemPart(rows, w.w1Item!, support),
            rows.spread(tf.add(tf.add(users.uw, tf.mul(users.uu, w.w1User!)), w.b1!)),
          ) as T2)
        : (tf.add(rows.apply(a[i]!, w[layer.w]!), rows.spread(w[layer.b]!)) as T2),
    );
    if (i < layers.length - 1) a.push(VALUES.relu(z[i]!));
  });
  return { a, z };
}

/** The forward and backward of a block at per-task weights w, loss scale c (the file comment). */
function pass(w: Rec, layers: readonly Layer[], rows: Rows, support: Rows, users: Users, c: number): Pass {
  const { a, z } = forward(w, layers, rows, support, users);
  const L = layers.length - 1;
  const residual = tf.sub(tf.reshape(z[L]!, [-1]), rows.block.value) as tf.Tensor1D;
  const scale = tf.reshape(tf.mul(rows.block.weight, c), [-1, 1]) as T2;
  const d: T2[] = new Array<T2>(L + 1);
  d[L] = tf.mul(scale, tf.reshape(residual, [-1, 1])) as T2;
  const g: Rec = {};
  for (let i = L; i >= 1; i--) {
    const layer = layers[i]!;
    g[layer.w] = rows.outer(a[i]!, d[i]!);
    g[layer.b] = rows.sum(d[i]!);
    d[i - 1] = reluBackward(rows.applyT(d[i]!, w[layer.w]!), z[i - 1]!, 0) as T2;
  }
  g.w1Item = d[0]!;
  g.b1 = rows.sum(d[0]!);
  g.w1User = g.b1;
  return { a, z, d, g, scale, residual };
}

/** Every task's weights at the shared ones: the first layer's coefficients zero (Users, itemPart). */
function tiled(local: Rec, keys: readonly string[], tasks: number, supportRows: number): Rec {
  const h = local.b1!.shape[0]!;
  return Object.fromEntries(
    keys.map((k) => [
      k,
      k === 'w1User'
        ? tf.zeros([tasks, h])
        : k === 'w1Item'
          ? tf.zeros([supportRows, h])
          : tileTasks(local[k]!, tasks),
    ]),
  );
}

/** w - alpha . g, key by key (coefficients included: the first layer's changes are linear in them). */
function stepped(w: Rec, g: Rec, keys: readonly string[], lr: StepSizes): Rec {
  return Object.fromEntries(keys.map((k) => [k, tf.sub(w[k]!, tf.mul(stepOf(lr, k), g[k]!))]));
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
        const rows = tf.sum(tf.mul(v, applyOf(support.gram, v, sc, sc)), 1, true) as T2;
        return tf.reshape(support.sum(rows), [-1]);
      }
      if (k === 'w1User') return tf.reshape(tf.mul(users.uu, tf.sum(tf.square(v), 1, true)), [-1]);
      return tf.sum(tf.square(tf.reshape(v, [tasks, -1])), 1);
    });
  const norm = tf.sqrt(squares.length ? tf.addN(squares) : tf.zeros([tasks]));
  const scale = tf.minimum(1, tf.div(clip, tf.add(norm, 1e-12))) as tf.Tensor1D;
  return Object.fromEntries(
    keys.map((k) => {
      const v = g[k]!;
      const s =
        k === 'w1Item'
          ? gatherRowsValue(tf.reshape(scale, [-1, 1]) as T2, support.block.task)
          : tf.reshape(scale, [tasks, ...v.shape.slice(1).map(() => 1)]);
      return [k, tf.mul(v, s)];
    }),
  );
}

/**
 * The query predictions [Rq] (flat rows) after `steps` local SGD steps of every task's weights from the
 * shared `local` (values, no tape). lr: one step per key (numbers or scalars; 0 leaves a key); clip > 0:
 * each task's gradient scaled to norm <= clip first (the non-meta baseline's fine-tuning, fineTune.ts).
 */
export function raggedPredictionsByHand(
  local: Rec,
  e: Embedded,
  b: BatchTensors,
  steps: number,
  lr: StepSizes,
  clip = 0,
): tf.Tensor1D {
  const layers = layersOf(local);
  const keys = meluLocalKeys(layers.length - 1);
  const w0 = local.w1Item as T2;
  const users = usersOf(e.userVecs, local.w1User as T2);
  const support = rowsOf(gatherRowsValue(e.itemVecs, b.support.item), b.support, b.tasks, w0);
  let w = tiled(local, keys, b.tasks, b.support.rows);
  for (let j = 0; j < steps; j++) {
    const g = pass(w, layers, support, support, users, 2).g;
    w = stepped(w, clip > 0 ? clipped(g, keys, lr, clip, support, users) : g, keys, lr);
  }
  const query = rowsOf(gatherRowsValue(e.itemVecs, b.query.item), b.query, b.tasks, w0, support);
  const { z } = forward(w, layers, query, support, users);
  return tf.reshape(z.at(-1)!, [-1]) as tf.Tensor1D;
}

/** Values of the local step sizes (the rates' gradient is written by hand, so no tape through exp). */
function rateValues(p: MeluParams, lr: number, keys: readonly string[]): StepSizes {
  if (!p.localLogRate) return lr;
  const alphas = tf.unstack(tf.mul(lr, tf.exp(p.localLogRate)));
  return Object.fromEntries(keys.map((k, i) => [k, alphas[i]!]));
}

/**
 * The reverse pass's V for the first layer's item weight, V_t = X_q^T B_t + X_s^T S_t (B: the query's
 * d_0, fixed; S [Rs, H]: minus the R{d_0} of the steps after), and X_s V_t = (X_s X_q^T) B + (X_s X_s^T) S
 * (the support rows' Gram blocks; the query's transposed).
 */
function supportTimesV(support: Rows, query: Rows, bq: tf.Tensor, s: tf.Tensor | null): T2 {
  const fromQuery = applyTOf(query.gram, bq, query.counts, support.counts);
  return s ? (tf.add(fromQuery, applyOf(support.gram, s, support.counts, support.counts)) as T2) : fromQuery;
}

/**
 * R_U of the pass's G and of the inputs' gradients (the file comment), at step j's weights w along
 * U = alpha V. U is given for the later layers and the user row; the item weight's as alpha_0 and V's
 * pieces (supportTimesV): xv = X_s V, bq, s. Returns R{G} (w1Item: R{d_0} as support coefficients),
 * the support rows' R{dx} in pieces (rd0: R{d_0}, whose part R{d_0} W_0^T is summed over steps first;
 * css [sum n_s^2], csq [sum n_s n_q]: the per-task coefficients of X_s and X_q) and R{du}.
 */
function rOp(
  w: Rec,
  U: Rec,
  item: {
    readonly alpha: number | tf.Tensor;
    readonly xv: T2;
    readonly bq: tf.Tensor;
    readonly s: tf.Tensor | null;
  },
  layers: readonly Layer[],
  support: Rows,
  query: Rows,
  users: Users,
  p: Pass,
) {
  const L = layers.length - 1;
  const rows = support;
  const Ra: (T2 | null)[] = [null];
  let Rz = tf.add(tf.mul(item.alpha, item.xv), rows.spread(tf.add(tf.mul(users.uu, U.w1User!), U.b1!))) as T2;
  for (let i = 1; i <= L; i++) {
    const layer = layers[i]!;
    Ra.push(reluBackward(Rz, p.z[i - 1]!, 0) as T2);
    Rz = tf.add(
      tf.add(rows.apply(Ra[i]!, w[layer.w]!), rows.apply(p.a[i]!, U[layer.w]!)),
      rows.spread(U[layer.b]!),
    ) as T2;
  }
  let Rd = tf.mul(p.scale, Rz) as T2; // R{d_L} = c w R{y}
  const g: Rec = {};
  for (let i = L; i >= 1; i--) {
    const layer = layers[i]!;
    g[layer.w] = tf.add(rows.outer(p.a[i]!, Rd), rows.outer(Ra[i]!, p.d[i]!));
    g[layer.b] = rows.sum(Rd);
    const back = tf.add(rows.applyT(Rd, w[layer.w]!), rows.applyT(p.d[i]!, U[layer.w]!));
    Rd = reluBackward(back, p.z[i - 1]!, 0) as T2;
  }
  g.w1Item = Rd;
  g.b1 = rows.sum(Rd);
  g.w1User = g.b1;
  // R{dx} = R{d_0} W_0,t^T + d_0 U_0,t^T = R{d_0} W_0^T + [R{d_0} A^T + alpha d_0 S^T] X_s + [alpha d_0 B^T] X_q
  const sc = support.counts;
  let css = gramOf(Rd, w.w1Item!, sc, sc);
  if (item.s) css = tf.add(css, tf.mul(item.alpha, gramOf(p.d[0]!, item.s, sc, sc)));
  const csq = tf.mul(item.alpha, gramOf(p.d[0]!, item.bq, sc, query.counts));
  // R{G_b0} W1u_t^T + G_b0 U1u_t^T = R{G_b0} W1u^T + (R{G_b0} . c_t + G_b0 . c^U_t) u_t
  const du = userGrad(users, g.b1 as T2, tf.add(tf.mul(g.b1, w.w1User!), tf.mul(p.g.b1!, U.w1User!)));
  return { g, rd0: Rd, css, csq, du };
}

/** <G_k, V_k> summed over tasks, for the keys held per task (w1User: rows weighted by |u_t|^2). */
function innerOf(k: string, g: tf.Tensor, v: tf.Tensor, users: Users): tf.Tensor {
  const gv = tf.mul(g, v);
  return tf.sum(k === 'w1User' ? tf.mul(gv, users.uu) : gv);
}

/** The K-step meta-gradient of either order, by hand (the file comment). */
export function meluMetaGradRaggedSteps(
  p: MeluParams,
  dims: MeluDims,
  b: BatchTensors,
  inner: InnerConfig,
): MetaGradient<MeluParams> {
  const t = b.tasks;
  const layers = layersOf(p);
  const keys = meluLocalKeys(layers.length - 1);
  const lr = rateValues(p, inner.lr, keys);
  const e = embed(p, dims, b, true);
  const users = usersOf(e.userVecs, p.w1User);
  const support = rowsOf(gatherRowsValue(e.itemVecs, b.support.item), b.support, t, p.w1Item);
  const query = rowsOf(gatherRowsValue(e.itemVecs, b.query.item), b.query, t, p.w1Item, support);
  const ws: Rec[] = [tiled(p as unknown as Rec, keys, t, b.support.rows)];
  const passes: Pass[] = [];
  for (let j = 0; j < inner.steps; j++) {
    passes.push(pass(ws[j]!, layers, support, support, users, 2));
    ws.push(stepped(ws[j]!, passes[j]!.g, keys, lr));
  }
  const wK = ws[inner.steps]!;
  const qp = pass(wK, layers, query, support, users, 2 / t);
  const loss = tf.div(tf.sum(tf.mul(b.query.weight, tf.square(qp.residual))), t) as tf.Scalar;
  const bq = qp.g.w1Item!; // the query's d_0: V's X_q^T coefficients
  // the query rows' input gradient dx = d_0 W_0,t^T = d_0 W_0^T + (d_0 A^T) X_s
  const dxQuery = tf.add(
    VALUES.mmT(bq as T2, p.w1Item),
    applyOf(gramOf(bq, wK.w1Item!, query.counts, support.counts), support.x, query.counts, support.counts),
  ) as T2;
  const second = inner.order === 'second-order';
  const rated = p.localLogRate !== undefined;
  const later = keys.filter((k) => k !== 'w1Item');
  let V: Rec = Object.fromEntries(later.map((k) => [k, qp.g[k]!]));
  let s: tf.Tensor | null = null; // V's X_s^T coefficients (supportTimesV)
  const dRate: Record<string, tf.Tensor[]> = Object.fromEntries(keys.map((k) => [k, []]));
  const pieces: { rd0: tf.Tensor[]; css: tf.Tensor[]; csq: tf.Tensor[]; du: tf.Tensor[] } = {
    rd0: [],
    css: [],
    csq: [],
    du: [userGrad(users, qp.g.b1 as T2, tf.mul(qp.g.b1!, wK.w1User!))],
  };
  let xv: T2 | null = null;
  for (let j = inner.steps - 1; j >= 0; j--) {
    const pj = passes[j]!;
    if (second || !xv) xv = supportTimesV(support, query, bq, s);
    if (rated) {
      for (const k of later) dRate[k]!.push(innerOf(k, pj.g[k]!, V[k]!, users));
      dRate.w1Item!.push(tf.sum(tf.mul(pj.g.w1Item!, xv)));
    }
    if (!second) continue;
    const U = Object.fromEntries(later.map((k) => [k, tf.mul(stepOf(lr, k), V[k]!)]));
    const item = { alpha: stepOf(lr, 'w1Item'), xv, bq, s };
    const r = rOp(ws[j]!, U, item, layers, support, query, users, pj);
    V = Object.fromEntries(later.map((k) => [k, tf.sub(V[k]!, r.g[k]!)]));
    s = s ? tf.sub(s, r.g.w1Item!) : tf.neg(r.g.w1Item!);
    pieces.rd0.push(r.rd0);
    pieces.css.push(r.css);
    pieces.csq.push(r.csq);
    pieces.du.push(tf.neg(r.du));
  }
  const sum = (list: tf.Tensor[]) => (list.length > 1 ? tf.addN(list) : list[0]!);
  const grads: Record<string, tf.Tensor> = {};
  for (const k of later) grads[k] = k === 'w1User' ? VALUES.mmTA(users.u, V[k] as T2) : tf.sum(V[k]!, 0);
  grads.w1Item = VALUES.mmTA(query.x, bq as T2);
  if (s) grads.w1Item = tf.add(grads.w1Item, VALUES.mmTA(support.x, s as T2));
  const items = e.itemVecs.shape[0];
  let dItems = scatterRowsValue(dxQuery, b.query.item, items);
  if (pieces.rd0.length > 0) {
    const sc = support.counts;
    const dxSupport = tf.add(
      tf.add(VALUES.mmT(sum(pieces.rd0) as T2, p.w1Item), applyOf(sum(pieces.css), support.x, sc, sc)),
      applyOf(sum(pieces.csq), query.x, sc, query.counts),
    ) as T2;
    dItems = tf.sub(dItems, scatterRowsValue(dxSupport, b.support.item, items)) as T2;
  }
  grads.itemTable = embedSideAdjoint(dims.item, b.items, dItems, p.itemTable.shape[0]);
  grads.userTable = embedSideAdjoint(dims.user, b.users, sum(pieces.du) as T2, p.userTable.shape[0]);
  if (rated)
    grads.localLogRate = tf.neg(
      tf.mul(tf.stack(keys.map((k) => tf.addN(dRate[k]!))), tf.stack(keys.map((k) => stepOf(lr, k)))),
    );
  const ordered = Object.fromEntries(keysOf(p).map((k) => [k, grads[k]!])) as unknown as MeluParams;
  return { loss, grads: ordered };
}
