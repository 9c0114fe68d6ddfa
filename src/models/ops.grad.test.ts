// Second derivatives of every custom op in models/ops.ts (and the row kernels behind them on wasm and
// webgpu):
// a Hessian-vector product taken by tfjs grad-of-grad against a float64 central second difference of
// an independent plain-JS version of the same scalar function. tfjs's own tanh/sigmoid/exp/softmax fail
// this test (webgpu-feasibility.md); these must pass.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../lib/rng';
import { switchToWebGPU } from '../../tests/helpers/webgpu';
import {
  embeddingBag,
  embeddingBagT,
  exp,
  gatherRows,
  leakyRelu,
  logSoftmax,
  mm,
  scatterRows,
  sigmoid,
  softmax,
  tanh,
} from './ops';

const rng = createRng(17);
const vec = (n: number) => Float64Array.from({ length: n }, () => rng.normal() * 0.8);

/** <u, H v> of L at x by a float64 second difference: [L(x+eu+ev) - L(x+eu-ev) - L(x-eu+ev) + L(x-eu-ev)] / 4e^2. */
function secondDifference(
  L: (x: Float64Array) => number,
  x: Float64Array,
  u: Float64Array,
  v: Float64Array,
  e = 1e-4,
): number {
  const at = (a: number, b: number) => L(x.map((xi, i) => xi + a * u[i]! + b * v[i]!));
  return (at(e, e) - at(e, -e) - at(-e, e) + at(-e, -e)) / (4 * e * e);
}

/** <u, H v> by tfjs: d/dx <grad L(x), v>, then dot with u. */
async function hvp(
  L: (x: tf.Tensor) => tf.Scalar,
  x: Float64Array,
  u: Float64Array,
  v: Float64Array,
  shape: number[],
): Promise<number> {
  const vt = tf.tensor(Float32Array.from(v), shape);
  const h = tf.grad((y: tf.Tensor) => tf.sum(tf.mul(tf.grad(L)(y), vt)))(
    tf.tensor(Float32Array.from(x), shape),
  );
  const hv = await h.data();
  let s = 0;
  hv.forEach((value, i) => (s += value * u[i]!));
  return s;
}

