/**
 * MeLU's one-step meta-gradient on RAGGED rows ("ragged" strategy): the algebraic formulation of
 * meluMeta.ts (batched-meta-step.md, variant C) with its per-task correction products run by the
 * segmented kernel (models/segment.ts) on the flat, task-contiguous rows: nothing is padded, and on
 * tfjs-wasm every product is a 2-D XNNPACK call instead of the naive 3-D batched matMul.
 *
 * One local SGD step at the shared weights, per task t (support rows r of t, query rows q of t):
 * (written here for MeLU's two hidden layers; the code loops over the record's layers, meluLayers)
 *   support pass (shared weights, all rows stacked): z1 = x W1i + u_t W1u + b1, h1 = relu(z1),
 *     z2 = h1 W2 + b2, h2 = relu(z2), y = h2 w3 + b3; deltas d3 = 2 w_r (y - v) (w_r = 1/n_t),
 *     d2 = (d3 w3^T) . step(z2), d1 = (d2 W2^T) . step(z1)
 *   adapted weights, never formed: W1i' = W1i - alpha X_t^T D1_t, W1u' = W1u - alpha u_t^T s1_t,
 *     b1' = b1 - alpha s1_t, W2' = W2 - alpha H1_t^T D2_t, b2' = b2 - alpha s2_t,
 *     w3' = w3 - alpha g3_t, b3' = b3 - alpha s3_t, with s_k = sum_r d_k (per-task sums, a row
 *     scatter-add by task) and
 *     g3_t = sum_r h2_r d3_r (the per-task gradient of w3 as a row [T, H]: no segments needed)
 *   query rows: x_q W1i' = x_q W1i - alpha (x_q X_t^T) D1_t   (segmentGram, then segmentApply)
 *               h1_q W2' = h1_q W2 - alpha (h1_q H1_t^T) D2_t
 *               h2_q w3' = h2_q w3 - alpha h2_q . g3_t
 * Loss: (1/T) sum_t mean_q (y^_q - y_q)^2. First order: the support pass is a constant (it reads
 * detached views, ops.ts; the segmented products take its operands as constants). Second order: the same
 * function inside the tape (every op second-order safe: mm, relu, step, mul, add, sub, sum, reshape,
 * gatherRows, the segmented products).
 */
import * as tf from '@tensorflow/tfjs';
import { meluLayers, meluLocalKeys, weight, type MeluDims, type MeluParams } from '../models/melu';
import { embedSideAdjoint } from '../models/embedding';
import {
  detached,
  gatherRows,
  gatherRowsValue,
  mm,
  relu,
  TAPED,
  VALUES,
  withoutTape,
  type RowOps,
} from '../models/ops';
import { reluBackward } from '../kernels/elementwiseWebgpu';
import { segmentProduct } from '../kernels/segmentMatMul';
import { keysOf } from '../models/params';
import { segmentApply, segmentGram, type Segments } from '../models/segment';
import type { BatchTensors } from './batch';
import { embed, gradOfParams, meluRates, supportDeltas, type Embedded } from './meluCommon';
import { flatTaskLoss, stepOf, type InnerConfig, type MetaGradient, type StepSizes } from './meta';

/**
 * Support-pass quantities on flat support rows [Rs, .] and per-task sums [T, .]: xs, hs = [h1 .. hL],
 * ds = [d1 .. d_{L+1}] (meluCommon.ts supportDeltas), sums[k] = per-task sum of ds[k], and gOut the
 * output weight's per-task gradient as a row [T, H].
 */
interface RaggedSupport {
  readonly xs: tf.Tensor2D;
  readonly hs: readonly tf.Tensor2D[];
  readonly ds: readonly tf.Tensor2D[];
  readonly sums: readonly tf.Tensor2D[];
  readonly gOut: tf.Tensor2D;
  readonly users: tf.Tensor2D;
}

function supportPass(p: MeluParams, e: Embedded, b: BatchTensors, ops: RowOps = TAPED): RaggedSupport {
  const s = b.support;
  const t = b.tasks;
  const { xs, hs, ds } = supportDeltas(p, e, b, ops);
  return {
    xs,
    hs,
    ds,
    sums: ds.map((d) => ops.scatter(d, s.task, t)),
    gOut: ops.scatter(tf.mul(hs.at(-1)!, ds.at(-1)!) as tf.Tensor2D, s.task, t),
    users: e.userVecs,
  };
}

function segmentsOf(b: BatchTensors): Segments {
  return { a: Array.from(b.query.counts), b: Array.from(b.support.counts) };
}

/**
 * Query predictions at the adapted weights on flat query rows: [Rq]. `constant` = the support pass
 * is a constant of the gradient (first order). Hidden layer k: h W_k' = h W_k - alpha (h H_{k-1}^T) D_k
 * (segmentGram, then segmentApply); the output layer: h . w' with w' the per-task row w - alpha gOut.
 */
