import { describe, expect, it } from 'vitest';
import { clippedError, errorMetrics, ndcgAt } from './metrics';

describe('metrics', () => {
  it('nDCG@3 with gain 2^r - 1: perfect ranking is 1, reversed ranking is the known value', () => {
    const truth = [5, 3, 1, 4];
    expect(ndcgAt(truth, [0.9, 0.5, 0.1, 0.7], 3)).toBeCloseTo(1, 12);
    // predicted order: items 2 (r=1), 1 (r=3), 3 (r=4); ideal: 5, 4, 3
    const dcg = 1 / Math.log2(2) + 7 / Math.log2(3) + 15 / Math.log2(4);
    const ideal = 31 / Math.log2(2) + 15 / Math.log2(3) + 7 / Math.log2(4);
    expect(ndcgAt(truth, [0.1, 0.5, 0.9, 0.2], 3)).toBeCloseTo(dcg / ideal, 12);
    expect(ndcgAt([4, 4, 4], [3, 2, 1], 3)).toBe(1);
  });

  it('pools MAE/RMSE over ratings and averages per user', () => {
    const m = errorMetrics({
      offsets: Int32Array.from([0, 1, 4]),
      truth: Float32Array.from([4, 1, 2, 3]),
      predicted: Float32Array.from([2, 1, 2, 4]),
    });
    expect(m.mae).toBeCloseTo(3 / 4, 6); // |2|, 0, 0, |1|
    expect(m.rmse).toBeCloseTo(Math.sqrt(5 / 4), 6);
    expect(m.maeUser).toBeCloseTo((2 + 1 / 3) / 2, 6);
    expect(m.rmseUser).toBeCloseTo((2 + Math.sqrt(1 / 3)) / 2, 6);
    expect(m.loss).toBeCloseTo((4 + 1 / 3) / 2, 6);
  });

  it('clips predictions to the range for MAE/RMSE, not for the loss or the ranking', () => {
    const set = {
      offsets: Int32Array.from([0, 3]),
      truth: Float32Array.from([5, 1, 3]),
      predicted: Float32Array.from([40, -2, 2.5]),
    };
    const clipped = errorMetrics({ ...set, range: [1, 5] });
    expect(clipped.mae).toBeCloseTo((0 + 0 + 0.5) / 3, 6);
    expect(clipped.rmse).toBeCloseTo(Math.sqrt(0.25 / 3), 6);
    const raw = errorMetrics(set);
    expect(raw.mae).toBeCloseTo((35 + 3 + 0.5) / 3, 6);
    expect(clipped.loss).toBeCloseTo(raw.loss, 6);
    expect(clipped.ndcg3).toBe(raw.ndcg3);
  });

  it('counts a NaN prediction as the range end farthest from the truth, never as NaN', () => {
    expect(clippedError(NaN, 4, 1, 5)).toBe(-3); // the far end is 1
    expect(clippedError(NaN, 2, 1, 5)).toBe(3); // the far end is 5
    expect(clippedError(Infinity, 2, 1, 5)).toBe(3);
    expect(clippedError(7, 2, 1, 5)).toBe(3);
    expect(clippedError(NaN, 2, -Infinity, Infinity)).toBeNaN();
    const m = errorMetrics({
      offsets: Int32Array.from([0, 2]),
      truth: Float32Array.from([4, 2]),
      predicted: Float32Array.from([NaN, 2]),
      range: [1, 5],
    });
    expect(m.mae).toBeCloseTo(1.5, 12); // (3 + 0) / 2
  });

  it('gives NaN for an empty scenario instead of throwing', () => {
    expect(
      errorMetrics({
        offsets: Int32Array.from([0]),
        truth: new Float32Array(),
        predicted: new Float32Array(),
      }).mae,
    ).toBeNaN();
  });
});
