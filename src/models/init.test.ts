import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../lib/rng';
import { batchesOf } from '../train/epochs';
import { pytorchRowLimits } from './embedding';
import { initMelu, meluLayers, meluLocalKeys, meluOutputKeys, type MeluDims } from './melu';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Two user fields (3 + 4 rows), one item index field (5 rows) and two multi-hot fields (26, 101 rows). */
const dims: MeluDims = {
  e: 16,
  hidden: 64,
  user: { tableRows: 7, indexFields: 2, multiFields: 0, width: 1 },
  item: { tableRows: 5 + 26 + 101, indexFields: 1, multiFields: 2, width: 4, multiRows: [26, 101] },
};

async function absMax(t: tf.Tensor): Promise<number> {
  return (await tf.max(tf.abs(t)).data())[0]!;
}

describe('initScheme pytorch (MeLU: PyTorch defaults)', () => {
  it('every linear weight and bias lies in U(-1/sqrt(fan_in), 1/sqrt(fan_in)) and fills that range', async () => {
    const p = initMelu(dims, createRng(3), 3.6, { scheme: 'pytorch' });
    const fanIn1 = (1 + 2) * 16 + 2 * 16; // [item; user] = 96 + 32
    const expected: [tf.Tensor, number][] = [
      [p.w1Item, fanIn1],
      [p.w1User, fanIn1],
      [p.b1, fanIn1],
      [p.w2!, 64],
      [p.b2!, 64],
      [p.w3!, 64],
    ];
    for (const [t, fanIn] of expected) {
      const m = await absMax(t);
      expect(m).toBeLessThanOrEqual(1 / Math.sqrt(fanIn));
      if (t.size >= 64) expect(m).toBeGreaterThan(0.9 / Math.sqrt(fanIn));
    }
    // the output bias is drawn too (no mean-rating start)
    expect(await absMax(p.b3!)).toBeLessThanOrEqual(1 / 8);
  });

  it('single-valued rows are N(0, 1); each multi-hot field U(-1/sqrt(V), 1/sqrt(V)), V without <unk>', async () => {
    expect(Array.from(pytorchRowLimits(dims.item))).toEqual([
      ...Array<number>(5).fill(0),
      ...Array<number>(26).fill(Math.fround(1 / 5)),
      ...Array<number>(101).fill(Math.fround(1 / 10)),
    ]);
    const p = initMelu(dims, createRng(4), 3.6, { scheme: 'pytorch' });
    const item = await p.itemTable.array();
    const rows = (from: number, to: number) => item.slice(from, to).flat();
    const genre = rows(5, 31);
    const actor = rows(31, 132);
    expect(Math.max(...genre.map(Math.abs))).toBeLessThanOrEqual(0.2 + 1e-7);
    expect(Math.max(...genre.map(Math.abs))).toBeGreaterThan(0.18);
    expect(Math.max(...actor.map(Math.abs))).toBeLessThanOrEqual(0.1 + 1e-7);
    // the N(0, 1) rows: user table and the item index field
    const normals = [...(await p.userTable.array()).flat(), ...rows(0, 5)];
    const mean = normals.reduce((a, b) => a + b, 0) / normals.length;
    const sd = Math.sqrt(normals.reduce((a, b) => a + (b - mean) ** 2, 0) / normals.length);
    expect(Math.abs(mean)).toBeLessThan(0.25);
    expect(sd).toBeGreaterThan(0.75);
    expect(sd).toBeLessThan(1.25);
  });

  it('the default glorot scheme keeps the mean-rating output bias and zero hidden biases', async () => {
    const p = initMelu(dims, createRng(5), 3.6);
    expect(Array.from(await p.b3!.data())).toEqual([Math.fround(3.6)]);
    expect(await absMax(p.b1)).toBe(0);
    expect(await absMax(p.w2!)).toBeLessThanOrEqual(Math.sqrt(6 / 128));
  });
});

describe('hiddenLayers', () => {
  it('a deeper MeLU adds [H, H] layers before the output; the shallower layers draw the same numbers', async () => {
    const two = initMelu(dims, createRng(6), 3.6);
    const three = initMelu({ ...dims, hiddenLayers: 3 }, createRng(6), 3.6, { learnRates: true });
    expect(Object.keys(two)).toEqual(['userTable', 'itemTable', ...meluLocalKeys(2)]);
    expect(meluLocalKeys(2)).toEqual(['w1Item', 'w1User', 'b1', 'w2', 'b2', 'w3', 'b3']);
    expect(meluLocalKeys(3)).toEqual(['w1Item', 'w1User', 'b1', 'w2', 'b2', 'w3', 'b3', 'w4', 'b4']);
    expect(three.w3!.shape).toEqual([64, 64]);
    expect(three.w4!.shape).toEqual([64, 1]);
    expect(Array.from(await three.b4!.data())).toEqual([Math.fround(3.6)]);
    expect(three.localLogRate!.shape).toEqual([9]);
    expect(meluLayers(three).map((l) => `${l.w}${l.relu ? ' relu' : ''}`)).toEqual([
      'w2 relu',
      'w3 relu',
      'w4',
    ]);
    expect(meluOutputKeys(three)).toEqual(['w4', 'b4']);
    for (const k of ['w1Item', 'w1User', 'w2'] as const)
      expect(Array.from(await three[k]!.data())).toEqual(Array.from(await two[k]!.data()));
  });
});

describe('dropLastBatch', () => {
  it('drops a last, smaller batch (MeLU trains int(N / batch) batches) unless it is the only one', () => {
    const order = Int32Array.from({ length: 70 }, (_, i) => i);
    expect(batchesOf(order, 32).map((b) => b.length)).toEqual([32, 32, 6]);
    expect(batchesOf(order, 32, true).map((b) => b.length)).toEqual([32, 32]);
    expect(batchesOf(order.subarray(0, 64), 32, true).map((b) => b.length)).toEqual([32, 32]);
    expect(batchesOf(order.subarray(0, 10), 32, true).map((b) => b.length)).toEqual([10]);
  });
});
