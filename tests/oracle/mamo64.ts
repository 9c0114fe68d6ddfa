// Float64 oracle of MAMO's meta-loss (src/models/mamo.ts, src/models/memory.ts give the equations),
// independent of tfjs: attention, memory read, personalised init, k local SGD steps with hand-written
// backprop, and the query MSE. Memories are constants here (they are written by rules, not gradients).
import { block, type Flat } from './mlp64';
import { itemVec64, userVec64, type Problem64 } from './melu64';

export interface Memory64 {
  readonly k: number;
  readonly profile: Float64Array; // [K, Du]
  readonly gradient: Float64Array; // [K, |theta_u|]
  readonly task: Float64Array; // [K, e, 2e]
}
export interface MamoSetup64 {
  readonly prob: Problem64;
  readonly hidden: number;
  readonly memory: Memory64;
  readonly tau: number;
  readonly scale: number;
  readonly slope: number;
}

type M = { r: number; c: number; d: Float64Array };
type Local = Record<
  'wu1' | 'bu1' | 'wu2' | 'bu2' | 'wi1' | 'bi1' | 'wi2' | 'bi2' | 'wr2' | 'br2' | 'wr3' | 'br3' | 'mui',
  M
>;
const USER = ['wu1', 'bu1', 'wu2', 'bu2'] as const;
const GLOBAL = [...USER, 'wi1', 'bi1', 'wi2', 'bi2', 'wr2', 'br2', 'wr3', 'br3'] as const;

const shapeOf = (flat: Flat, key: string) => flat.shapes[flat.keys.indexOf(key)]!;
const mOf = (flat: Flat, key: string): M => {
  const s = shapeOf(flat, key);
  return { r: s[0]!, c: s[1] ?? 1, d: Float64Array.from(block(flat, key)) };
};

function lin(x: Float64Array, w: M, b: M | null): Float64Array {
  const out = new Float64Array(w.c);
  for (let j = 0; j < w.c; j++) out[j] = b ? b.d[j]! : 0;
  for (let i = 0; i < w.r; i++) for (let j = 0; j < w.c; j++) out[j]! += x[i]! * w.d[i * w.c + j]!;
  return out;
}
const act = (v: Float64Array, s: number) => v.map((x) => (x > 0 ? x : s * x));
const dact = (dv: Float64Array, pre: Float64Array, s: number) => dv.map((g, i) => (pre[i]! > 0 ? g : s * g));
function linBack(x: Float64Array, w: M, dy: Float64Array, gw: M, gb: M | null): Float64Array {
  const dx = new Float64Array(w.r);
  for (let i = 0; i < w.r; i++) {
    let s = 0;
    for (let j = 0; j < w.c; j++) {
      gw.d[i * w.c + j]! += x[i]! * dy[j]!;
      s += w.d[i * w.c + j]! * dy[j]!;
    }
    dx[i] = s;
  }
  if (gb) dy.forEach((g, j) => (gb.d[j]! += g));
  return dx;
}

