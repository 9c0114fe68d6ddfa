// Float64 oracle of MeLU's MAML meta-loss (see src/models/melu.ts for the model's equations), written
// independently of tfjs: forward, and a hand-written backward for the LOCAL gradient only (the meta-
// gradient is what the tests finite-difference).
import type { TaskSet } from '../../src/data/scenarios/types';
import type { FeatureLayout } from '../../src/train/layout';
import {
  accumulateOuter,
  affine,
  backInput,
  block,
  concat,
  mat,
  matOf,
  relu,
  type Flat,
  type Mat,
  type Vec,
} from './mlp64';

export interface Problem64 {
  readonly layout: FeatureLayout;
  readonly tasks: TaskSet;
  readonly taskIds: readonly number[];
  readonly e: number;
}

type Local = { w1Item: Mat; w1User: Mat; b1: Vec; w2: Mat; b2: Vec; w3: Mat; b3: Vec };
const LOCAL_KEYS = ['w1Item', 'w1User', 'b1', 'w2', 'b2', 'w3', 'b3'] as const;

function row(table: Float64Array, e: number, r: number): Vec {
  return table.subarray(r * e, (r + 1) * e);
}

export function itemVec64(p: Flat, prob: Problem64, item: number): Vec {
  const { layout, e } = prob;
  const table = block(p, 'itemTable');
  const parts: Vec[] = [];
  for (let f = 0; f < layout.item.indexFields; f++)
    parts.push(row(table, e, layout.itemIndex[item * layout.item.indexFields + f]!));
  const w = layout.item.width;
  for (let f = 0; f < layout.item.multiFields; f++) {
    const acc = new Float64Array(e);
    for (let j = 0; j < w; j++) {
      const slot = (item * layout.item.multiFields + f) * w + j;
      const weight = layout.itemMultiWeights[slot]!;
      const r = row(table, e, layout.itemMulti[slot]!);
      for (let k = 0; k < e; k++) acc[k]! += weight * r[k]!;
    }
    parts.push(acc);
  }
  return concat(...parts);
}

export function userVec64(p: Flat, prob: Problem64, user: number): Vec {
  const { layout, e } = prob;
  const table = block(p, 'userTable');
  const parts: Vec[] = [];
  for (let f = 0; f < layout.user.indexFields; f++)
    parts.push(row(table, e, layout.userIndex[user * layout.user.indexFields + f]!));
  return concat(...parts);
}

function localOf(p: Flat): Local {
  return {
    w1Item: matOf(p, 'w1Item'),
    w1User: matOf(p, 'w1User'),
    b1: Float64Array.from(block(p, 'b1')),
    w2: matOf(p, 'w2'),
    b2: Float64Array.from(block(p, 'b2')),
    w3: matOf(p, 'w3'),
    b3: Float64Array.from(block(p, 'b3')),
  };
}

function forward(w: Local, xi: Vec, xu: Vec) {
  const z1 = affine(xi, w.w1Item, w.b1);
  const zu = affine(xu, w.w1User, null);
  for (let j = 0; j < z1.length; j++) z1[j]! += zu[j]!;
  const h1 = relu(z1);
  const z2 = affine(h1, w.w2, w.b2);
  const h2 = relu(z2);
  const y = affine(h2, w.w3, w.b3)[0]!;
  return { z1, h1, z2, h2, y };
}

type Rows = { items: Int32Array; values: Float32Array };
function rowsOf(tasks: TaskSet, t: number, side: 'support' | 'query'): Rows {
  const off = side === 'support' ? tasks.supportOffsets : tasks.queryOffsets;
  const items = side === 'support' ? tasks.supportItems : tasks.queryItems;
  const values = side === 'support' ? tasks.supportValues : tasks.queryValues;
  return { items: items.subarray(off[t]!, off[t + 1]!), values: values.subarray(off[t]!, off[t + 1]!) };
}

function mse(w: Local, p: Flat, prob: Problem64, user: number, rows: Rows): number {
  const xu = userVec64(p, prob, user);
  let s = 0;
  for (let r = 0; r < rows.items.length; r++) {
    const d = forward(w, itemVec64(p, prob, rows.items[r]!), xu).y - rows.values[r]!;
    s += d * d;
  }
  return rows.items.length ? s / rows.items.length : 0;
}

/**
 * The local step of each adapted key: lr, or lr * exp(rho_k) when p holds the learned log-rates
 * 'localLogRate' (one per LOCAL_KEYS entry, in order).
 */
export function rates64(p: Flat, lr: number): Record<string, number> {
  const rho = p.keys.includes('localLogRate') ? block(p, 'localLogRate') : null;
  return Object.fromEntries(LOCAL_KEYS.map((k, i) => [k, rho ? lr * Math.exp(rho[i]!) : lr]));
}

