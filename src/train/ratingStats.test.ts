// MELO's view statistics against hand-computed values (type-7 quartiles, grouping by rating, clipping).
import { describe, expect, it } from 'vitest';
import { boxStats, errorsByRating, quantile, weightsByRating } from './ratingStats';

describe('boxStats', () => {
  it('gives type-7 quartiles of an even sample (interpolated)', () => {
    // sorted 1 2 3 4: q1 at h = 0.75 -> 1.75, median at 1.5 -> 2.5, q3 at 2.25 -> 3.25
    expect(boxStats([3, 1, 2, 4])).toEqual({ min: 1, q1: 1.75, median: 2.5, q3: 3.25, max: 4, n: 4 });
  });
  it('gives order statistics of an odd sample with ties and an outlier', () => {
    // sorted 0.5 1 1 2 10: q1 at h = 1, median at 2, q3 at 3
    expect(boxStats([0.5, 2, 1, 10, 1])).toEqual({ min: 0.5, q1: 1, median: 1, q3: 2, max: 10, n: 5 });
  });
  it('collapses one value and refuses none', () => {
    expect(boxStats([5])).toEqual({ min: 5, q1: 5, median: 5, q3: 5, max: 5, n: 1 });
    expect(boxStats([])).toBeNull();
    expect(quantile([], 0.5)).toBeNaN();
  });
  it('sorts numerically, not as strings', () => {
    expect(boxStats([10, 9, 100])!.median).toBe(10);
  });
});

describe('weightsByRating', () => {
  it('groups the masked-in weights by rounded rating, null where a rating is absent', () => {
    const weights = [1, 2, 3, 4, 5, 6, 7];
    const ratings = [5, 5, 1, 3, 5, 4, 0];
    const mask = [1, 1, 1, 1, 0, 1, 1]; // the 5 at index 4 is padding; rating 0 is not a rating
    const groups = weightsByRating(weights, ratings, mask);
    expect(groups).toHaveLength(5);
    expect(groups[0]).toEqual({ min: 3, q1: 3, median: 3, q3: 3, max: 3, n: 1 });
    expect(groups[1]).toBeNull();
    expect(groups[2]!.median).toBe(4);
    expect(groups[3]!.median).toBe(6);
    expect(groups[4]).toEqual({ min: 1, q1: 1.25, median: 1.5, q3: 1.75, max: 2, n: 2 });
  });
});

describe('errorsByRating', () => {
  it('gives MAE per true rating before and after adaptation, predictions clipped to the range', () => {
    const truth = [1, 1, 5, 3];
    const before = [3, 2, 4, 3];
    const after = [1.5, 0, 6, 2.5]; // 0 clips to 1, 6 to 5
    const rows = errorsByRating(truth, before, after, [1, 5]);
    expect(rows.map((r) => r.rating)).toEqual([1, 2, 3, 4, 5]);
    expect(rows[0]).toEqual({ rating: 1, n: 2, maeBefore: 1.5, maeAfter: 0.25 });
    expect(rows[1]).toEqual({ rating: 2, n: 0, maeBefore: null, maeAfter: null });
    expect(rows[2]).toEqual({ rating: 3, n: 1, maeBefore: 0, maeAfter: 0.5 });
    expect(rows[3]!.n).toBe(0);
    expect(rows[4]).toEqual({ rating: 5, n: 1, maeBefore: 1, maeAfter: 0 });
  });
  it('weights every query rating once: n-weighted MAEs give back the overall MAE', () => {
    const truth = [4, 4, 2, 5, 3, 4];
    const before = [3.6, 4.2, 3.1, 4.4, 3.3, 3.9];
    const after = [4.1, 3.7, 2.5, 4.8, 3.0, 4.6];
    const overall = truth.reduce((s, y, i) => s + Math.abs(after[i]! - y), 0) / truth.length;
    const rows = errorsByRating(truth, before, after);
    const pooled = rows.reduce((s, r) => s + (r.maeAfter ?? 0) * r.n, 0) / truth.length;
    expect(pooled).toBeCloseTo(overall, 12);
  });
});
