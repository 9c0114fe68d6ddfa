// Gradients of MML's new ops (models/mml.ts, models/mmlGenerator.ts): the next-item cross-entropy,
// the fusion weights with standardised fused scores, and the generator's reconstruction loss. tfjs's
// gradient of each scalar against float64 central differences of an independent plain-JS version.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../lib/rng';
import { fusedScores, fusionWeights, nextItemLoss, paddingMask } from './mml';
import { generatorLoss } from './mmlGenerator';

beforeAll(async () => {
  await tf.setBackend('wasm');
});

const rng = createRng(31);
const draw = (n: number, scale = 0.8) => Float64Array.from({ length: n }, () => rng.normal() * scale);
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Inputs named with shapes; the tfjs and JS scalars of them; compares every input's gradient. */
function check(
  shapes: Record<string, number[]>,
  tfLoss: (x: Record<string, tf.Tensor>) => tf.Scalar,
  jsLoss: (x: Record<string, Float64Array>) => number,
  values: Record<string, Float64Array> = {},
) {
  const keys = Object.keys(shapes);
  const x: Record<string, Float64Array> = Object.fromEntries(
    keys.map((k) => [k, values[k] ?? draw(size(shapes[k]!))]),
  );
  const grads = tf.tidy(() =>
    tf
      .grads((...xs: tf.Tensor[]) => tfLoss(Object.fromEntries(keys.map((k, i) => [k, xs[i]!]))))(
        keys.map((k) => tf.tensor(Float32Array.from(x[k]!), shapes[k]!)),
      )
      .map((g) => g.dataSync()),
  );
  const h = 1e-5;
  keys.forEach((k, i) => {
    const fd = x[k]!.map((v, j) => {
      const up = { ...x, [k]: x[k]!.map((w, m) => (m === j ? v + h : w)) };
      const down = { ...x, [k]: x[k]!.map((w, m) => (m === j ? v - h : w)) };
      return (jsLoss(up) - jsLoss(down)) / (2 * h);
    });
    const scale = Math.max(1e-3, ...fd.map(Math.abs));
    const err = Math.max(...Array.from(fd, (v, j) => Math.abs(v - grads[i]![j]!)));
    expect(err / scale, `${k}: fd ${Array.from(fd)} vs ${Array.from(grads[i]!)}`).toBeLessThan(2e-3);
  });
}

// scores [T=2, L=2, N=4] (column 0 = padding); targets / weights [2, 2]
const T = 2;
const L = 2;
const N = 4;
const TARGETS = [1, 3, 0, 2]; // weight-0 positions may target padding; weighted ones never do
const WEIGHTS = [1, 1, 0, 1];
const targets = () => tf.tensor2d(TARGETS, [T, L], 'int32');
const weights = () => tf.tensor2d(WEIGHTS, [T, L]);

/** JS: mean over tasks of the weighted per-task mean of -log softmax (padding column excluded). */
function jsCrossEntropy(s: (t: number, l: number, n: number) => number): number {
  let total = 0;
  for (let t = 0; t < T; t++) {
    let sum = 0;
    let count = 0;
    for (let l = 0; l < L; l++) {
      const w = WEIGHTS[t * L + l]!;
      if (!w) continue;
      const row = Array.from({ length: N - 1 }, (_, n) => s(t, l, n + 1));
      const m = Math.max(...row);
      const lse = m + Math.log(row.reduce((a, v) => a + Math.exp(v - m), 0));
      sum += w * (lse - s(t, l, TARGETS[t * L + l]!));
      count += w;
    }
    total += sum / Math.max(count, 1);
  }
  return total / T;
}

