import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { wasmGatherRows, wasmScatterRows } from './rowsWasm';

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
});

describe('row gather / scatter-add kernels on tfjs-wasm', () => {
  it('gathers rows like tf.gather, with -1 reading a zero row', async () => {
    const x = tf.tensor2d([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const out = wasmGatherRows(x, tf.tensor1d([2, 0, -1, 2], 'int32'));
    expect(Array.from(await out.data())).toEqual([5, 6, 1, 2, 0, 0, 5, 6]);
    const big = tf.randomNormal([500, 33]) as tf.Tensor2D;
    const idx = tf.tensor1d(
      Array.from({ length: 2000 }, (_, i) => (i * 7919) % 500),
      'int32',
    );
    const diff = tf.max(tf.abs(tf.sub(wasmGatherRows(big, idx), tf.gather(big, idx))));
    expect((await diff.data())[0]).toBe(0);
  });

  it('scatter-adds rows (duplicates summed, -1 dropped)', async () => {
    const v = tf.tensor2d([
      [1, 1],
      [2, 2],
      [3, 3],
      [4, 4],
    ]);
    const out = wasmScatterRows(v, tf.tensor1d([1, 1, -1, 0], 'int32'), 3);
    expect(Array.from(await out.data())).toEqual([4, 4, 3, 3, 0, 0]);
  });

  it('rejects out-of-range indices with a clear message', () => {
    expect(() => wasmGatherRows(tf.zeros([2, 2]) as tf.Tensor2D, tf.tensor1d([2], 'int32'))).toThrow(
      /expected an index in -1..1, got 2/,
    );
  });
});
