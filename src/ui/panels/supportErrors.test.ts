// Error by support-set size: bins by support ratings, MAE = Σ abs / Σ n within each bin.
import { describe, expect, it } from 'vitest';
import { errorsBySupport, type UserErrorsLike } from './supportErrors';

describe('errorsBySupport', () => {
  const errors: UserErrorsLike = {
    users: [3, 5, 8, 9, 12],
    n: [10, 10, 5, 10, 20],
    support: [2, 3, 10, 12, 70],
    predictors: {
      model: { abs: [5, 7, 2, 6, 10], sq: [0, 0, 0, 0, 0] },
      supportMean: { abs: [8, 8, 4, 9, 16], sq: [0, 0, 0, 0, 0] },
    },
  };

  it('bins users by support size and weighs them by their query ratings', () => {
    const bins = errorsBySupport(errors)!;
    expect(bins.map((b) => b.label)).toEqual(['1–3', '8–15', '64+']);
    expect(bins.map((b) => b.users)).toEqual([2, 2, 1]);
    expect(bins[0]!.mae.model).toBeCloseTo(12 / 20, 12);
    expect(bins[0]!.mae.supportMean).toBeCloseTo(16 / 20, 12);
    expect(bins[1]!.mae.model).toBeCloseTo(8 / 15, 12);
    expect(bins[2]).toMatchObject({ lo: 64, hi: Infinity, ratings: 20 });
    expect(bins[2]!.mae.model).toBeCloseTo(0.5, 12);
    // the bins together give the scenario's MAE back
    const total = bins.reduce((s, b) => s + b.mae.model! * b.ratings, 0) / 55;
    expect(total).toBeCloseTo(30 / 55, 12);
  });

  it('is null without support sizes (or when they do not match the users)', () => {
    expect(errorsBySupport({ ...errors, support: undefined })).toBeNull();
    expect(errorsBySupport({ ...errors, support: [1, 2] })).toBeNull();
  });
});
