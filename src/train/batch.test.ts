// Feature dropout in makeBatch: dropped fields read the unknown row alone; nothing else changes.
import { describe, expect, it } from 'vitest';
import { createRng } from '../lib/rng';
import { makeBatch } from './batch';
import { tinyProblem } from '../../tests/helpers/tinyProblem';

describe('makeBatch feature dropout', () => {
  const { layout, tasks } = tinyProblem(5, { tasks: 6 });
  const ids = [0, 1, 2, 3, 4, 5];
  const w = layout.item.width;
  const g = layout.item.multiFields;

  it('rate 0 (or none) gives the plain batch; rate > 0 drops whole fields to the unknown row', () => {
    const plain = makeBatch(tasks, ids, layout);
    const zero = makeBatch(tasks, ids, layout, undefined, { rate: 0, rng: createRng(1) });
    expect(zero.itemMulti).toEqual(plain.itemMulti);
    expect(zero.itemMultiWeights).toEqual(plain.itemMultiWeights);

    const dropped = makeBatch(tasks, ids, layout, undefined, { rate: 0.5, rng: createRng(2) });
    expect(dropped.items).toEqual(plain.items);
    expect(dropped.itemIndex).toEqual(plain.itemIndex);
    expect(dropped.support.item).toEqual(plain.support.item);
    let drops = 0;
    let kept = 0;
    for (let s = 0; s < plain.itemCount; s++) {
      for (let f = 0; f < g; f++) {
        const base = (s * g + f) * w;
        const codes = Array.from(dropped.itemMulti.subarray(base, base + w));
        const weights = Array.from(dropped.itemMultiWeights.subarray(base, base + w));
        const same =
          codes.every((c, j) => c === plain.itemMulti[base + j]) &&
          weights.every((x, j) => x === plain.itemMultiWeights[base + j]);
        if (same && !(codes[0] === layout.itemMultiUnknown[f] && weights[0] === 1)) {
          kept++;
          continue;
        }
        drops++;
        expect(codes).toEqual(Array(w).fill(layout.itemMultiUnknown[f]));
        expect(weights).toEqual([1, ...Array(w - 1).fill(0)]);
      }
    }
    expect(drops).toBeGreaterThan(0);
    expect(kept).toBeGreaterThan(0);
  });

  it('is seeded: the same rng draws the same drops', () => {
    const a = makeBatch(tasks, ids, layout, undefined, { rate: 0.5, rng: createRng(9) });
    const b = makeBatch(tasks, ids, layout, undefined, { rate: 0.5, rng: createRng(9) });
    expect(a.itemMulti).toEqual(b.itemMulti);
    expect(a.itemMultiWeights).toEqual(b.itemMultiWeights);
  });
});
