import { describe, expect, it } from 'vitest';
import { createRng } from '../lib/rng';
import {
  formatInterval,
  pairedInterval,
  userErrorsFromPredictions,
  verdict,
  type PairedInterval,
  type UserErrors,
} from './stats';

const row = (seed: number, n: number, absA: number, absB: number, sqA = absA, sqB = absB): UserErrors => ({
  seed,
  n,
  absA,
  absB,
  sqA,
  sqB,
});

describe('pairedInterval', () => {
  it('computes the per-seed, rating-weighted difference by hand', () => {
    // seed 1: MAE_A = (1 + 0.5)/3 = 0.5, MAE_B = (2 + 0.5)/3 = 5/6, d = −1/3 (A wins)
    // seed 2: MAE_A = 2/4, MAE_B = 1/4, d = 1/4; diff = (−1/3 + 1/4)/2 = −1/24
    // RMSE: seed 1 sqrt(3/3) − sqrt(4.25/3); seed 2 sqrt(1/4) − sqrt(4/4)
    const rows = [row(1, 2, 1, 2, 3, 4), row(1, 1, 0.5, 0.5, 0, 0.25), row(2, 4, 2, 1, 1, 4)];
    const mae = pairedInterval(rows, 'mae', { resamples: 200 });
    expect(mae.diff).toBeCloseTo(-1 / 24, 12);
    expect(mae.seedsWon).toBe(1);
    expect(mae.seeds).toBe(2);
    expect(mae.users).toBe(3);
    expect(mae.resamples).toBe(200);
    expect(mae.level).toBe(0.95);
    expect(mae.low).toBeLessThanOrEqual(mae.diff);
    expect(mae.high).toBeGreaterThanOrEqual(mae.diff);
    const rmse = pairedInterval(rows, 'rmse', { resamples: 200 });
    const expected = (1 - Math.sqrt(4.25 / 3) + (Math.sqrt(1 / 4) - 1)) / 2;
    expect(rmse.diff).toBeCloseTo(expected, 12);
    expect(rmse.seedsWon).toBe(2);
    // seed 2 has one user: its difference is the same in every resample, so only seed 1 varies:
    // a resample of seed 1 draws the two users {u1,u1}, {u1,u2}, {u2,u2}: d ∈ {−1/2, −1/3, 0}
    const d2 = 0.25;
    expect(mae.low).toBeGreaterThanOrEqual((-0.5 + d2) / 2 - 1e-12);
    expect(mae.high).toBeLessThanOrEqual((0 + d2) / 2 + 1e-12);
  });

  it('covers a known difference in about 95% of simulated datasets', () => {
    // Per rating: |e_A| with e_A ~ N(0, 1); |e_B| = 1.1·|0.8 e_A + 0.6 z|, z ~ N(0, 1), so
    // E|e_B| = 1.1·sqrt(2/π) and the true MAE difference is −0.1·sqrt(2/π), with correlated pairs.
    const truth = -0.1 * Math.sqrt(2 / Math.PI);
    const rng = createRng(7);
    const datasets = 200;
    let covered = 0;
    for (let d = 0; d < datasets; d++) {
      const rows: UserErrors[] = [];
      for (let seed = 1; seed <= 3; seed++)
        for (let u = 0; u < 30; u++) {
          const n = 3 + rng.int(8);
          let absA = 0;
          let absB = 0;
          for (let k = 0; k < n; k++) {
            const eA = rng.normal();
            absA += Math.abs(eA);
            absB += 1.1 * Math.abs(0.8 * eA + 0.6 * rng.normal());
          }
          rows.push(row(seed, n, absA, absB));
        }
      const interval = pairedInterval(rows, 'mae', { resamples: 1000, seed: d + 1 });
      if (interval.low <= truth && truth <= interval.high) covered++;
    }
    const coverage = covered / datasets;
    expect(coverage).toBeGreaterThan(0.88);
    expect(coverage).toBeLessThan(0.995);
  });

  it('gives diff 0 and an interval containing 0 for identical predictors', () => {
    const rng = createRng(3);
    const rows: UserErrors[] = [];
    for (let seed = 1; seed <= 3; seed++)
      for (let u = 0; u < 50; u++) {
        const abs = rng.next() * 5;
        rows.push(row(seed, 1 + rng.int(10), abs, abs, abs * abs, abs * abs));
      }
    for (const metric of ['mae', 'rmse'] as const) {
      const interval = pairedInterval(rows, metric, { resamples: 500 });
      expect(interval.diff).toBe(0);
      expect(interval.low).toBeLessThanOrEqual(0);
      expect(interval.high).toBeGreaterThanOrEqual(0);
      expect(interval.excludesZero).toBe(false);
      expect(interval.seedsWon).toBe(0);
      expect(verdict(interval)).toBe('level (interval includes 0)');
    }
  });

  it('weighs every seed alike: a seed with many users does not swamp the mean', () => {
    // seed 1: 1,000 users, A better by 1 on each rating; seed 2: 2 users, A worse by 1.
    const rows: UserErrors[] = [];
    for (let u = 0; u < 1000; u++) rows.push(row(1, 1, 0, 1));
    rows.push(row(2, 1, 1, 0), row(2, 3, 3, 0));
    const interval = pairedInterval(rows, 'mae', { resamples: 300 });
    expect(interval.diff).toBe(0); // pooled over ratings it would be (−1000 + 4)/1004
    expect(interval.low).toBe(0);
    expect(interval.high).toBe(0);
    expect(interval.seedsWon).toBe(1);
  });

  it('is deterministic per seed', () => {
    const rng = createRng(11);
    const rows = Array.from({ length: 60 }, (_, u) => row(1 + (u % 2), 5, rng.next() * 5, rng.next() * 5));
    const a = pairedInterval(rows, 'mae', { resamples: 2000, seed: 4 });
    const b = pairedInterval(rows, 'mae', { resamples: 2000, seed: 4 });
    const c = pairedInterval(rows, 'mae', { resamples: 2000, seed: 5 });
    expect(b).toEqual(a);
    expect(c.diff).toBe(a.diff);
    expect([c.low, c.high]).not.toEqual([a.low, a.high]);
  });

  it('runs 10,000 resamples over 3 seeds × 600 users quickly', () => {
    const rng = createRng(2);
    const rows = Array.from({ length: 1800 }, (_, u) => row(u % 3, 10, rng.next() * 8, rng.next() * 8));
    const t0 = performance.now();
    const interval = pairedInterval(rows, 'rmse');
    expect(interval.resamples).toBe(10_000);
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  it('rejects empty input and bad levels', () => {
    expect(() => pairedInterval([], 'mae')).toThrow('Expected at least one user row, got none');
    expect(() => pairedInterval([row(1, 1, 0, 0)], 'mae', { level: 1 })).toThrow(
      'Expected a level in (0, 1)',
    );
    expect(() => pairedInterval([row(1, 0, 0, 0)], 'mae')).toThrow('Expected query ratings for seed 1');
  });
});

describe('userErrorsFromPredictions', () => {
  it('sums clipped errors per task and skips empty tasks', () => {
    const rows = userErrorsFromPredictions(3, {
      offsets: [0, 2, 2, 3],
      truth: [4, 2, 5],
      predictedA: [4.5, 0, 6], // clipped to 1 and 5
      predictedB: [3, 2, 4],
      range: [1, 5],
    });
    expect(rows).toEqual([
      { seed: 3, n: 2, absA: 1.5, absB: 1, sqA: 1.25, sqB: 1 },
      { seed: 3, n: 1, absA: 0, absB: 1, sqA: 0, sqB: 1 },
    ]);
  });

  it('rejects arrays of different lengths', () => {
    expect(() =>
      userErrorsFromPredictions(1, { offsets: [0, 2], truth: [1, 2], predictedA: [1], predictedB: [1, 2] }),
    ).toThrow('Expected 2 ratings and predictions of A and B, got 2, 1, 2');
  });
});

describe('formatInterval and verdict', () => {
  const interval = (diff: number, low: number, high: number): PairedInterval => ({
    metric: 'mae',
    diff,
    low,
    high,
    level: 0.95,
    seedsWon: 0,
    seeds: 1,
    excludesZero: low > 0 || high < 0,
    users: 1,
    resamples: 1,
  });
  it('writes a true minus sign and four decimals', () => {
    expect(formatInterval(interval(-0.01234, -0.016, -0.00871))).toBe(
      '\u22120.0123 [\u22120.0160, \u22120.0087]',
    );
    expect(formatInterval(interval(0.5, 0.25, 0.75), 2)).toBe('0.50 [0.25, 0.75]');
  });
  it('says ahead, behind or level', () => {
    expect(verdict(interval(-0.1, -0.2, -0.05))).toBe('ahead');
    expect(verdict(interval(0.1, 0.05, 0.2))).toBe('behind');
    expect(verdict(interval(0.1, -0.05, 0.2))).toBe('level (interval includes 0)');
  });
});
