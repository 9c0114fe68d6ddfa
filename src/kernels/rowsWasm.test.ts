import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  kernelEmbedSide,
  kernelEmbedSideT,
  kernelEmbeddingBag,
  kernelEmbeddingBagT,
  kernelGatherRows,
  kernelScatterRows,
} from './rowsWasm';
import { setSimdKernels, simdKernelsFor } from './simdWasm';
import { switchToWebGPU } from '../../tests/helpers/webgpu';

// the same kernel names on tfjs-wasm (the project's SIMD module, and JS over the heap where it cannot
// run) and on webgpu (WGSL, kernels/rowsWebgpu.ts)
const webgpu = await switchToWebGPU();

const RUNS = [
  ['wasm', true],
  ['wasm', false],
  ['webgpu', true],
] as const;
for (const [backend, simd] of RUNS)
  describe.skipIf(backend === 'webgpu' && !webgpu)(
    `row gather / scatter-add kernels on ${backend}${backend === 'wasm' ? (simd ? ' (SIMD module)' : ' (JS)') : ''}`,
    () => {
      beforeAll(async () => {
        expect(await tf.setBackend(backend)).toBe(true);
        setSimdKernels(simd);
        if (backend === 'wasm') expect(simdKernelsFor(tf.backend()) !== null).toBe(simd);
        return () => setSimdKernels(true);
      });

      it('gathers rows like tf.gather, with -1 reading a zero row', async () => {
        const x = tf.tensor2d([
          [1, 2],
          [3, 4],
          [5, 6],
        ]);
        const out = kernelGatherRows(x, tf.tensor1d([2, 0, -1, 2], 'int32'));
        expect(Array.from(await out.data())).toEqual([5, 6, 1, 2, 0, 0, 5, 6]);
        const big = tf.randomNormal([500, 33]) as tf.Tensor2D;
        const idx = tf.tensor1d(
          Array.from({ length: 2000 }, (_, i) => (i * 7919) % 500),
          'int32',
        );
        const diff = tf.max(tf.abs(tf.sub(kernelGatherRows(big, idx), tf.gather(big, idx))));
        expect((await diff.data())[0]).toBe(0);
        // wide rows (copied whole on wasm), -1 among them
        const wide = tf.randomNormal([4, 300]) as tf.Tensor2D;
        const rows = kernelGatherRows(wide, tf.tensor1d([3, -1, 0, 3], 'int32'));
        const expected = tf.concat([tf.gather(wide, [3]), tf.zeros([1, 300]), tf.gather(wide, [0, 3])]);
        expect(Array.from(await rows.data())).toEqual(Array.from(await expected.data()));
      });

      it('scatter-adds rows (duplicates summed, -1 dropped)', async () => {
        const v = tf.tensor2d([
          [1, 1],
          [2, 2],
          [3, 3],
          [4, 4],
        ]);
        const out = kernelScatterRows(v, tf.tensor1d([1, 1, -1, 0], 'int32'), 3);
        expect(Array.from(await out.data())).toEqual([4, 4, 3, 3, 0, 0]);
      });

      it('scatter-adds 2,000 rows into 50 (about 40 adds per output row) like a float64 sum', async () => {
        const [n, rows, width] = [2000, 50, 7];
        const idx = Int32Array.from({ length: n }, (_, i) => ((i * 7919) % (rows + 1)) - 1);
        const values = Float32Array.from({ length: n * width }, (_, k) => Math.sin(k * 0.37));
        const expected = new Float64Array(rows * width);
        idx.forEach((i, r) => {
          if (i >= 0) for (let c = 0; c < width; c++) expected[i * width + c]! += values[r * width + c]!;
        });
        const got = await kernelScatterRows(
          tf.tensor2d(values, [n, width]),
          tf.tensor1d(idx, 'int32'),
          rows,
        ).data();
        got.forEach((v, k) => expect(Math.abs(v - expected[k]!)).toBeLessThan(1e-4));
      });

      it.skipIf(backend === 'webgpu')('rejects out-of-range indices with a clear message (wasm)', () => {
        expect(() => kernelGatherRows(tf.zeros([2, 2]) as tf.Tensor2D, tf.tensor1d([2], 'int32'))).toThrow(
          /expected an index in -1..1, got 2/,
        );
      });

      it('the embedding bag and its adjoint match a plain-JS reference (3 groups of 8 slots, padding)', async () => {
        const [V, e, n, G, W] = [40, 5, 30, 3, 8];
        const idx = Int32Array.from({ length: n * G * W }, (_, k) => (k * 7919 + 13) % V);
        const wt = Float32Array.from({ length: n * G * W }, (_, k) =>
          k % 3 === 0 ? 0 : ((k * 31) % 17) / 17,
        );
        const x = tf.randomNormal([V, e]) as tf.Tensor2D;
        const dy = tf.randomNormal([n, G * e]) as tf.Tensor2D;
        const xs = await x.data();
        const dys = await dy.data();
        const bag = new Float64Array(n * G * e);
        const bagT = new Float64Array(V * e);
        for (let r = 0; r < n; r++)
          for (let g = 0; g < G; g++)
            for (let j = 0; j < W; j++) {
              const slot = r * G * W + g * W + j;
              for (let k = 0; k < e; k++) {
                bag[(r * G + g) * e + k]! += wt[slot]! * xs[idx[slot]! * e + k]!;
                bagT[idx[slot]! * e + k]! += wt[slot]! * dys[(r * G + g) * e + k]!;
              }
            }
        const i2 = tf.tensor2d(idx, [n, G * W], 'int32');
        const w2 = tf.tensor2d(wt, [n, G * W]);
        const got = await kernelEmbeddingBag(x, i2, w2, G).data();
        const gotT = await kernelEmbeddingBagT(dy, i2, w2, G, V).data();
        got.forEach((v, k) => expect(Math.abs(v - bag[k]!)).toBeLessThan(1e-5));
        gotT.forEach((v, k) => expect(Math.abs(v - bagT[k]!)).toBeLessThan(1e-5));
        // the adjoint added into a given table (acc), which is left as it was
        const acc = tf.randomNormal([V, e]) as tf.Tensor2D;
        const accs = await acc.data();
        const gotAcc = await kernelEmbeddingBagT(dy, i2, w2, G, V, acc).data();
        gotAcc.forEach((v, k) => expect(Math.abs(v - bagT[k]! - accs[k]!)).toBeLessThan(1e-5));
        expect(Array.from(await acc.data())).toEqual(Array.from(accs));
      });

      it.skipIf(backend !== 'wasm')(
        "a side's whole embedding and its adjoint = the index gather, the bags and a concat (and back)",
        async () => {
          const [V, e, n, F, G, W] = [50, 6, 25, 3, 2, 5];
          const index = tf.tensor2d(
            Int32Array.from({ length: n * F }, (_, k) => (k % 11 === 4 ? -1 : (k * 37 + 5) % V)),
            [n, F],
            'int32',
          );
          const multi = tf.tensor2d(
            Int32Array.from({ length: n * G * W }, (_, k) => (k * 7919 + 13) % V),
            [n, G * W],
            'int32',
          );
          const weights = tf.tensor2d(
            Float32Array.from({ length: n * G * W }, (_, k) => (k % 3 === 0 ? 0 : ((k * 31) % 17) / 17)),
            [n, G * W],
          );
          const table = tf.randomNormal([V, e]) as tf.Tensor2D;
          const gathered = tf.reshape(kernelGatherRows(table, tf.reshape(index, [-1]) as tf.Tensor1D), [
            n,
            F * e,
          ]);
          const expected = tf.concat([gathered, kernelEmbeddingBag(table, multi, weights, G)], 1);
          const got = kernelEmbedSide(table, index, multi, weights, G);
          expect(got.shape).toEqual([n, (F + G) * e]);
          expect(Array.from(await got.data())).toEqual(Array.from(await expected.data()));
          const dy = tf.randomNormal([n, (F + G) * e]) as tf.Tensor2D;
          const scattered = kernelScatterRows(
            tf.reshape(tf.slice(dy, [0, 0], [n, F * e]), [n * F, e]) as tf.Tensor2D,
            tf.reshape(index, [-1]) as tf.Tensor1D,
            V,
          );
          const expectedT = kernelEmbeddingBagT(
            tf.slice(dy, [0, F * e], [n, G * e]),
            multi,
            weights,
            G,
            V,
            scattered,
          );
          const gotT = await kernelEmbedSideT(dy, index, multi, weights, G, V).data();
          const want = await expectedT.data();
          gotT.forEach((v, k) => expect(Math.abs(v - want[k]!)).toBeLessThan(1e-5));
        },
      );
    },
  );
