// MELO's figure traces from box statistics and per-rating errors (the basic Plotly bundle has no box trace).
import { describe, expect, it } from 'vitest';
import { layerLabel, lossWeightTraces, missingRatingNotes, ratingErrorTraces } from './meloFigures';

describe('MELO figures', () => {
  it('draws a box per rating present: bar q1..q3, median line, whiskers to min and max', () => {
    const box = { min: 0.5, q1: 1, median: 1.2, q3: 2, max: 3, n: 7 };
    const { data, points } = lossWeightTraces([null, null, box, null, { ...box, median: 1.5 }]);
    expect(points).toBe(2);
    const [bars, median, whiskers] = data as unknown as {
      x: (number | null)[];
      y: (number | null)[];
      base?: number[];
    }[];
    expect(bars!.x).toEqual([3, 5]);
    expect(bars!.base).toEqual([1, 1]);
    expect(bars!.y).toEqual([1, 1]);
    expect(median!.y).toEqual([1.2, 1.2, null, 1.5, 1.5, null]);
    // per box: lower whisker, upper whisker, two caps
    expect(whiskers!.y.slice(0, 6)).toEqual([0.5, 1, null, 2, 3, null]);
    expect(whiskers!.x.filter((v) => v !== null)).toHaveLength(16);
  });
  it('groups MAE bars before and after, counting the bars with a value', () => {
    const rows = [1, 2, 3, 4, 5].map((rating) => ({
      rating,
      n: rating === 2 ? 0 : 3,
      maeBefore: rating === 2 ? null : 1,
      maeAfter: rating === 2 ? null : 0.5,
    }));
    const { data, points } = ratingErrorTraces(rows);
    expect(data).toHaveLength(2);
    expect(points).toBe(8);
    expect((data[1] as { y: (number | null)[] }).y).toEqual([0.5, null, 0.5, 0.5, 0.5]);
  });
  it('notes the ratings without data', () => {
    const notes = missingRatingNotes([false, true, true, false, true]);
    expect(notes.map((n) => [n.x, n.text])).toEqual([
      [1, 'none'],
      [4, 'none'],
    ]);
  });
  it('names the adapted tensors', () => {
    expect(layerLabel('itemRows')).toBe('item embeddings');
    expect(layerLabel('b0.wq')).toBe('block 1 wq');
    expect(layerLabel('g1.uz')).toBe('GRU 2 uz');
    expect(layerLabel('headB')).toBe('head bias');
  });
});
