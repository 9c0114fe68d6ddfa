// Float64 plain-JS oracle of MELO's meta-loss (src/train/meloMeta.ts) on tiny tasks, independent of
// tfjs and src/models: the backbone, the weighting networks and the local steps re-derived from the
// equations, one task at a time, with a scalar reverse-mode tape (micrograd-style) for the local
// gradients. A float64 finite difference of this meta-loss checks the tfjs meta-gradient.

/** A scalar on the tape: value, parents with local derivatives, accumulated gradient. */
class S {
  grad = 0;
  constructor(
    readonly v: number,
    readonly parents: readonly (readonly [S, number])[] = [],
  ) {}
}
const c = (v: number) => new S(v);
const add = (a: S, b: S) =>
  new S(a.v + b.v, [
    [a, 1],
    [b, 1],
  ]);
const sub = (a: S, b: S) =>
  new S(a.v - b.v, [
    [a, 1],
    [b, -1],
  ]);
const mul = (a: S, b: S) =>
  new S(a.v * b.v, [
    [a, b.v],
    [b, a.v],
  ]);
const scale = (a: S, k: number) => new S(a.v * k, [[a, k]]);
const div = (a: S, b: S) =>
  new S(a.v / b.v, [
    [a, 1 / b.v],
    [b, -a.v / (b.v * b.v)],
  ]);
const sqrt = (a: S) => new S(Math.sqrt(a.v), [[a, 0.5 / Math.sqrt(a.v)]]);
const exp = (a: S) => new S(Math.exp(a.v), [[a, Math.exp(a.v)]]);
const relu = (a: S) => new S(Math.max(0, a.v), [[a, a.v > 0 ? 1 : 0]]);
const abs = (a: S) => new S(Math.abs(a.v), [[a, a.v > 0 ? 1 : -1]]);
const tanh = (a: S) => new S(Math.tanh(a.v), [[a, 1 - Math.tanh(a.v) ** 2]]);
const sigmoid = (a: S) => {
  const s = 1 / (1 + Math.exp(-a.v));
  return new S(s, [[a, s * (1 - s)]]);
};
const sum = (xs: S[]) => xs.reduce((a, b) => add(a, b), c(0));

/** Gradients of `out` w.r.t. the leaves (reverse topological order). */
function backward(out: S): void {
  const order: S[] = [];
  const seen = new Set<S>();
  const visit = (n: S) => {
    if (seen.has(n)) return;
    seen.add(n);
    for (const [p] of n.parents) visit(p);
    order.push(n);
  };
  visit(out);
  out.grad = 1;
  for (let k = order.length - 1; k >= 0; k--)
    for (const [p, d] of order[k]!.parents) p.grad += d * order[k]!.grad;
}

/** A named record of flat float64 tensors with their shapes (row-major). */
export type Record64 = Record<string, { shape: number[]; data: Float64Array }>;
type Leaves = Record<string, S[]>;

const toLeaves = (r: Record<string, number[]>): Leaves =>
  Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.map(c)]));
const leaves = (r: Record64): Leaves =>
  Object.fromEntries(Object.entries(r).map(([k, t]) => [k, Array.from(t.data, c)]));

export interface Task64 {
  readonly items: number[]; // table rows, support then query (no padding)
  readonly ratings: number[];
  readonly support: number; // support positions = the first `support`
}

export interface Config64 {
  readonly blocks: number;
  readonly heads: number;
  readonly hidden: number;
  readonly steps: number;
  readonly weighting: 'none' | 'lstm' | 'mlp';
  readonly order: 'first-order' | 'second-order';
  readonly stepWeights: number[] | null;
  /** the backbone: causal self-attention blocks (default) or stacked GRU layers */
  readonly encoder?: 'attention' | 'gru';
}

/** x W + b for a row x [a] of scalars, W [a, b] flat. */
function affine(x: S[], w: S[], cols: number, b?: S[]): S[] {
  return Array.from({ length: cols }, (_, j) =>
    sum([...x.map((xi, i) => mul(xi, w[i * cols + j]!)), ...(b ? [b[j]!] : [])]),
  );
}

