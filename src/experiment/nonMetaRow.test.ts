// The non-meta row's hand-over format: a pool's child processes send their outcomes as text, and every
// number a validation or test record can hold comes back as it was (JSON alone would turn NaN and
// Infinity into null, and -0 into 0).
import { describe, expect, it } from 'vitest';
import { outcomeFromJson, outcomeToJson } from './nonMetaRow';

describe('outcomeToJson', () => {
  it('keeps NaN, ±Infinity, -0 and every finite double', () => {
    const value = {
      label: '{"featureDropout":0,"epoch":2}',
      validation: { warm: { mae: 0.8128378538106451, rmse: NaN, loss: Infinity, ndcg3: -Infinity } },
      rows: { n: [3, 0], abs: [-0, 1e-300], sq: [Number.MAX_VALUE, 5e-324] },
    };
    const back = outcomeFromJson<typeof value>(outcomeToJson(value));
    expect(back).toEqual(value);
    expect(Object.is(back.rows.abs[0], -0)).toBe(true);
    expect(Number.isNaN(back.validation.warm.rmse)).toBe(true);
  });
});
