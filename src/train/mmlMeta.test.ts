// MML's batch layout (next-item targets, support and query target masks, the user's position) and the
// generator's row replacement.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { withRows } from '../models/mmlGenerator';
import { disposeMmlBatch, mmlBatch } from './mmlMeta';

beforeAll(async () => {
  await tf.setBackend('wasm');
});

describe('mmlBatch', () => {
  it('position l predicts the item at l + 1: support targets 1..S-1, query targets after', async () => {
    // items (ItemIndex) 4 5 6 | 7 8 (support 3, query 2), and a short window 1 | 2
    const b = mmlBatch(
      [
        { items: [4, 5, 6, 7, 8], ratings: [1, 1, 1, 1, 1], support: 3 },
        { items: [1, 2], ratings: [1, 1], support: 1 },
      ],
      6,
    );
    expect(Array.from(await b.items.data())).toEqual([5, 6, 7, 8, 9, 0, 2, 3, 0, 0, 0, 0]);
    expect(Array.from(await b.targets.data())).toEqual([6, 7, 8, 9, 0, 0, 3, 0, 0, 0, 0, 0]);
    expect(Array.from(await b.supportTargets.data())).toEqual([1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(await b.queryTargets.data())).toEqual([0, 0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0]);
    expect(Array.from(await b.lastSupport.data())).toEqual([2, 0]);
    disposeMmlBatch(b);
  });
});

describe('withRows', () => {
  it('replaces exactly the given rows', async () => {
    const table = tf.tensor2d([0, 0, 1, 1, 2, 2, 3, 3], [4, 2]);
    const out = withRows(table, tf.tensor1d([1, 3], 'int32'), tf.tensor2d([9, 8, 7, 6], [2, 2]));
    expect(Array.from(await out.data())).toEqual([0, 0, 9, 8, 2, 2, 7, 6]);
  });
});