function layerNorm(x: S[], g: S[], b: S[]): S[] {
  const n = x.length;
  const mean = scale(sum(x), 1 / n);
  const centred = x.map((v) => sub(v, mean));
  const variance = scale(sum(centred.map((v) => mul(v, v))), 1 / n);
  const inv = div(c(1), sqrt(add(variance, c(1e-5))));
  return centred.map((v, k) => add(mul(mul(v, inv), g[k]!), b[k]!));
}

/** Predicted ratings at every position of one task (causal self-attention backbone). */
function forward(p: Leaves, task: Task64, cfg: Config64): S[] {
  const d = cfg.hidden;
  const L = task.items.length;
  let x = task.items.map((item, l) =>
    Array.from({ length: d }, (_, k) => add(p.itemEmb![item * d + k]!, p.posEmb![l * d + k]!)),
  );
  if (cfg.encoder === 'gru')
    // h_l = (1 - z) h_{l-1} + z tanh(x W_h + (r h_{l-1}) U_h + b_h), z and r sigmoid gates, h_{-1} = 0
    for (let b = 0; b < cfg.blocks; b++) {
      const P = (k: string) => p[`g${b}.${k}`]!;
      let h = Array.from({ length: d }, () => c(0));
      x = x.map((row) => {
        const gate = (g: string, hin: S[]) =>
          affine(row, P(`w${g}`), d, P(`b${g}`)).map((v, k) => add(v, affine(hin, P(`u${g}`), d)[k]!));
        const z = gate('z', h).map(sigmoid);
        const r = gate('r', h).map(sigmoid);
        const cand = gate(
          'h',
          h.map((v, k) => mul(r[k]!, v)),
        ).map(tanh);
        h = h.map((v, k) => add(v, mul(z[k]!, sub(cand[k]!, v))));
        return h;
      });
    }
  const dh = d / cfg.heads;
  for (let b = 0; b < cfg.blocks && cfg.encoder !== 'gru'; b++) {
    const P = (k: string) => p[`b${b}.${k}`]!;
    const h = x.map((row) => layerNorm(row, P('ln1g'), P('ln1b')));
    const q = h.map((row) => affine(row, P('wq'), d));
    const kk = h.map((row) => affine(row, P('wk'), d));
    const v = h.map((row) => affine(row, P('wv'), d));
    const mixed = x.map(() => new Array<S>(d));
    for (let head = 0; head < cfg.heads; head++) {
      const part = (row: S[]) => row.slice(head * dh, (head + 1) * dh);
      for (let i = 0; i < L; i++) {
        const scores = Array.from({ length: i + 1 }, (_, j) =>
          scale(sum(part(q[i]!).map((qi, t) => mul(qi, part(kk[j]!)[t]!))), 1 / Math.sqrt(dh)),
        );
        const m = Math.max(...scores.map((s) => s.v)); // a constant shift (cancels)
        const e = scores.map((s) => exp(sub(s, c(m))));
        const z = sum(e);
        for (let t = 0; t < dh; t++)
          mixed[i]![head * dh + t] = sum(e.map((ej, j) => mul(div(ej, z), part(v[j]!)[t]!)));
      }
    }
    x = x.map((row, i) => affine(mixed[i]!, P('wo'), d).map((o, k) => add(row[k]!, o)));
    x = x.map((row) => {
      const h2 = layerNorm(row, P('ln2g'), P('ln2b'));
      const f = affine(affine(h2, P('w1'), P('b1').length, P('b1')).map(relu), P('w2'), d, P('b2'));
      return row.map((r, k) => add(r, f[k]!));
    });
  }
  return x.map((row) => add(affine(layerNorm(row, p.lnFg!, p.lnFb!), p.headW!, 1)[0]!, p.headB![0]!));
}