/** One SGD step on the support MSE: w - lr_k grad_k (hand-written backprop). */
function sgd(w: Local, p: Flat, prob: Problem64, user: number, rows: Rows, lr: number): Local {
  const a = rates64(p, lr);
  const g: Local = {
    w1Item: mat(w.w1Item.rows, w.w1Item.cols),
    w1User: mat(w.w1User.rows, w.w1User.cols),
    b1: new Float64Array(w.b1.length),
    w2: mat(w.w2.rows, w.w2.cols),
    b2: new Float64Array(w.b2.length),
    w3: mat(w.w3.rows, w.w3.cols),
    b3: new Float64Array(1),
  };
  const n = rows.items.length;
  const xu = userVec64(p, prob, user);
  for (let r = 0; r < n; r++) {
    const xi = itemVec64(p, prob, rows.items[r]!);
    const f = forward(w, xi, xu);
    const d3 = Float64Array.of((2 / n) * (f.y - rows.values[r]!));
    accumulateOuter(g.w3, f.h2, d3);
    g.b3[0]! += d3[0]!;
    const d2 = backInput(w.w3, d3).map((v, j) => (f.z2[j]! > 0 ? v : 0));
    accumulateOuter(g.w2, f.h1, d2);
    d2.forEach((v, j) => (g.b2[j]! += v));
    const d1 = backInput(w.w2, d2).map((v, j) => (f.z1[j]! > 0 ? v : 0));
    accumulateOuter(g.w1Item, xi, d1);
    accumulateOuter(g.w1User, xu, d1);
    d1.forEach((v, j) => (g.b1[j]! += v));
  }
  const sub = (x: Float64Array, y: Float64Array, key: string) => x.map((v, i) => v - a[key]! * y[i]!);
  const m = (x: Mat, y: Mat, key: string): Mat => ({ ...x, data: sub(x.data, y.data, key) });
  return {
    w1Item: m(w.w1Item, g.w1Item, 'w1Item'),
    w1User: m(w.w1User, g.w1User, 'w1User'),
    b1: sub(w.b1, g.b1, 'b1'),
    w2: m(w.w2, g.w2, 'w2'),
    b2: sub(w.b2, g.b2, 'b2'),
    w3: m(w.w3, g.w3, 'w3'),
    b3: sub(w.b3, g.b3, 'b3'),
  };
}

/** theta - theta'_t for every task: the local change, as plain arrays per key. */
export function meluDeltas64(
  p: Flat,
  prob: Problem64,
  steps: number,
  lr: number,
): Record<string, Float64Array>[] {
  return prob.taskIds.map((t) => {
    const user = prob.tasks.users[t]!;
    const w0 = localOf(p);
    let w = w0;
    for (let k = 0; k < steps; k++) w = sgd(w, p, prob, user, rowsOf(prob.tasks, t, 'support'), lr);
    const out: Record<string, Float64Array> = {};
    for (const key of LOCAL_KEYS) {
      const a = w0[key];
      const b = w[key];
      const ad = 'data' in a ? a.data : a;
      const bd = 'data' in b ? b.data : b;
      out[key] = ad.map((v, i) => v - bd[i]!);
    }
    return out;
  });
}

/**
 * (1/T) sum_t query MSE at theta - delta_t (deltas given: first-order check; computed: true MAML).
 * `frozenRates` (first order with learned rates): the rates the deltas were computed with; each
 * delta_k is rescaled by rate_k(p) / frozen_k, its dependence on the rate (local gradients fixed).
 */
export function meluQueryLoss64(
  p: Flat,
  prob: Problem64,
  deltas: Record<string, Float64Array>[],
  frozenRates?: { lr: number; rates: Record<string, number> },
): number {
  let total = 0;
  const live = frozenRates ? rates64(p, frozenRates.lr) : null;
  const scale = (key: string) => (live && frozenRates ? live[key]! / frozenRates.rates[key]! : 1);
  prob.taskIds.forEach((t, k) => {
    const w0 = localOf(p);
    const d = deltas[k]!;
    const sub = (a: Float64Array, key: string) => a.map((v, i) => v - scale(key) * d[key]![i]!);
    const w: Local = {
      w1Item: { ...w0.w1Item, data: sub(w0.w1Item.data, 'w1Item') },
      w1User: { ...w0.w1User, data: sub(w0.w1User.data, 'w1User') },
      b1: sub(w0.b1, 'b1'),
      w2: { ...w0.w2, data: sub(w0.w2.data, 'w2') },
      b2: sub(w0.b2, 'b2'),
      w3: { ...w0.w3, data: sub(w0.w3.data, 'w3') },
      b3: sub(w0.b3, 'b3'),
    };
    total += mse(w, p, prob, prob.tasks.users[t]!, rowsOf(prob.tasks, t, 'query'));
  });
  return total / prob.taskIds.length;
}

/** The true MAML meta-loss (second order): deltas recomputed from p. */
export function meluMetaLoss64(p: Flat, prob: Problem64, steps: number, lr: number): number {
  return meluQueryLoss64(p, prob, meluDeltas64(p, prob, steps, lr));
}
