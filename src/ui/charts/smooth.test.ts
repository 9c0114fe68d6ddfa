// Curve smoothing and ranges: the debiased EMA and the padded fit.
import { describe, expect, it } from 'vitest';
import { ema, extent, fitRange, tooLoose, within } from './smooth';

describe('ema', () => {
  it('is the raw series at weight 0 and debiased from the first point', () => {
    expect(ema([1, 2, 3], 0)).toEqual([1, 2, 3]);
    const s = ema([2, 2, 2, 2], 0.9);
    for (const v of s) expect(v).toBeCloseTo(2, 12); // no pull towards 0
    // m1 = 0.5·4 = 2 -> 4; m2 = 0.5·2 + 0.5·0 = 1 -> 1 / 0.75
    const t = ema([4, 0], 0.5);
    expect(t[0]).toBeCloseTo(4, 12);
    expect(t[1]).toBeCloseTo(4 / 3, 12);
  });
  it('skips non-finite values', () => {
    const s = ema([NaN, 1, Infinity, 1], 0.5);
    expect(s[0]).toBeNaN();
    expect(s.slice(1)).toEqual([1, 1, 1]);
  });
});

describe('ranges', () => {
  it('fit the data with padding, not a fixed 0..1.5', () => {
    const e = extent([
      [0.81, 0.86],
      [0.84, NaN],
    ])!;
    expect(e).toEqual([0.81, 0.86]);
    const r = fitRange(e, 0.1);
    expect(r[0]).toBeCloseTo(0.805, 9);
    expect(r[1]).toBeCloseTo(0.865, 9);
    expect(within(r, [0.82, 0.85])).toBe(true);
    expect(within(r, [0.7, 0.85])).toBe(false);
    expect(tooLoose(r, [0.83, 0.831], 0.3)).toBe(true);
  });
  it('work in log10 units on a log axis, positive values only', () => {
    const e = extent([[-1, 0, 0.1, 10]], true)!;
    expect(e).toEqual([0.1, 10]);
    const r = fitRange(e, 0.05, true);
    expect(r[0]).toBeCloseTo(-1.1, 9);
    expect(r[1]).toBeCloseTo(1.1, 9);
    expect(within(r, [0.5, 5], true)).toBe(true);
  });
  it('give a flat series some height', () => {
    const r = fitRange([1, 1], 0.1);
    expect(r[1] - r[0]).toBeGreaterThan(0.001);
  });
});