export function raggedQueryPredictions(
  p: MeluParams,
  e: Embedded,
  sp: RaggedSupport,
  b: BatchTensors,
  lr: StepSizes,
  constant: boolean,
): tf.Tensor1D {
  const q = b.query;
  const seg = segmentsOf(b);
  const a = (key: string) => stepOf(lr, key);
  const layers = meluLayers(p);
  const xq = gatherRows(e.itemVecs, q.item); // [Rq, Di]
  // per-task row [T, H]: u (W1u - a_W1u u0^T s1) + b1 - a_b1 s1 = u W1u + b1 - (a_W1u u . u0 + a_b1) s1
  const uu = tf.sum(tf.mul(e.userVecs, sp.users), 1, true);
  const rate1 = typeof lr === 'number' ? tf.mul(lr, tf.add(uu, 1)) : tf.add(tf.mul(a('w1User'), uu), a('b1'));
  const task1 = tf.sub(tf.add(mm(e.userVecs, p.w1User), p.b1), tf.mul(rate1, sp.sums[0]!));
  const corr1 = segmentApply(segmentGram(xq, sp.xs, seg, constant), sp.ds[0]!, seg, constant);
  const z1 = tf.sub(
    tf.add(mm(xq, p.w1Item), gatherRows(task1 as tf.Tensor2D, q.task)),
    tf.mul(a('w1Item'), corr1),
  );
  let h = relu(z1) as tf.Tensor2D;
  layers.slice(0, -1).forEach((layer, i) => {
    const task = tf.sub(
      tf.reshape(weight(p, layer.b), [1, -1]),
      tf.mul(a(layer.b), sp.sums[i + 1]!),
    ) as tf.Tensor2D;
    const corr = segmentApply(segmentGram(h, sp.hs[i]!, seg, constant), sp.ds[i + 1]!, seg, constant);
    const z = tf.sub(
      tf.add(mm(h, weight(p, layer.w) as tf.Tensor2D), gatherRows(task, q.task)),
      tf.mul(a(layer.w), corr),
    );
    h = relu(z) as tf.Tensor2D;
  });
  // per-task [T, H + 1]: [w'^T | b'] of the output layer gathered once per query row
  const out = layers.at(-1)!;
  const wt = tf.sub(tf.reshape(weight(p, out.w), [1, -1]), tf.mul(a(out.w), sp.gOut));
  const bt = tf.sub(tf.reshape(weight(p, out.b), [1, 1]), tf.mul(a(out.b), sp.sums.at(-1)!));
  const taskOut = gatherRows(tf.concat([wt, bt], 1) as tf.Tensor2D, q.task); // [Rq, H + 1]
  const width = h.shape[1];
  const y = tf.add(
    tf.sum(tf.mul(h, tf.slice(taskOut, [0, 0], [-1, width])), 1),
    tf.reshape(tf.slice(taskOut, [0, width], [-1, 1]), [-1]),
  );
  return y as tf.Tensor1D;
}

/** The support pass at the given parameters (shared weights). */
export function raggedSupport(p: MeluParams, e: Embedded, b: BatchTensors): RaggedSupport {
  return supportPass(p, e, b);
}

/**
 * One local step on ragged rows (see the file comment). Second order: the tape through the support
 * pass. First order: the hand-written backward (firstOrderByHand), no tape at all.
 */
export function meluMetaGradRagged(
  params: MeluParams,
  dims: MeluDims,
  b: BatchTensors,
  inner: InnerConfig,
): MetaGradient<MeluParams> {
  if (inner.steps !== 1)
    throw new Error(`Expected 1 local step for the ragged meta-step, got ${inner.steps}`);
  return inner.order === 'second-order'
    ? meluMetaGradRaggedTape(params, dims, b, inner)
    : firstOrderByHand(params, dims, b, inner);
}

/** The same meta-gradient through tfjs's tape, either order (the first-order reference of the tests). */
export function meluMetaGradRaggedTape(
  params: MeluParams,
  dims: MeluDims,
  b: BatchTensors,
  inner: InnerConfig,
): MetaGradient<MeluParams> {
  const loss = (p: MeluParams, e: Embedded, sp: RaggedSupport, constant: boolean) =>
    tf.div(
      flatTaskLoss(raggedQueryPredictions(p, e, sp, b, meluRates(p, inner.lr), constant), b.query),
      b.tasks,
    ) as tf.Scalar;
  if (inner.order === 'second-order') {
    return gradOfParams(params, (p) => {
      const e = embed(p, dims, b);
      return loss(p, e, supportPass(p, e, b), false);
    });
  }
  // first order: the support pass reads detached views of the weights and of the embeddings computed
  // once inside the tape, so it is a constant of the gradient (no second embedding pass)
  return gradOfParams(params, (p) => {
    const e = embed(p, dims, b);
    const frozen = Object.fromEntries(keysOf(p).map((k) => [k, detached(p[k]!)])) as unknown as MeluParams;
    const views = { itemVecs: detached(e.itemVecs), userVecs: detached(e.userVecs) };
    // nothing of the support pass is differentiated: computed with the tape off (no saved copies)
    const sp = withoutTape(() => supportPass(frozen, views, b));
    return loss(p, e, sp, true);
  });
}

