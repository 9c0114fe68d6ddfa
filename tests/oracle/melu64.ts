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

/** The adapted weights: the first layer (split by input part) and every later layer, output last. */
type Local = { w1Item: Mat; w1User: Mat; b1: Vec; layers: { w: Mat; b: Vec }[] };

/** The adapted keys in order: w1Item, w1User, b1, then w2, b2, ... as far as the record goes. */
function localKeys(p: Flat): string[] {
  const keys = ['w1Item', 'w1User', 'b1'];
  for (let k = 2; p.keys.includes(`w${k}`); k++) keys.push(`w${k}`, `b${k}`);
  return keys;
}

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
  const layers: Local['layers'] = [];
  for (let k = 2; p.keys.includes(`w${k}`); k++)
    layers.push({ w: matOf(p, `w${k}`), b: Float64Array.from(block(p, `b${k}`)) });
  return {
    w1Item: matOf(p, 'w1Item'),
    w1User: matOf(p, 'w1User'),
    b1: Float64Array.from(block(p, 'b1')),
    layers,
  };
}

/** Forward pass of one row: zs = [z1 .. zL], hs = [h1 .. hL] (ReLU on every hidden layer), y. */
function forward(w: Local, xi: Vec, xu: Vec) {
  const z1 = affine(xi, w.w1Item, w.b1);
  const zu = affine(xu, w.w1User, null);
  for (let j = 0; j < z1.length; j++) z1[j]! += zu[j]!;
  const zs = [z1];
  const hs = [relu(z1)];
  for (const layer of w.layers.slice(0, -1)) {
    zs.push(affine(hs.at(-1)!, layer.w, layer.b));
    hs.push(relu(zs.at(-1)!));
  }
  const out = w.layers.at(-1)!;
  const y = affine(hs.at(-1)!, out.w, out.b)[0]!;
  return { zs, hs, y };
}

/** The record's keys and values of a Local, in localKeys order. */
function entries(w: Local): [string, Float64Array][] {
  const out: [string, Float64Array][] = [
    ['w1Item', w.w1Item.data],
    ['w1User', w.w1User.data],
    ['b1', w.b1],
  ];
  w.layers.forEach((l, i) => out.push([`w${i + 2}`, l.w.data], [`b${i + 2}`, l.b]));
  return out;
}

/** A Local with every key's values replaced by f(key, values). */
function mapLocal(w: Local, f: (key: string, v: Float64Array) => Float64Array): Local {
  return {
    w1Item: { ...w.w1Item, data: f('w1Item', w.w1Item.data) },
    w1User: { ...w.w1User, data: f('w1User', w.w1User.data) },
    b1: f('b1', w.b1),
    layers: w.layers.map((l, i) => ({
      w: { ...l.w, data: f(`w${i + 2}`, l.w.data) },
      b: f(`b${i + 2}`, l.b),
    })),
  };
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
 * 'localLogRate' (one per localKeys entry, in order).
 */
export function rates64(p: Flat, lr: number): Record<string, number> {
  const rho = p.keys.includes('localLogRate') ? block(p, 'localLogRate') : null;
  return Object.fromEntries(localKeys(p).map((k, i) => [k, rho ? lr * Math.exp(rho[i]!) : lr]));
}

/** One SGD step on the support MSE: w - lr_k grad_k (hand-written backprop through every layer). */
function sgd(w: Local, p: Flat, prob: Problem64, user: number, rows: Rows, lr: number): Local {
  const a = rates64(p, lr);
  const g = mapLocal(w, (_, v) => new Float64Array(v.length));
  const n = rows.items.length;
  const xu = userVec64(p, prob, user);
  for (let r = 0; r < n; r++) {
    const xi = itemVec64(p, prob, rows.items[r]!);
    const f = forward(w, xi, xu);
    // back from the output: layer i (0-based in w.layers) reads hs[i] and gets delta d
    let d: Vec = Float64Array.of((2 / n) * (f.y - rows.values[r]!));
    for (let i = w.layers.length - 1; i >= 0; i--) {
      accumulateOuter(g.layers[i]!.w, f.hs[i]!, d);
      d.forEach((v, j) => (g.layers[i]!.b[j]! += v));
      const z = f.zs[i]!;
      d = backInput(w.layers[i]!.w, d).map((v, j) => (z[j]! > 0 ? v : 0));
    }
    accumulateOuter(g.w1Item, xi, d);
    accumulateOuter(g.w1User, xu, d);
    d.forEach((v, j) => (g.b1[j]! += v));
  }
  const grads = new Map(entries(g));
  return mapLocal(w, (key, v) => v.map((x, i) => x - a[key]! * grads.get(key)![i]!));
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
    const after = new Map(entries(w));
    const out: Record<string, Float64Array> = {};
    for (const [key, v] of entries(w0)) out[key] = v.map((x, i) => x - after.get(key)![i]!);
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
    const w = mapLocal(w0, (key, v) => sub(v, key));
    total += mse(w, p, prob, prob.tasks.users[t]!, rowsOf(prob.tasks, t, 'query'));
  });
  return total / prob.taskIds.length;
}

/** The true MAML meta-loss (second order): deltas recomputed from p. */
export function meluMetaLoss64(p: Flat, prob: Problem64, steps: number, lr: number): number {
  return meluQueryLoss64(p, prob, meluDeltas64(p, prob, steps, lr));
}
