// The segmented products (models/segment.ts, kernels/segmentMatMul.ts) against the same per-task
// products written with padded 3-D tf.matMul (whose first and second derivatives tfjs gets right;
// padding by gatherRows, whose gradient exists on wasm):
// values, gradients and a Hessian-vector product, on cpu, wasm (the SIMD module's one call, and tfjs's
// per-task XNNPACK calls where the module cannot run) and webgpu, with empty tasks, both of the per-task
// path's 'gram' variants (the smaller side transposed), and widths that take the SIMD loops' vector
// bodies and their scalar tails.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../lib/rng';
import { hasSegmentKernel, segmentProductJs } from '../kernels/segmentMatMul';
import { setSimdKernels, simdKernelsFor } from '../kernels/simdWasm';
import { gatherRows } from './ops';
import {
  segmentApply,
  segmentApplyT,
  segmentGram,
  taskRowProduct,
  taskRowProductT,
  type Segments,
} from './segment';
import { switchToWebGPU } from '../../tests/helpers/webgpu';

const rng = createRng(23);
const rand = (n: number) => Float32Array.from({ length: n }, () => rng.normal());
const total = (v: readonly number[]) => v.reduce((s, n) => s + n, 0);

/** Rows [R, k] of tasks with `counts` rows -> padded [T, L, k] (zeros after each task's rows). */
function pad(rows: tf.Tensor, counts: readonly number[], len: number): tf.Tensor3D {
  const k = rows.shape[1]!;
  const idx: number[] = [];
  let start = 0;
  for (const n of counts) {
    for (let j = 0; j < len; j++) idx.push(j < n ? start + j : total(counts));
    start += n;
  }
  const withZero = tf.concat([rows, tf.zeros([1, k])], 0);
  return tf.reshape(gatherRows(withZero as tf.Tensor2D, tf.tensor1d(idx, 'int32')), [counts.length, len, k]);
}

/** Blocks [T, La, Lb] (padded) -> flat ragged blocks, the inverse layout of the segmented kernel. */
function unpadBlocks(p: tf.Tensor3D, seg: Segments): tf.Tensor1D {
  const [, la, lb] = p.shape;
  const idx: number[] = [];
  seg.a.forEach((m, t) => {
    for (let i = 0; i < m; i++) for (let j = 0; j < seg.b[t]!; j++) idx.push(t * la * lb + i * lb + j);
  });
  return tf.gather(tf.reshape(p, [-1]), tf.tensor1d(idx, 'int32')) as tf.Tensor1D;
}

function unpadRows(c: tf.Tensor3D, counts: readonly number[]): tf.Tensor2D {
  const [, l, h] = c.shape;
  const idx: number[] = [];
  counts.forEach((n, t) => {
    for (let j = 0; j < n; j++) idx.push(t * l + j);
  });
  return tf.gather(tf.reshape(c, [-1, h]), tf.tensor1d(idx, 'int32')) as tf.Tensor2D;
}

async function maxDiff(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  return (await tf.max(tf.abs(tf.sub(a, b))).data())[0]!;
}

// tasks with empty supports / queries; query side small (gram transposes A) or large (transposes B)
// widths K (gram) and H (apply): 4 and 3 are scalar tails only; 13 and 9 take vector bodies and tails;
// blocks of 5 and 9 rows take the SIMD module's 4 x 8 and 1 x 8 blocks, its 4-column block and its
// scalar columns; A sides of fewer than 4 rows its gram by dot products
const CASES: [string, Segments, number, number][] = [
  ['small A side', { a: [2, 0, 3, 1], b: [5, 4, 0, 7] }, 4, 3],
  ['large A side', { a: [6, 5, 1], b: [1, 2, 0] }, 4, 3],
  ['wide rows', { a: [5, 0, 2], b: [4, 2, 9] }, 13, 9],
];

// webgpu: the WGSL kernel (kernels/segmentMatMulWebgpu.ts) on Dawn + SwiftShader, skipped without an adapter
const webgpu = await switchToWebGPU();

