// MML's batch layout (next-item targets, support and query target masks, the user's position) and the
// generator's row replacement.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../lib/rng';
import { initLearner, itemRows, itemTable, learnerScores, localParams, nextItemLoss } from '../models/mml';
import { withRows } from '../models/mmlGenerator';
import type { SequenceDims } from '../models/sequence';
import { tileTasks } from './meta';
import { adaptLocal, disposeMmlBatch, learnerMetaGradient, mmlBatch } from './mmlMeta';

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

describe('learnerMetaGradient (first order)', () => {
  it('is the query-loss gradient at the adapted weights, summed over tasks; E directly', async () => {
    const dims: SequenceDims = { items: 7, length: 5, hidden: 4, heads: 2, blocks: 1, ffn: 4 };
    const ctx = { dims, text: null, steps: 2, lr: 0.5 };
    const p = initLearner('id', dims, 4, createRng(5));
    const b = mmlBatch(
      [
        { items: [0, 1, 2, 3, 4], ratings: [1, 1, 1, 1, 1], support: 3 },
        { items: [5, 4, 3, 2], ratings: [1, 1, 1, 1], support: 2 },
      ],
      5,
    );
    const [meta, oracle] = tf.tidy(() => {
      const g = learnerMetaGradient(p, ctx, b);
      // the oracle: adapt, then differentiate L_q w.r.t. the (constant) adapted per-task weights and E
      const table = itemTable(p, null);
      const rows = itemRows(table, b.items);
      const fast = adaptLocal(
        localParams(p, 2, (t) => tileTasks(t, 2)),
        rows,
        table,
        b,
        ctx,
      );
      const keys = ['posEmb', 'b0.wq'];
      const grads = tf.grads((...xs: tf.Tensor[]) => {
        const w = { ...fast, posEmb: xs[0]!, 'b0.wq': xs[1]! };
        const e = xs[2] as tf.Tensor2D;
        return nextItemLoss(
          learnerScores(w, itemRows(e, b.items), e, dims).scores,
          b.targets,
          b.queryTargets,
          'mean',
        );
      })([...keys.map((k) => tf.clone(fast[k]!)), tf.clone(table)]);
      return [
        [g.grads.posEmb!, g.grads['b0.wq']!, g.grads.itemEmb!],
        [tf.sum(grads[0]!, 0), tf.sum(grads[1]!, 0), grads[2]!],
      ];
    });
    for (let k = 0; k < 3; k++) {
      const [a, o] = [await meta[k]!.data(), await oracle[k]!.data()];
      const scale = Math.max(...Array.from(o, Math.abs));
      expect(scale).toBeGreaterThan(0);
      expect(Math.max(...Array.from(a, (v, j) => Math.abs(v - o[j]!))) / scale).toBeLessThan(1e-4);
    }
    disposeMmlBatch(b);
  });
});