/** Support weights w_s of one task (1 without weighting). */
function weights(phi: Leaves | null, task: Task64, pred: S[], losses: S[], cfg: Config64): S[] {
  const n = task.support;
  if (cfg.weighting === 'none' || !phi) return Array.from({ length: n }, () => c(1));
  const r = task.ratings.slice(0, n);
  if (cfg.weighting === 'mlp') {
    const mean = r.reduce((a, b) => a + b, 0) / n;
    const std = Math.sqrt(r.reduce((a, b) => a + (b - mean) ** 2, 0) / n + 1e-6);
    return r.map((rating, s) => {
      const f = [c(mean / 5), c(std), c(rating / 5), scale(pred[s]!, 0.2), losses[s]!];
      const h = affine(f, phi.w1!, phi.b1!.length, phi.b1!).map(relu);
      return abs(add(affine(h, phi.v!, 1)[0]!, phi.c![0]!));
    });
  }
  const H = phi.h0!.length;
  let h = phi.h0!;
  let cell = phi.c0!;
  return r.map((rating, s) => {
    const x = [
      ...[1, 2, 3, 4, 5].map((k) => c(k === Math.round(rating) ? 1 : 0)),
      scale(pred[s]!, 0.2),
      losses[s]!,
    ];
    const recurrent = affine(h, phi.wh!, 4 * H);
    const z = affine(x, phi.wx!, 4 * H, phi.b!).map((zi, j) => add(zi, recurrent[j]!));
    const gate = (k: number) => z.slice(k * H, (k + 1) * H);
    cell = cell.map((ct, j) =>
      add(mul(sigmoid(gate(1)[j]!), ct), mul(sigmoid(gate(0)[j]!), tanh(gate(2)[j]!))),
    );
    h = cell.map((ct, j) => mul(sigmoid(gate(3)[j]!), tanh(ct)));
    return abs(add(affine(h, phi.v!, 1)[0]!, phi.c![0]!));
  });
}

const KEY_OF = (key: string) => (key === 'itemEmb' ? 'itemRows' : key);

/**
 * The meta-loss: mean over tasks of sum_j v_j L_q(theta_j) (v = stepWeights, or the last step only).
 * `frozen`: first order takes each local gradient from this trajectory (the unperturbed one) as a
 * constant; pass the result of a first call with `record` to get it.
 */
export function meloMetaLoss64(
  theta: Record64,
  rates: Record64,
  phi: Record64 | null,
  tasks: Task64[],
  cfg: Config64,
  frozen?: number[][][][],
  record?: number[][][][],
): number {
  let total = 0;
  tasks.forEach((task, t) => {
    let values = Object.fromEntries(Object.entries(theta).map(([k, r]) => [k, Array.from(r.data)]));
    const queryLoss = (): number => {
      const pred = forward(toLeaves(values), task, cfg);
      const q = task.ratings.length - task.support;
      return (
        pred.slice(task.support).reduce((a, y, k) => a + (y.v - task.ratings[task.support + k]!) ** 2, 0) / q
      );
    };
    const taskRecord: number[][][] = [];
    for (let j = 0; j < cfg.steps; j++) {
      const p = toLeaves(values);
      const pred = forward(p, task, cfg);
      const losses = pred.slice(0, task.support).map((y, s) => {
        const e = sub(y, c(task.ratings[s]!));
        return mul(e, e);
      });
      const w = weights(phi ? leaves(phi) : null, task, pred, losses, cfg);
      backward(scale(sum(losses.map((l, s) => mul(w[s]!, l))), 1 / task.support));
      const keys = Object.keys(values);
      const grads = frozen ? frozen[t]![j]! : keys.map((k) => p[k]!.map((x) => x.grad));
      taskRecord.push(grads);
      values = Object.fromEntries(
        keys.map((k, i) => [k, values[k]!.map((x, n) => x - rates[KEY_OF(k)]!.data[j]! * grads[i]![n]!)]),
      );
      const v = cfg.stepWeights?.[j] ?? 0;
      if (v > 0 && j < cfg.steps - 1) total += (v * queryLoss()) / tasks.length;
    }
    record?.push(taskRecord);
    total += ((cfg.stepWeights?.[cfg.steps - 1] ?? 1) * queryLoss()) / tasks.length;
  });
  return total;
}