const RUNS = [
  ['cpu', true],
  ['wasm', true],
  ['wasm', false],
  ['webgpu', true],
] as const;
for (const [backend, simd] of RUNS) {
  const label = backend === 'wasm' ? `wasm (${simd ? 'SIMD module' : "tfjs's per-task calls"})` : backend;
  describe.skipIf(backend === 'webgpu' && !webgpu)(`segmented products on ${label}`, () => {
    beforeAll(async () => {
      expect(await tf.setBackend(backend)).toBe(true);
      setSimdKernels(simd);
      return () => setSimdKernels(true);
    });

    if (backend === 'wasm')
      it(simd ? 'runs the SIMD module here' : 'runs without it', () => {
        expect(simdKernelsFor(tf.backend()) !== null).toBe(simd);
      });

    for (const [name, seg, K, H] of CASES) {
      const ra = total(seg.a);
      const rb = total(seg.b);
      const la = Math.max(...seg.a);
      const lb = Math.max(...seg.b);
      const blocks = seg.a.reduce((s, m, t) => s + m * seg.b[t]!, 0);
      const A = rand(ra * K);
      const B = rand(rb * K);
      const D = rand(rb * H);
      const Q = rand(ra * H);
      // f(A, B, D, Q) = sum_t ||(A_t B_t^T) D_t||^2 + <P^T Q, D> + <(A B^T), (Q D^T)>: every op, every operand
      const segmented = (a: tf.Tensor, b: tf.Tensor, d: tf.Tensor, q: tf.Tensor) => {
        const p = segmentGram(a, b, seg);
        const c = segmentApply(p, d, seg);
        const ct = segmentApplyT(p, q, seg);
        return tf.addN([
          tf.sum(tf.square(c)),
          tf.sum(tf.mul(ct, d)),
          tf.sum(tf.mul(p, segmentGram(q, d, seg))),
        ]);
      };
      const padded = (a: tf.Tensor, b: tf.Tensor, d: tf.Tensor, q: tf.Tensor) => {
        const [a3, b3, d3, q3] = [pad(a, seg.a, la), pad(b, seg.b, lb), pad(d, seg.b, lb), pad(q, seg.a, la)];
        const p3 = tf.matMul(a3, b3, false, true);
        const c = tf.matMul(p3, d3);
        const ct = tf.matMul(p3, q3, true, false);
        return tf.addN([
          tf.sum(tf.square(c)),
          tf.sum(tf.mul(ct, d3)),
          tf.sum(tf.mul(p3, tf.matMul(q3, d3, false, true))),
        ]);
      };
      const inputs = () => [
        tf.tensor2d(A, [ra, K]),
        tf.tensor2d(B, [rb, K]),
        tf.tensor2d(D, [rb, H]),
        tf.tensor2d(Q, [ra, H]),
      ];

      it(`${name}: values equal the padded 3-D products and the JS reference`, async () => {
        const [a, b, d] = inputs();
        const p = segmentGram(a!, b!, seg);
        expect(p.shape).toEqual([blocks]);
        const ref = unpadBlocks(tf.matMul(pad(a!, seg.a, la), pad(b!, seg.b, lb), false, true), seg);
        expect(await maxDiff(p, ref)).toBeLessThan(1e-5);
        const js = segmentProductJs('gram', A, B, K, seg.a, seg.b);
        expect(await maxDiff(p, tf.tensor1d(js))).toBeLessThan(1e-5);
        const c = segmentApply(p, d!, seg);
        const c3 = tf.matMul(
          tf.matMul(pad(a!, seg.a, la), pad(b!, seg.b, lb), false, true),
          pad(d!, seg.b, lb),
        );
        expect(await maxDiff(c, unpadRows(c3 as tf.Tensor3D, seg.a))).toBeLessThan(1e-5);
      });

      it(`${name}: gradients and a Hessian-vector product equal the padded version's`, async () => {
        const xs = inputs();
        const gs = tf.grads(segmented)(xs);
        const gp = tf.grads(padded)(xs);
        // relative to the gradient's size: the wide case's entries reach ~1e3, where float32's ulp is 6e-5
        for (let i = 0; i < xs.length; i++) {
          const scale = (await tf.max(tf.abs(gp[i]!)).data())[0]! + 1;
          expect((await maxDiff(gs[i]!, gp[i]!)) / scale).toBeLessThan(1e-5);
        }
        // d/dx <grad f(x), v> for a fixed direction v over all four operands (second order)
        const vs = xs.map((x) => tf.tensor(rand(x.size), x.shape));
        const hvp = (f: typeof segmented) =>
          tf.grads((a: tf.Tensor, b: tf.Tensor, d: tf.Tensor, q: tf.Tensor) =>
            tf.addN(
              tf
                .grads(f)([a, b, d, q])
                .map((g, i) => tf.sum(tf.mul(g, vs[i]!))),
            ),
          )(xs);
        const hs = hvp(segmented);
        const hp = hvp(padded);
        for (let i = 0; i < xs.length; i++) {
          const scale = (await tf.max(tf.abs(hp[i]!)).data())[0]! + 1;
          expect((await maxDiff(hs[i]!, hp[i]!)) / scale).toBeLessThan(1e-5);
        }
      });
    }

    it('is available here (else the ragged strategy silently falls back to algebraic)', () => {
      expect(hasSegmentKernel()).toBe(true);
    });

    it('rejects operands that do not match the segments', () => {
      const seg = { a: [1, 2], b: [2, 2] };
      expect(() => segmentGram(tf.zeros([3, 2]), tf.zeros([3, 2]), seg)).toThrow(/do not match/);
    });
  });
}