/** The personalised initial local weights of a task (attention over M_P with profile p_u). */
export function init64(p: Flat, s: MamoSetup64, user: number): { local: Local; a: Float64Array } {
  const { memory, prob } = s;
  const pu = userVec64(p, prob, user);
  const du = pu.length;
  const cos = new Float64Array(memory.k);
  for (let k = 0; k < memory.k; k++) {
    let dot = 0;
    let nn = 0;
    let pp = 0;
    for (let i = 0; i < du; i++) {
      const m = memory.profile[k * du + i]!;
      dot += pu[i]! * m;
      nn += m * m;
      pp += pu[i]! * pu[i]!;
    }
    cos[k] = (s.scale * dot) / (Math.max(Math.sqrt(pp), 1e-12) * Math.max(Math.sqrt(nn), 1e-12));
  }
  const mx = Math.max(...cos);
  const ex = cos.map((c) => Math.exp(c - mx));
  const z = ex.reduce((x, y) => x + y, 0);
  const a = ex.map((v) => v / z);
  const local = {} as Local;
  for (const key of GLOBAL) local[key] = mOf(p, key);
  // theta_u = phi_u - tau a M_U (M_U rows hold wu1, bu1, wu2, bu2 flattened in that order)
  const size = memory.gradient.length / memory.k;
  let o = 0;
  for (const key of USER) {
    const t = local[key];
    for (let i = 0; i < t.d.length; i++) {
      let b = 0;
      for (let k = 0; k < memory.k; k++) b += a[k]! * memory.gradient[k * size + o + i]!;
      t.d[i]! -= s.tau * b;
    }
    o += t.d.length;
  }
  const e = prob.e;
  const mui = new Float64Array(e * 2 * e);
  for (let i = 0; i < mui.length; i++)
    for (let k = 0; k < memory.k; k++) mui[i]! += a[k]! * memory.task[k * mui.length + i]!;
  local.mui = { r: e, c: 2 * e, d: mui };
  return { local, a };
}

function forward(w: Local, pu: Float64Array, pi: Float64Array, s: MamoSetup64) {
  const e = s.prob.e;
  const u1 = lin(pu, w.wu1, w.bu1);
  const r1 = act(u1, s.slope);
  const u2 = lin(r1, w.wu2, w.bu2);
  const eu = act(u2, s.slope);
  const i1 = lin(pi, w.wi1, w.bi1);
  const q1 = act(i1, s.slope);
  const i2 = lin(q1, w.wi2, w.bi2);
  const ei = act(i2, s.slope);
  const v = new Float64Array(e);
  for (let j = 0; j < e; j++) {
    let acc = 0;
    for (let k = 0; k < e; k++)
      acc += w.mui.d[j * 2 * e + k]! * eu[k]! + w.mui.d[j * 2 * e + e + k]! * ei[k]!;
    v[j] = acc;
  }
  const z = act(v, s.slope);
  const h1 = lin(z, w.wr2, w.br2);
  const h = act(h1, s.slope);
  const y = lin(h, w.wr3, w.br3)[0]!;
  return { u1, r1, u2, eu, i1, q1, i2, ei, v, z, h1, h, y };
}

type Rows = { items: ArrayLike<number>; values: ArrayLike<number> };
function rows(s: MamoSetup64, t: number, side: 'support' | 'query'): Rows {
  const ts = s.prob.tasks;
  const off = side === 'support' ? ts.supportOffsets : ts.queryOffsets;
  const it = side === 'support' ? ts.supportItems : ts.queryItems;
  const va = side === 'support' ? ts.supportValues : ts.queryValues;
  return { items: it.subarray(off[t]!, off[t + 1]!), values: va.subarray(off[t]!, off[t + 1]!) };
}

function mse(w: Local, p: Flat, s: MamoSetup64, user: number, r: Rows): number {
  const pu = userVec64(p, s.prob, user);
  let acc = 0;
  for (let j = 0; j < r.items.length; j++) {
    const d = forward(w, pu, itemVec64(p, s.prob, r.items[j]!), s).y - r.values[j]!;
    acc += d * d;
  }
  return r.items.length ? acc / r.items.length : 0;
}

/** Rate keys in order: theta_u, theta_i, theta_r tensors, then M_uI (its two halves share one rate). */
const RATE_KEYS = [...GLOBAL, 'mui'] as const;

/** The local step of each adapted key: lr, or lr * exp(rho_k) when p holds 'localLogRate'. */
export function mamoRates64(p: Flat, lr: number): Record<string, number> {
  const rho = p.keys.includes('localLogRate') ? block(p, 'localLogRate') : null;
  return Object.fromEntries(RATE_KEYS.map((k, i) => [k, rho ? lr * Math.exp(rho[i]!) : lr]));
}

