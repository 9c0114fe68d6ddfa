// First and second derivatives of the sequential backbone's ops (models/sequenceOps.ts) and of tf.abs
// (the weighting network's output): tfjs's gradient and Hessian-vector product against float64 central
// differences of independent plain-JS versions of the same scalar function.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../lib/rng';
import { causalSoftmax, layerNorm, rsqrt } from './sequenceOps';

const rng = createRng(23);
const vec = (n: number) => Float64Array.from({ length: n }, () => rng.normal() * 0.8);
const w = vec(12);
const gain = Float64Array.from([1.2, -0.7, 0.4, 0.9]);
const bias = Float64Array.from([0.1, 0.3, -0.2, 0.05]);

function rows(x: Float64Array, f: (row: number[]) => number[]): Float64Array {
  const out = new Float64Array(12);
  for (let r = 0; r < 3; r++)
    f(Array.from(x.subarray(r * 4, r * 4 + 4))).forEach((v, k) => (out[r * 4 + k] = v));
  return out;
}

// x [3, 4]; the causal case reads its [3, 3] block as scores (query row i, key column j) and pads the
// unused last column with zeros. The last entry of a case prepares x (abs: away from its kink).
const CASES: [
  string,
  (x: tf.Tensor) => tf.Tensor,
  (x: Float64Array) => Float64Array,
  (x: Float64Array) => Float64Array,
][] = [
  [
    'rsqrt (of x^2 + 0.5)',
    (x) => rsqrt(tf.add(tf.square(x), 0.5)),
    (x) => x.map((v) => 1 / Math.sqrt(v * v + 0.5)),
    (x) => x,
  ],
  [
    'layerNorm (rows, gain, bias)',
    (x) => layerNorm(x, tf.tensor1d(Float32Array.from(gain)), tf.tensor1d(Float32Array.from(bias))),
    (x) =>
      rows(x, (row) => {
        const m = row.reduce((s, v) => s + v, 0) / 4;
        const variance = row.reduce((s, v) => s + (v - m) ** 2, 0) / 4;
        return row.map((v, k) => ((v - m) / Math.sqrt(variance + 1e-5)) * gain[k]! + bias[k]!);
      }),
    (x) => x,
  ],
  [
    'causalSoftmax ([3, 3] scores; key j <= query i)',
    (x) =>
      tf.pad(causalSoftmax(tf.slice(x, [0, 0], [3, 3])), [
        [0, 0],
        [0, 1],
      ]),
    (x) => {
      const out = new Float64Array(12);
      for (let r = 0; r < 3; r++) {
        const keys = Array.from({ length: r + 1 }, (_, j) => x[r * 4 + j]!);
        const m = Math.max(...keys);
        const z = keys.reduce((s, v) => s + Math.exp(v - m), 0);
        keys.forEach((v, j) => (out[r * 4 + j] = Math.exp(v - m) / z));
      }
      return out;
    },
    (x) => x,
  ],
  [
    'abs (away from 0)',
    (x) => tf.abs(x),
    (x) => x.map(Math.abs),
    (x) => x.map((v) => (Math.abs(v) < 0.05 ? 0.3 : v)),
  ],
];

async function dotData(t: tf.Tensor, u: Float64Array): Promise<number> {
  const d = await t.data();
  let s = 0;
  d.forEach((value, i) => (s += value * u[i]!));
  return s;
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`sequence ops: first and second derivatives on ${backend}`, () => {
    beforeAll(async () => {
      expect(await tf.setBackend(backend)).toBe(true);
    });
    for (const [name, op, ref, prepare] of CASES) {
      it(name, async () => {
        const x = prepare(vec(12));
        const u = vec(12);
        const v = vec(12);
        const weights = tf.tensor(Float32Array.from(w), [3, 4]);
        const L = (t: tf.Tensor) => tf.sum(tf.mul(weights, tf.square(op(t)))) as tf.Scalar;
        const L64 = (t: Float64Array) => ref(t).reduce((s, y, i) => s + w[i]! * y * y, 0);
        const shift = (a: number, b: number, e: number) =>
          L64(x.map((xi, i) => xi + a * e * u[i]! + b * e * v[i]!));
        const e = 1e-4;
        // first order: <grad L, u> vs (L(x + e u) - L(x - e u)) / 2e
        const xt = tf.tensor(Float32Array.from(x), [3, 4]);
        const g = await dotData(tf.grad(L)(xt), u);
        const fd1 = (shift(1, 0, e) - shift(-1, 0, e)) / (2 * e);
        expect(Math.abs(g - fd1) / Math.max(1e-3, Math.abs(fd1))).toBeLessThan(2e-4);
        // second order: <u, H v>
        const vt = tf.tensor(Float32Array.from(v), [3, 4]);
        const h = tf.grad((y: tf.Tensor) => tf.sum(tf.mul(tf.grad(L)(y), vt)))(xt);
        const analytic = await dotData(h, u);
        const fd2 = (shift(1, 1, e) - shift(1, -1, e) - shift(-1, 1, e) + shift(-1, -1, e)) / (4 * e * e);
        expect(Math.abs(analytic - fd2) / Math.max(1e-3, Math.abs(fd2))).toBeLessThan(5e-4);
      });
    }
  });
}