describe('MML ops: gradients vs float64 central differences', () => {
  it('nextItemLoss (masked, padding column excluded)', () => {
    check(
      { s: [T, L, N] },
      (x) => nextItemLoss(tf.add(x.s!, paddingMask(N)), targets(), weights(), 'mean'),
      (x) => jsCrossEntropy((t, l, n) => x.s![(t * L + l) * N + n]!),
    );
  });

  it('fusion weights and standardised fused scores (both learners, every fusion parameter)', () => {
    const d = 3;
    const f = 2;
    const shapes: Record<string, number[]> = {
      rid: [T, d],
      rtext: [T, d],
      sid: [T, L, N],
      stext: [T, L, N],
    };
    for (const m of ['id', 'text'])
      Object.assign(shapes, { [`${m}.w1`]: [d, f], [`${m}.b1`]: [f], [`${m}.w2`]: [f, 1], [`${m}.b2`]: [1] });
    const mods = ['id', 'text'] as const;
    check(
      shapes,
      (x) => {
        const a = fusionWeights(x, mods, [x.rid as tf.Tensor2D, x.rtext as tf.Tensor2D]);
        const s = [tf.add(x.sid!, paddingMask(N)), tf.add(x.stext!, paddingMask(N))];
        return nextItemLoss(fusedScores(a, s), targets(), weights(), 'mean');
      },
      (x) => {
        // a_t = softmax_m(w2^T relu(W1 LN(r) + b1) + b2)
        const z = (m: string, t: number) => {
          const r = Array.from(x[m === 'id' ? 'rid' : 'rtext']!.subarray(t * d, t * d + d));
          const mean = r.reduce((a, v) => a + v, 0) / d;
          const variance = r.reduce((a, v) => a + (v - mean) ** 2, 0) / d;
          const ln = r.map((v) => (v - mean) / Math.sqrt(variance + 1e-5));
          let out = x[`${m}.b2`]![0]!;
          for (let k = 0; k < f; k++) {
            let h = x[`${m}.b1`]![k]!;
            for (let i = 0; i < d; i++) h += ln[i]! * x[`${m}.w1`]![i * f + k]!;
            out += Math.max(h, 0) * x[`${m}.w2`]![k]!;
          }
          return out;
        };
        const std = (key: string, t: number, l: number, n: number) => {
          const row = Array.from({ length: N - 1 }, (_, j) => x[key]![(t * L + l) * N + j + 1]!);
          const mean = row.reduce((a, v) => a + v, 0) / (N - 1);
          const variance = row.reduce((a, v) => a + (v - mean) ** 2, 0) / (N - 1);
          return (x[key]![(t * L + l) * N + n]! - mean) / Math.sqrt(variance + 1e-6);
        };
        return jsCrossEntropy((t, l, n) => {
          const [zi, zt] = [z('id', t), z('text', t)];
          const m = Math.max(zi, zt);
          const [ei, et] = [Math.exp(zi - m), Math.exp(zt - m)];
          return (ei * std('sid', t, l, n) + et * std('stext', t, l, n)) / (ei + et);
        });
      },
    );
  });

  it('generator reconstruction loss (gq, gk, gr)', () => {
    // 5 rows (0 = padding), text d_t = 3, ID d = 2; items 1, 2 with K = 2 neighbours each
    const [R, dt, dd, K] = [5, 3, 2, 2];
    const X = draw(R * dt);
    const E = draw(R * dd);
    const items = [1, 2];
    const nb = [3, 4, 1, 4];
    check(
      { gq: [dt, dd], gk: [dt, dd], gr: [dt, dd] },
      (x) =>
        generatorLoss(
          { gq: x.gq as tf.Tensor2D, gk: x.gk as tf.Tensor2D, gr: x.gr as tf.Tensor2D },
          tf.tensor2d(Float32Array.from(X), [R, dt]),
          tf.tensor2d(Float32Array.from(E), [R, dd]),
          tf.tensor1d(items, 'int32'),
          tf.tensor2d(nb, [items.length, K], 'int32'),
        ),
      (x) => {
        const proj = (row: number, w: Float64Array) =>
          Array.from({ length: dd }, (_, c) => {
            let s = 0;
            for (let i = 0; i < dt; i++) s += X[row * dt + i]! * w[i * dd + c]!;
            return s;
          });
        let total = 0;
        items.forEach((item, b) => {
          const q = proj(item, x.gq!);
          const logits = [0, 1].map((k) => {
            const key = proj(nb[b * K + k]!, x.gk!);
            return (q[0]! * key[0]! + q[1]! * key[1]!) / Math.sqrt(dd);
          });
          const m = Math.max(...logits);
          const e = logits.map((v) => Math.exp(v - m));
          const alpha = e.map((v) => v / (e[0]! + e[1]!));
          const r = proj(item, x.gr!);
          for (let c = 0; c < dd; c++) {
            const g = alpha[0]! * E[nb[b * K]! * dd + c]! + alpha[1]! * E[nb[b * K + 1]! * dd + c]! + r[c]!;
            total += (g - E[item * dd + c]!) ** 2;
          }
        });
        return total / items.length;
      },
    );
  });
});