describe('one row per task: taskRowProduct and its family', () => {
  it('values and first- and second-order gradients equal tf.matMul’s on cpu and wasm', async () => {
    const rng = createRng(5);
    const data = (shape: number[]) =>
      tf.tensor(
        Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.next() * 2 - 1),
        shape,
      );
    const u0 = data([3, 4]);
    const w0 = data([3, 4, 5]);
    const c0 = data([3, 5]);
    const results: number[][][] = [];
    for (const backend of ['cpu', 'wasm']) {
      expect(await tf.setBackend(backend)).toBe(true);
      const [u, w, c] = [u0, w0, c0].map((x) => tf.tensor(x.dataSync(), x.shape));
      // f = (c * (u w)) w^T, the loss its square summed: second derivatives are non-zero in both inputs
      const family = (a: tf.Tensor, b: tf.Tensor) => taskRowProductT(tf.mul(c!, taskRowProduct(a, b)), b);
      const plain = (a: tf.Tensor, b: tf.Tensor) => {
        const y = tf.reshape(tf.matMul(tf.reshape(a, [3, 1, 4]) as tf.Tensor3D, b as tf.Tensor3D), [3, 5]);
        return tf.reshape(
          tf.matMul(tf.reshape(tf.mul(c!, y), [3, 1, 5]) as tf.Tensor3D, b as tf.Tensor3D, false, true),
          [3, 4],
        );
      };
      for (const f of [family, plain]) {
        const value = f(u!, w!);
        const loss = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(f(a, b)));
        const [gu, gw] = tf.grads(loss)([u!, w!]);
        // second order: the gradient of sum(gu * k) with respect to both inputs
        const [hu, hw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.mul(tf.grads(loss)([a, b])[0]!, tf.onesLike(a))),
        )([u!, w!]);
        results.push([value, gu!, gw!, hu!, hw!].map((t) => Array.from(t.dataSync())));
      }
    }
    for (let r = 1; r < results.length; r++)
      results[r]!.forEach((values, i) =>
        values.forEach((v, j) => expect(v).toBeCloseTo(results[0]![i]![j]!, 4)),
      );
    await tf.setBackend('cpu');
  });
});
