/**
 * The sequential backbone of MELO (peers.md A.3, SASRec re-headed for rating regression), as pure
 * functions over named parameter records: item embeddings + learned positions, `blocks` pre-LN
 * transformer blocks (causal multi-head self-attention, ReLU feed-forward), a final layer norm and a
 * linear rating head at EVERY position: y^_t = f(items_0..t). Ratings are never an input (as in MELO),
 * so a task's query items can sit in its sequence without leaking their ratings, and causal attention
 * keeps the support positions' predictions independent of the query positions after them.
 *
 * Every tensor of a forward pass is per task (leading T): the shared record is tiled by taskParams, so
 * MAML's fast weights are just another TaskParams record and a local gradient of the summed task
 * losses is every task's own gradient. The item table is adapted too (MELO adapts everything), as the
 * task's own embedding rows `itemRows` [T, L, d] (a task's sequence has distinct items, so adapting its
 * rows is adapting its copy of the table). Second-order safe (sequenceOps.ts, ops.ts).
 * Differences from MELO: a linear head (output bias at the mean training rating) on raw 1..5 ratings
 * instead of 0.1 + sigmoid on rating / 5; ReLU feed-forward (no dropout).
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../lib/rng';
import { gatherRows, sigmoid, tanh } from './ops';
import { filled, glorot, normal } from './params';
import { causalSoftmax, layerNorm } from './sequenceOps';

export interface SequenceDims {
  /** Item rows, padding row 0 included (ItemIndex i is row i + 1). */
  readonly items: number;
  /** Positions L (the window length). */
  readonly length: number;
  readonly hidden: number;
  readonly heads: number;
  readonly blocks: number;
  /** Feed-forward width. */
  readonly ffn: number;
  /**
   * 'attention' (default): `blocks` causal self-attention blocks (SASRec); 'gru': `blocks` stacked GRU
   * layers (GRU4Rec-like), the variant issue #23 asks for. Heads and ffn are unused by the GRU.
   */
  readonly encoder?: 'attention' | 'gru';
}

/** Shared parameters: itemEmb [I+1, d], posEmb [L, d], per block `b{n}.*`, final norm, head. */
export type SequenceParams = Readonly<Record<string, tf.Tensor>>;
/** Per-task parameters: itemRows [T, L, d] and every other key of SequenceParams with a leading T. */
export type TaskParams = Readonly<Record<string, tf.Tensor>>;

const BLOCK_KEYS = ['ln1g', 'ln1b', 'wq', 'wk', 'wv', 'wo', 'ln2g', 'ln2b', 'w1', 'b1', 'w2', 'b2'] as const;
/** A GRU layer's tensors: input and recurrent matrices [d, d] and biases [d] of the update (z), reset (r) and candidate (h) gates. */
const GRU_KEYS = ['wz', 'uz', 'bz', 'wr', 'ur', 'br', 'wh', 'uh', 'bh'] as const;

/** Initial parameters: embeddings N(0, 0.1^2), Glorot matrices, unit gains, zero biases, head bias at `mean`. */
export function initSequence(dims: SequenceDims, rng: Rng, mean: number): Record<string, tf.Tensor> {
  const d = dims.hidden;
  const p: Record<string, tf.Tensor> = {
    itemEmb: normal(rng.fork('items'), [dims.items, d], 0.1),
    posEmb: normal(rng.fork('positions'), [dims.length, d], 0.1),
  };
  for (let b = 0; b < dims.blocks && dims.encoder === 'gru'; b++) {
    const r = rng.fork(`gru${b}`);
    for (const gate of ['z', 'r', 'h'])
      Object.assign(p, {
        [`g${b}.w${gate}`]: glorot(r.fork(`w${gate}`), d, d),
        [`g${b}.u${gate}`]: glorot(r.fork(`u${gate}`), d, d),
        [`g${b}.b${gate}`]: filled([d], 0),
      });
  }
  for (let b = 0; b < dims.blocks && dims.encoder !== 'gru'; b++) {
    const r = rng.fork(`block${b}`);
    Object.assign(p, {
      [`b${b}.ln1g`]: filled([d], 1),
      [`b${b}.ln1b`]: filled([d], 0),
      [`b${b}.wq`]: glorot(r.fork('q'), d, d),
      [`b${b}.wk`]: glorot(r.fork('k'), d, d),
      [`b${b}.wv`]: glorot(r.fork('v'), d, d),
      [`b${b}.wo`]: glorot(r.fork('o'), d, d),
      [`b${b}.ln2g`]: filled([d], 1),
      [`b${b}.ln2b`]: filled([d], 0),
      [`b${b}.w1`]: glorot(r.fork('f1'), d, dims.ffn),
      [`b${b}.b1`]: filled([dims.ffn], 0),
      [`b${b}.w2`]: glorot(r.fork('f2'), dims.ffn, d),
      [`b${b}.b2`]: filled([d], 0),
    });
  }
  p.lnFg = filled([d], 1);
  p.lnFb = filled([d], 0);
  p.headW = glorot(rng.fork('head'), d, 1);
  p.headB = filled([1], mean);
  return p;
}