/**
 * The first-order one-step meta-gradient written out by hand: no tape, no saved copies, no custom-
 * gradient wrappers (on webgpu those were most of the kernels of the taped step, issue #22). With the
 * support pass constant, the query loss L = (1/T) sum_q w_q (y_q - v_q)^2 of raggedQueryPredictions
 * back-propagates layer by layer (C_k the support corrections, a_k the local steps, s_k the per-task
 * delta sums, S the per-task sum over a task's query rows):
 *   dy = (2/T) w (y - v);  output: dW = sum_t S(dy h), db = sum_t S(dy), da_W = -<S(dy h), gOut>,
 *     da_b = -<S(dy), s_out>, dh = dy w'_t
 *   hidden k: dz = dh . step(z), dW_k = h^T dz, db_k = sum_t S(dz), da_bk = -<S(dz), s_k>,
 *     da_Wk = -<dz, C_k>, dh = dz W_k^T - a_Wk apply(gram(dz, D_k), H_{k-1})
 *   first: dz1 = dh . step(z1), dW1i = x^T dz1, dtask = S(dz1), dW1u = u^T dtask, db1 = sum_t dtask,
 *     drate = -<dtask, s1>_row, dx = dz1 W1i^T - a_W1i apply(gram(dz1, D1), X),
 *     du = dtask W1u^T + a_W1u drate u0 (rate1 = a_W1u u.u0 + a_b1)
 *   tables: the embedding adjoints of dx (scattered to the batch's items) and du; learned rates:
 *     d rho_k = a_k da_k.
 * Shapes: [Rq, .] query rows, [T, .] tasks; the same numbers as the tape (tests, float64 oracle).
 */