const w = vec(12);
// a bag of 3 slots per row: row 0 averages rows 2 and 0, row 1 reads row 1 twice, row 2 has a padding
// slot (weight 0) and a weighted row 2
const BAG_IDX = Int32Array.from([2, 0, 0, 1, 1, 0, 0, 2, 0]);
const BAG_W = Float32Array.from([0.5, 0.5, 0, 0.25, 0.75, 0, 0, 1.5, 0]);
const sig = (z: number) => 1 / (1 + Math.exp(-z));
// scalar test functions: sum_i w_i f(x)_i^2 (squared so linear ops have curvature too), x [3, 4]
const CASES: [string, (x: tf.Tensor) => tf.Tensor, (x: Float64Array) => Float64Array][] = [
  ['exp', exp, (x) => x.map(Math.exp)],
  ['sigmoid', sigmoid, (x) => x.map(sig)],
  ['tanh', tanh, (x) => x.map(Math.tanh)],
  ['leakyRelu(0.1)', (x) => leakyRelu(x, 0.1), (x) => x.map((v) => (v > 0 ? v : 0.1 * v))],
  [
    'softmax (rows)',
    softmax,
    (x) => {
      const out = new Float64Array(12);
      for (let r = 0; r < 3; r++) {
        const row = Array.from(x.subarray(r * 4, r * 4 + 4));
        const m = Math.max(...row);
        const z = row.reduce((s, v) => s + Math.exp(v - m), 0);
        row.forEach((v, k) => (out[r * 4 + k] = Math.exp(v - m) / z));
      }
      return out;
    },
  ],
  [
    'logSoftmax (rows)',
    logSoftmax,
    (x) => {
      const out = new Float64Array(12);
      for (let r = 0; r < 3; r++) {
        const row = Array.from(x.subarray(r * 4, r * 4 + 4));
        const m = Math.max(...row);
        const lz = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
        row.forEach((v, k) => (out[r * 4 + k] = v - lz));
      }
      return out;
    },
  ],
  [
    'mm (x B)',
    (x) =>
      mm(x as tf.Tensor2D, tf.tensor2d(Float32Array.from(w), [4, 3]))
        .reshape([3, 3])
        .pad([
          [0, 0],
          [0, 1],
        ]),
    (x) => {
      const out = new Float64Array(12);
      for (let r = 0; r < 3; r++)
        for (let c = 0; c < 3; c++)
          for (let k = 0; k < 4; k++) out[r * 4 + c]! += x[r * 4 + k]! * w[k * 3 + c]!;
      return out;
    },
  ],
  [
    'gatherRows (rows 2, 0, 2)',
    (x) => gatherRows(x as tf.Tensor2D, tf.tensor1d([2, 0, 2], 'int32')),
    (x) => Float64Array.from([...x.subarray(8, 12), ...x.subarray(0, 4), ...x.subarray(8, 12)]),
  ],
  [
    'scatterRows (to rows 1, 1, 0)',
    (x) => scatterRows(x as tf.Tensor2D, tf.tensor1d([1, 1, 0], 'int32'), 3),
    (x) =>
      Float64Array.from([...x.subarray(8, 12), ...x.subarray(0, 4).map((v, k) => v + x[4 + k]!), 0, 0, 0, 0]),
  ],
  [
    'embeddingBag (3 slots per row, a padding slot, a repeated row)',
    (x) =>
      embeddingBag(x as tf.Tensor2D, tf.tensor2d(BAG_IDX, [3, 3], 'int32'), tf.tensor2d(BAG_W, [3, 3]), 1),
    (x) => {
      const out = new Float64Array(12);
      for (let r = 0; r < 3; r++)
        for (let j = 0; j < 3; j++)
          for (let k = 0; k < 4; k++) out[r * 4 + k]! += BAG_W[r * 3 + j]! * x[BAG_IDX[r * 3 + j]! * 4 + k]!;
      return out;
    },
  ],
  [
    'embeddingBagT (the adjoint, into 3 rows)',
    (x) =>
      embeddingBagT(
        x as tf.Tensor2D,
        tf.tensor2d(BAG_IDX, [3, 3], 'int32'),
        tf.tensor2d(BAG_W, [3, 3]),
        1,
        3,
      ),
    (x) => {
      const out = new Float64Array(12);
      for (let r = 0; r < 3; r++)
        for (let j = 0; j < 3; j++)
          for (let k = 0; k < 4; k++) out[BAG_IDX[r * 3 + j]! * 4 + k]! += BAG_W[r * 3 + j]! * x[r * 4 + k]!;
      return out;
    },
  ],
];

// webgpu (Dawn + SwiftShader in Node): the row ops, whose forward values are the WGSL row kernels there
const ROW_OPS = /^(gatherRows|scatterRows|embeddingBag)/;
const webgpu = await switchToWebGPU();

for (const backend of ['cpu', 'wasm', 'webgpu'] as const) {
  describe.skipIf(backend === 'webgpu' && !webgpu)(
    `second derivatives of the custom ops on ${backend}`,
    () => {
      beforeAll(async () => {
        expect(await tf.setBackend(backend)).toBe(true);
      });
      for (const [name, op, ref] of CASES) {
        if (backend === 'webgpu' && !ROW_OPS.test(name)) continue;
        it(name, async () => {
          const x = vec(12);
          const u = vec(12);
          const v = vec(12);
          const weights = (n: number) => tf.tensor(Float32Array.from(w.subarray(0, n)), [3, n / 3]);
          const L = (t: tf.Tensor) => {
            const y = op(t);
            return tf.sum(tf.mul(weights(y.size), tf.square(y))) as tf.Scalar;
          };
          const L64 = (t: Float64Array) => ref(t).reduce((s, y, i) => s + w[i]! * y * y, 0);
          const analytic = await hvp(L, x, u, v, [3, 4]);
          const fd = secondDifference(L64, x, u, v);
          expect(Math.abs(analytic - fd) / Math.max(1e-3, Math.abs(fd))).toBeLessThan(2e-4);
        });
      }
    },
  );
}