/** The gradient of the MSE over rows r w.r.t. every local weight (hand-written backprop). */
function grads64(w: Local, p: Flat, s: MamoSetup64, user: number, r: Rows): Local {
  const e = s.prob.e;
  const g = {} as Local;
  for (const key of Object.keys(w) as (keyof Local)[])
    g[key] = { ...w[key], d: new Float64Array(w[key].d.length) };
  const pu = userVec64(p, s.prob, user);
  const n = r.items.length;
  for (let j = 0; j < n; j++) {
    const pi = itemVec64(p, s.prob, r.items[j]!);
    const f = forward(w, pu, pi, s);
    const dy = Float64Array.of((2 / n) * (f.y - r.values[j]!));
    const dh = linBack(f.h, w.wr3, dy, g.wr3, g.br3);
    const dz = linBack(f.z, w.wr2, dact(dh, f.h1, s.slope), g.wr2, g.br2);
    const dv = dact(dz, f.v, s.slope);
    const deu = new Float64Array(e);
    const dei = new Float64Array(e);
    for (let a = 0; a < e; a++) {
      for (let k = 0; k < e; k++) {
        g.mui.d[a * 2 * e + k]! += dv[a]! * f.eu[k]!;
        g.mui.d[a * 2 * e + e + k]! += dv[a]! * f.ei[k]!;
        deu[k]! += w.mui.d[a * 2 * e + k]! * dv[a]!;
        dei[k]! += w.mui.d[a * 2 * e + e + k]! * dv[a]!;
      }
    }
    const dq1 = linBack(f.q1, w.wi2, dact(dei, f.i2, s.slope), g.wi2, g.bi2);
    linBack(pi, w.wi1, dact(dq1, f.i1, s.slope), g.wi1, g.bi1);
    const dr1 = linBack(f.r1, w.wu2, dact(deu, f.u2, s.slope), g.wu2, g.bu2);
    linBack(pu, w.wu1, dact(dr1, f.u1, s.slope), g.wu1, g.bu1);
  }
  return g;
}

function sgd(w: Local, p: Flat, s: MamoSetup64, user: number, r: Rows, lr: number): Local {
  const rate = mamoRates64(p, lr);
  const g = grads64(w, p, s, user, r);
  const out = {} as Local;
  for (const key of Object.keys(w) as (keyof Local)[])
    out[key] = { ...w[key], d: w[key].d.map((v, i) => v - rate[key]! * g[key].d[i]!) };
  return out;
}

function adapt(w0: Local, p: Flat, s: MamoSetup64, t: number, steps: number, lr: number): Local {
  let w = w0;
  for (let k = 0; k < steps; k++) w = sgd(w, p, s, s.prob.tasks.users[t]!, rows(s, t, 'support'), lr);
  return w;
}

/** True (second-order) MAMO meta-loss: mean over tasks of the query MSE after local adaptation. */
export function mamoMetaLoss64(p: Flat, s: MamoSetup64, steps: number, lr: number): number {
  let total = 0;
  for (const t of s.prob.taskIds) {
    const w = adapt(init64(p, s, s.prob.tasks.users[t]!).local, p, s, t, steps, lr);
    total += mse(w, p, s, s.prob.tasks.users[t]!, rows(s, t, 'query'));
  }
  return total / s.prob.taskIds.length;
}

/** The adapted local weights of every task at p0 (for the first-order check). */
export function mamoAdapted64(p0: Flat, s: MamoSetup64, steps: number, lr: number): Local[] {
  return s.prob.taskIds.map((t) => adapt(init64(p0, s, s.prob.tasks.users[t]!).local, p0, s, t, steps, lr));
}

/**
 * First-order surrogate: the query MSE at theta'(phi) = adapted(p0) + (phi - phi0) (memory reads and
 * local changes frozen), with the embedding tables live. Its gradient at p0 is the first-order
 * meta-gradient.
 */