/** Keys of a block's tensors, for LSLR tables and reports. */
export function sequenceKeys(dims: SequenceDims): string[] {
  const keys = ['itemEmb', 'posEmb'];
  for (let b = 0; b < dims.blocks; b++)
    if (dims.encoder === 'gru') for (const k of GRU_KEYS) keys.push(`g${b}.${k}`);
    else for (const k of BLOCK_KEYS) keys.push(`b${b}.${k}`);
  return [...keys, 'lnFg', 'lnFb', 'headW', 'headB'];
}

/**
 * Shared -> per-task record for T tasks whose item rows are `items` [T, L] (int32, row indices, 0 =
 * padding): itemRows = itemEmb[items] [T, L, d]; every other tensor [...s] -> [T, ...s] (vectors as
 * [T, 1, n], so they broadcast over positions). Gradients flow back to the shared record.
 */
export function taskParams(
  p: SequenceParams,
  items: tf.Tensor2D,
  tile: (t: tf.Tensor) => tf.Tensor,
): TaskParams {
  const [tasks, length] = items.shape;
  const d = p.itemEmb!.shape[1]!;
  const out: Record<string, tf.Tensor> = {
    itemRows: tf.reshape(gatherRows(p.itemEmb as tf.Tensor2D, tf.reshape(items, [-1]) as tf.Tensor1D), [
      tasks,
      length,
      d,
    ]),
  };
  for (const [key, t] of Object.entries(p)) {
    if (key === 'itemEmb') continue;
    const tiled = tile(t);
    out[key] = t.rank === 1 ? tf.reshape(tiled, [tasks, 1, t.shape[0]!]) : tiled;
  }
  return out;
}

/** x W per task: x [T, L, a], W [T, a, b] -> [T, L, b]. */
const bmm = (x: tf.Tensor, w: tf.Tensor): tf.Tensor => tf.matMul(x as tf.Tensor3D, w as tf.Tensor3D);

/** Causal multi-head self-attention of x [T, L, d] with per-task W_q, W_k, W_v, W_o [T, d, d]. */
function attention(x: tf.Tensor, tp: TaskParams, block: number, heads: number): tf.Tensor {
  const [tasks, length, d] = x.shape as [number, number, number];
  const dh = d / heads;
  const split = (t: tf.Tensor) =>
    tf.reshape(tf.transpose(tf.reshape(t, [tasks, length, heads, dh]), [0, 2, 1, 3]), [
      tasks * heads,
      length,
      dh,
    ]);
  const q = split(bmm(x, tp[`b${block}.wq`]!));
  const k = split(bmm(x, tp[`b${block}.wk`]!));
  const v = split(bmm(x, tp[`b${block}.wv`]!));
  const scores = tf.mul(tf.matMul(q as tf.Tensor3D, k as tf.Tensor3D, false, true), 1 / Math.sqrt(dh));
  const mixed = tf.matMul(causalSoftmax(scores) as tf.Tensor3D, v as tf.Tensor3D);
  const merged = tf.reshape(tf.transpose(tf.reshape(mixed, [tasks, heads, length, dh]), [0, 2, 1, 3]), [
    tasks,
    length,
    d,
  ]);
  return bmm(merged, tp[`b${block}.wo`]!);
}

