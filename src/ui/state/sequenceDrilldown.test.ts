import { describe, expect, it } from 'vitest';
import type { SequenceInspection } from '../../worker/protocol';
import { windowRows, windowSummary } from './sequenceDrilldown';

const at = (position: number, rating: number) => ({
  title: `film ${position}`,
  year: 1990,
  rating,
  position,
});

const melo: SequenceInspection = {
  kind: 'rating',
  steps: 2,
  dropped: 1,
  support: [at(0, 4), at(1, 2)],
  query: [
    { ...at(2, 5), before: 3, after: 4.5 },
    { ...at(3, 1), before: 2, after: 3 },
  ],
};

const mml: SequenceInspection = {
  kind: 'ranking',
  steps: 1,
  dropped: 0,
  candidates: 100,
  support: [at(0, 3)],
  query: [
    { ...at(1, 4), rankBefore: 20, rankAfter: 4, top: [] },
    { ...at(2, 5), rankBefore: 2, rankAfter: 2, top: [] },
  ],
};

describe('the sequence drill-down', () => {
  it('lists the window in time order: support, then query with before/after', () => {
    const rows = windowRows(melo);
    expect(rows.map((r) => [r.position, r.role])).toEqual([
      [0, 'support'],
      [1, 'support'],
      [2, 'query'],
      [3, 'query'],
    ]);
    expect(rows.map((r) => r.change)).toEqual([null, null, 'better', 'worse']);
    expect(windowRows(mml).map((r) => [r.before, r.after, r.change])).toEqual([
      [null, null, null],
      [20, 4, 'better'],
      [2, 2, 'same'],
    ]);
  });

  it('summarises MAE (MELO) and Recall/MRR@10 with ranks improved (MML)', () => {
    expect(windowSummary(melo)).toEqual({ kind: 'rating', n: 2, maeBefore: 1.5, maeAfter: 1.25 });
    expect(windowSummary(mml)).toEqual({
      kind: 'ranking',
      n: 2,
      candidates: 100,
      recallBefore: 0.5,
      recallAfter: 1,
      mrrBefore: 0.25,
      mrrAfter: (1 / 4 + 1 / 2) / 2,
      improved: 1,
    });
  });
});
