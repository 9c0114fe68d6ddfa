// Ranking metrics on hand-computed cases (full ranking, padding row 0 never a candidate).
import { describe, expect, it } from 'vitest';
import { rankingMetrics, rankOf } from './ranking';

describe('rankOf', () => {
  it('counts the items scored at least as high, padding excluded', () => {
    // rows: 0 padding (scored highest, ignored), 1..5
    const s = [99, 0.5, 0.9, 0.1, 0.7, 0.2];
    expect(rankOf(s, 2)).toBe(1); // 0.9 is the best real item
    expect(rankOf(s, 4)).toBe(2); // below 0.9
    expect(rankOf(s, 1)).toBe(3);
    expect(rankOf(s, 3)).toBe(5); // the worst of 5 items
  });
  it('ranks ties pessimistically: a constant scorer puts the target last', () => {
    expect(rankOf([0, 1, 1, 1, 1], 2)).toBe(4);
    expect(rankOf([0, 1, 2, 2], 3)).toBe(2);
  });
  it('a NaN target score ranks last', () => {
    expect(rankOf([0, 1, NaN, 3], 2)).toBe(3);
  });
});

describe('rankingMetrics', () => {
  it('matches hand-computed Recall, MRR and NDCG at 5, 10, 20', () => {
    // ranks 1, 3, 7, 15, 30
    const m = rankingMetrics([1, 3, 7, 15, 30]);
    expect(m.cases).toBe(5);
    expect(m.recall5).toBeCloseTo(2 / 5, 12);
    expect(m.recall10).toBeCloseTo(3 / 5, 12);
    expect(m.recall20).toBeCloseTo(4 / 5, 12);
    expect(m.mrr5).toBeCloseTo((1 + 1 / 3) / 5, 12);
    expect(m.mrr10).toBeCloseTo((1 + 1 / 3 + 1 / 7) / 5, 12);
    expect(m.mrr20).toBeCloseTo((1 + 1 / 3 + 1 / 7 + 1 / 15) / 5, 12);
    // NDCG: 1/log2(2) = 1, 1/log2(4) = 0.5, 1/log2(8) = 1/3, 1/log2(16) = 0.25
    expect(m.ndcg5).toBeCloseTo((1 + 0.5) / 5, 12);
    expect(m.ndcg10).toBeCloseTo((1 + 0.5 + 1 / 3) / 5, 12);
    expect(m.ndcg20).toBeCloseTo((1 + 0.5 + 1 / 3 + 0.25) / 5, 12);
  });
  it('is 1 everywhere when every true item ranks first, NaN with no case', () => {
    const m = rankingMetrics([1, 1]);
    for (const key of ['recall5', 'mrr10', 'ndcg20'] as const) expect(m[key]).toBe(1);
    expect(rankingMetrics([]).recall5).toBeNaN();
  });
});
