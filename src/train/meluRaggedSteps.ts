/**
 * MeLU's K-step meta-gradient with per-task weights on RAGGED rows, of either order, written out by hand
 * (no tape, no saved copies, no custom-gradient scopes) over the passes of meluRaggedPass.ts (its
 * comment has the forward, the backward G and the first layer's held forms). Through tfjs's tape the
 * second-order MeLU-5 step was ~1,840 kernels (527 of them the Identity clones tfjs makes for every
 * saved tensor, docs/findings.md section 10); here every kernel is arithmetic (section 11).
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
 * Tests: the float64 oracle (both orders, any depth, learned rates) and the taped per-task step
 * (meluMeta.grad.test.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { embedSideAdjoint } from '../models/embedding';
import { meluLocalKeys, type MeluDims, type MeluParams } from '../models/melu';
import { gatherRowsValue, scatterRowsValue, VALUES } from '../models/ops';
import { keysOf } from '../models/params';
import { reluBackward } from '../kernels/elementwiseWebgpu';
import type { BatchTensors } from './batch';
import { embed } from './meluCommon';
import { applyOf, applyTOf, gramOf, heldTimesT, isZeroCoefficients } from './heldLayer';
import {
  layersOf,
  pass,
  rowsOf,
  stepped,
  tiled,
  userGrad,
  usersOf,
  type Layer,
  type Pass,
  type Rec,
  type Rows,
  type T2,
  type Users,
} from './meluRaggedPass';
import { learnedRates, stepOf, type InnerConfig, type MetaGradient } from './meta';

/**
 * The reverse pass's V for the first layer's item weight, V_t = X_q^T B_t + X_s^T S_t (B: the query's
 * d_0, fixed; S [Rs, H]: minus the R{d_0} of the steps after), and X_s V_t = (X_s X_q^T) B + (X_s X_s^T) S
 * (the support rows' Gram blocks; the query's transposed).
 */
function supportTimesV(support: Rows, query: Rows, bq: tf.Tensor, s: tf.Tensor | null): T2 {
  const fromQuery = applyTOf(query.held.gram(), bq, query.counts, support.counts);
  return s
    ? (tf.add(fromQuery, applyOf(support.held.gram(), s, support.counts, support.counts)) as T2)
    : fromQuery;
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
  const terms: tf.Tensor[] = [];
  if (!isZeroCoefficients(w.w1Item!)) terms.push(gramOf(Rd, w.w1Item!, sc, sc));
  if (item.s) terms.push(tf.mul(item.alpha, gramOf(p.d[0]!, item.s, sc, sc)));
  const css = terms.length === 0 ? null : terms.length === 1 ? terms[0]! : tf.add(terms[0]!, terms[1]!);
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
  const lr = learnedRates(keys, p.localLogRate, inner.lr); // values: the rates' gradient is by hand
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
  const dxQuery = heldTimesT(query.held, bq as T2, wK.w1Item!);
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
    if (r.css) pieces.css.push(r.css);
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
      pieces.css.length > 0
        ? tf.add(VALUES.mmT(sum(pieces.rd0) as T2, p.w1Item), applyOf(sum(pieces.css), support.x, sc, sc))
        : VALUES.mmT(sum(pieces.rd0) as T2, p.w1Item),
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