export function mamoFirstOrderLoss64(
  p: Flat,
  p0: Flat,
  s: MamoSetup64,
  adapted: Local[],
  lr?: number,
): number {
  // with learned rates (lr given, p holding them): each local change init - adapted scales by
  // rate(p) / rate(p0), its dependence on the rate with the local gradients held fixed
  const live = lr === undefined ? null : mamoRates64(p, lr);
  const frozen = lr === undefined ? null : mamoRates64(p0, lr);
  const extra = (key: string) => (live && frozen ? live[key]! / frozen[key]! - 1 : 0);
  let total = 0;
  s.prob.taskIds.forEach((t, i) => {
    const w = { ...adapted[i]! };
    const init = live ? init64(p0, s, s.prob.tasks.users[t]!).local : null;
    for (const key of RATE_KEYS) {
      const now = key === 'mui' ? null : block(p, key);
      const before = key === 'mui' ? null : block(p0, key);
      const x = extra(key);
      w[key] = {
        ...w[key],
        d: w[key].d.map(
          (v, j) => v + (now && before ? now[j]! - before[j]! : 0) - (init ? x * (init[key].d[j]! - v) : 0),
        ),
      };
    }
    total += mse(w, p, s, s.prob.tasks.users[t]!, rows(s, t, 'query'));
  });
  return total / s.prob.taskIds.length;
}

/** What one task writes (Eqs 5, 6, 8): its attention, profile, theta_u gradient and adapted M_uI. */
export interface TaskWrite64 {
  readonly a: Float64Array; // [K], read before adaptation
  readonly profile: Float64Array; // p_u [Du]
  readonly userGradient: Float64Array; // query-MSE gradient w.r.t. the adapted theta_u, M_U's flat order
  readonly mui: Float64Array; // adapted M_uI [e, 2e]
}

/** Every task's write ingredients, in task order, at parameters p (steps local SGD steps at lr). */
export function mamoWrites64(p: Flat, s: MamoSetup64, steps: number, lr: number): TaskWrite64[] {
  return s.prob.taskIds.map((t) => {
    const user = s.prob.tasks.users[t]!;
    const { local, a } = init64(p, s, user);
    const w = adapt(local, p, s, t, steps, lr);
    const g = grads64(w, p, s, user, rows(s, t, 'query'));
    const userGradient = Float64Array.from(USER.flatMap((key) => Array.from(g[key].d)));
    return { a, profile: userVec64(p, s.prob, user), userGradient, mui: Float64Array.from(w.mui.d) };
  });
}

/**
 * The three memory writes after a batch, one task after another (no closed form): M_P with p_u (alpha),
 * M_U with the theta_u gradient scaled to norm <= clip (beta; clip 0 = off), M_UI with the adapted
 * M_uI (gamma). paper: M <- r (a (x) v) + (1 - r) M; slot-gated: M_k <- M_k + r a_k (v - M_k).
 */
export function writeMemory64(
  memory: Memory64,
  writes: readonly TaskWrite64[],
  rates: { alpha: number; beta: number; gamma: number },
  form: 'paper' | 'slot-gated',
  clip: number,
): Memory64 {
  const blend = (m: Float64Array, a: Float64Array, v: ArrayLike<number>, r: number) => {
    const width = v.length;
    for (let k = 0; k < a.length; k++) {
      for (let i = 0; i < width; i++) {
        const old = m[k * width + i]!;
        m[k * width + i] =
          form === 'paper' ? r * a[k]! * v[i]! + (1 - r) * old : old + r * a[k]! * (v[i]! - old);
      }
    }
  };
  const profile = Float64Array.from(memory.profile);
  const gradient = Float64Array.from(memory.gradient);
  const task = Float64Array.from(memory.task);
  for (const w of writes) {
    const norm = Math.sqrt(w.userGradient.reduce((acc, x) => acc + x * x, 0));
    const scale = clip > 0 ? Math.min(1, clip / norm) : 1;
    blend(profile, w.a, w.profile, rates.alpha);
    blend(
      gradient,
      w.a,
      w.userGradient.map((x) => x * scale),
      rates.beta,
    );
    blend(task, w.a, w.mui, rates.gamma);
  }
  return { k: memory.k, profile, gradient, task };
}