/**
 * One GRU layer over x [T, L, d] with per-task gates (g{layer}.*), h_{-1} = 0, causal by construction:
 *   z_l = σ(x_l W_z + h_{l-1} U_z + b_z),  r_l = σ(x_l W_r + h_{l-1} U_r + b_r),
 *   c_l = tanh(x_l W_h + (r_l ⊙ h_{l-1}) U_h + b_h),  h_l = (1 − z_l) ⊙ h_{l-1} + z_l ⊙ c_l;
 * returns h [T, L, d]. σ and tanh are ops.ts's second-order-safe versions (MELO differentiates
 * through the local steps). The input projections of all positions are one batched product each.
 */
function gruLayer(x: tf.Tensor, tp: TaskParams, layer: number): tf.Tensor {
  const [tasks, length, d] = x.shape as [number, number, number];
  const key = (k: string) => tp[`g${layer}.${k}`]!;
  const xz = tf.add(bmm(x, key('wz')), key('bz'));
  const xr = tf.add(bmm(x, key('wr')), key('br'));
  const xh = tf.add(bmm(x, key('wh')), key('bh'));
  const at = (t: tf.Tensor, l: number) => tf.slice(t, [0, l, 0], [tasks, 1, d]);
  let h: tf.Tensor = tf.zeros([tasks, 1, d]);
  const outs: tf.Tensor[] = [];
  for (let l = 0; l < length; l++) {
    const z = sigmoid(tf.add(at(xz, l), bmm(h, key('uz'))));
    const r = sigmoid(tf.add(at(xr, l), bmm(h, key('ur'))));
    const c = tanh(tf.add(at(xh, l), bmm(tf.mul(r, h), key('uh'))));
    h = tf.add(h, tf.mul(z, tf.sub(c, h)));
    outs.push(h);
  }
  return tf.concat(outs, 1);
}

/**
 * h [T, L, d]: the backbone's output at every position (no head; MML scores items with it).
 * x_0 = itemRows + posEmb; attention: per block x <- x + Attn(LN1(x)); x <- x + W2 relu(W1 LN2(x) + b1)
 * + b2; GRU: per layer x <- GRU(x); then h = LN_F(x).
 */
export function sequenceHidden(tp: TaskParams, dims: SequenceDims): tf.Tensor {
  let x = tf.add(tp.itemRows!, tp.posEmb!);
  if (dims.encoder === 'gru') {
    for (let b = 0; b < dims.blocks; b++) x = gruLayer(x, tp, b);
    return layerNorm(x, tp.lnFg!, tp.lnFb!);
  }
  for (let b = 0; b < dims.blocks; b++) {
    const key = (k: string) => tp[`b${b}.${k}`]!;
    x = tf.add(x, attention(layerNorm(x, key('ln1g'), key('ln1b')), tp, b, dims.heads));
    const h = layerNorm(x, key('ln2g'), key('ln2b'));
    x = tf.add(x, tf.add(bmm(tf.relu(tf.add(bmm(h, key('w1')), key('b1'))), key('w2')), key('b2')));
  }
  return layerNorm(x, tp.lnFg!, tp.lnFb!);
}

/**
 * y^ [T, L]: the predicted rating at every position of every task's sequence.
 * x_0 = itemRows + posEmb; per block x <- x + Attn(LN1(x)); x <- x + W2 relu(W1 LN2(x) + b1) + b2;
 * y^ = LN_F(x) w_head + b_head.
 */
export function sequenceForward(tp: TaskParams, dims: SequenceDims): tf.Tensor2D {
  const out = bmm(sequenceHidden(tp, dims), tp.headW!);
  const [tasks, length] = out.shape as [number, number, number];
  return tf.add(tf.reshape(out, [tasks, length]), tf.reshape(tp.headB!, [tasks, 1])) as tf.Tensor2D;
}