function firstOrderByHand(
  p: MeluParams,
  dims: MeluDims,
  b: BatchTensors,
  inner: InnerConfig,
): MetaGradient<MeluParams> {
  const q = b.query;
  const t = b.tasks;
  const seg = segmentsOf(b);
  const gram = (x: tf.Tensor, y: tf.Tensor) => segmentProduct('gram', x, y, seg.a, seg.b);
  const apply = (g: tf.Tensor, y: tf.Tensor) => segmentProduct('apply', g, y, seg.a, seg.b) as tf.Tensor2D;
  const { mm, mmT, mmTA, scatter } = VALUES;
  const S = (x: tf.Tensor2D) => scatter(x, q.task, t);
  const layers = meluLayers(p);
  const keys = meluLocalKeys(layers.length);
  const lr = meluRates(p, inner.lr);
  const a = (key: string) => stepOf(lr, key);
  const e = embed(p, dims, b, true);
  const sp = supportPass(p, e, b, VALUES);
  const u = e.userVecs;
  // forward, keeping what the backward reads
  const xq = gatherRowsValue(e.itemVecs, q.item); // [Rq, Di]
  const uu = tf.sum(tf.mul(u, sp.users), 1, true); // [T, 1]
  const rate1 = typeof lr === 'number' ? tf.mul(lr, tf.add(uu, 1)) : tf.add(tf.mul(a('w1User'), uu), a('b1'));
  const task1 = tf.sub(tf.add(mm(u, p.w1User), p.b1), tf.mul(rate1, sp.sums[0]!)) as tf.Tensor2D;
  const corrections: tf.Tensor2D[] = [apply(gram(xq, sp.xs), sp.ds[0]!)];
  const zs: tf.Tensor2D[] = [
    tf.sub(tf.add(mm(xq, p.w1Item), gatherRowsValue(task1, q.task)), tf.mul(a('w1Item'), corrections[0]!)),
  ];
  const hs: tf.Tensor2D[] = [VALUES.relu(zs[0]!)];
  layers.slice(0, -1).forEach((layer, i) => {
    const task = tf.sub(tf.reshape(weight(p, layer.b), [1, -1]), tf.mul(a(layer.b), sp.sums[i + 1]!));
    const c = apply(gram(hs[i]!, sp.hs[i]!), sp.ds[i + 1]!);
    corrections.push(c);
    const z = tf.sub(
      tf.add(mm(hs[i]!, weight(p, layer.w) as tf.Tensor2D), gatherRowsValue(task as tf.Tensor2D, q.task)),
      tf.mul(a(layer.w), c),
    ) as tf.Tensor2D;
    zs.push(z);
    hs.push(VALUES.relu(z));
  });
  const out = layers.at(-1)!;
  const h = hs.at(-1)!;
  const wt = tf.sub(tf.reshape(weight(p, out.w), [1, -1]), tf.mul(a(out.w), sp.gOut)) as tf.Tensor2D; // [T, H]
  const bt = tf.sub(tf.reshape(weight(p, out.b), [1, 1]), tf.mul(a(out.b), sp.sums.at(-1)!)) as tf.Tensor2D; // [T, 1]
  const wq = gatherRowsValue(wt, q.task);
  const y = tf.add(tf.sum(tf.mul(h, wq), 1), tf.reshape(gatherRowsValue(bt, q.task), [-1]));
  const r = tf.sub(y, q.value);
  const loss = tf.div(tf.sum(tf.mul(q.weight, tf.square(r))), t) as tf.Scalar;
  // backward
  const grads: Record<string, tf.Tensor> = {};
  const da: Record<string, tf.Tensor> = {};
  const dy = tf.reshape(tf.mul(tf.mul(q.weight, r), 2 / t), [-1, 1]) as tf.Tensor2D; // [Rq, 1]
  const dwt = S(tf.mul(h, dy) as tf.Tensor2D); // [T, H]
  const dbt = S(dy); // [T, 1]
  grads[out.w] = tf.reshape(tf.sum(dwt, 0), [-1, 1]);
  grads[out.b] = tf.sum(dbt, 0);
  // the step sizes' gradients (only with learned rates): da_k = -<dL/d(adapted), the step's direction>
  const rated = p.localLogRate !== undefined;
  if (rated) {
    da[out.w] = tf.neg(tf.sum(tf.mul(dwt, sp.gOut)));
    da[out.b] = tf.neg(tf.sum(tf.mul(dbt, sp.sums.at(-1)!)));
  }
  let dh = tf.mul(dy, wq) as tf.Tensor2D;
  for (let i = layers.length - 2; i >= 0; i--) {
    const layer = layers[i]!;
    const w = weight(p, layer.w) as tf.Tensor2D;
    const dz = reluBackward(dh, zs[i + 1]!, 0) as tf.Tensor2D;
    const dtask = S(dz);
    grads[layer.w] = mmTA(hs[i]!, dz);
    grads[layer.b] = tf.sum(dtask, 0);
    if (rated) {
      da[layer.b] = tf.neg(tf.sum(tf.mul(dtask, sp.sums[i + 1]!)));
      da[layer.w] = tf.neg(tf.sum(tf.mul(dz, corrections[i + 1]!)));
    }
    dh = tf.sub(mmT(dz, w), tf.mul(a(layer.w), apply(gram(dz, sp.ds[i + 1]!), sp.hs[i]!))) as tf.Tensor2D;
  }
  const dz1 = reluBackward(dh, zs[0]!, 0) as tf.Tensor2D;
  const dtask1 = S(dz1);
  grads.w1Item = mmTA(xq, dz1);
  grads.w1User = mmTA(u, dtask1);
  grads.b1 = tf.sum(dtask1, 0);
  const drate = tf.neg(tf.sum(tf.mul(dtask1, sp.sums[0]!), 1, true)); // [T, 1]
  if (rated) {
    da.w1Item = tf.neg(tf.sum(tf.mul(dz1, corrections[0]!)));
    da.w1User = tf.sum(tf.mul(drate, uu));
    da.b1 = tf.sum(drate);
  }
  const dx = tf.sub(
    mmT(dz1, p.w1Item),
    tf.mul(a('w1Item'), apply(gram(dz1, sp.ds[0]!), sp.xs)),
  ) as tf.Tensor2D;
  const uRate = typeof lr === 'number' ? lr : a('w1User');
  const du = tf.add(mmT(dtask1, p.w1User), tf.mul(tf.mul(uRate, drate), sp.users)) as tf.Tensor2D;
  const items = e.itemVecs.shape[0];
  grads.itemTable = embedSideAdjoint(dims.item, b.items, scatter(dx, q.item, items), p.itemTable.shape[0]);
  grads.userTable = embedSideAdjoint(dims.user, b.users, du, p.userTable.shape[0]);
  if (p.localLogRate)
    grads.localLogRate = tf.mul(tf.stack(keys.map((k) => da[k]!)), tf.stack(keys.map((k) => a(k))));
  const ordered = Object.fromEntries(keysOf(p).map((k) => [k, grads[k]!])) as unknown as MeluParams;
  return { loss, grads: ordered };
}
