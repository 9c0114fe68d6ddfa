// MAML++'s multi-step loss schedule as MELO uses it (meloMeta.ts multiStepWeights).
import { describe, expect, it } from 'vitest';
import { multiStepWeights } from './meloMeta';

describe('multiStepWeights', () => {
  it('starts uniform, anneals non-final steps to 0.03/J, then counts the last step only', () => {
    expect(multiStepWeights(3, 0, 10)).toEqual([1 / 3, 1 / 3, 1 / 3]);
    const mid = multiStepWeights(3, 5, 10);
    expect(mid[0]).toBeCloseTo(1 / 3 - 5 / 30);
    expect(mid[2]).toBeCloseTo(1 / 3 + (5 * 2) / 30);
    expect(mid.reduce((a, b) => a + b, 0)).toBeCloseTo(1);
    const late = multiStepWeights(3, 9.99, 10);
    expect(late[0]).toBeCloseTo(0.01);
    expect(late[2]).toBeCloseTo(0.98);
    expect(multiStepWeights(3, 10, 10)).toEqual([0, 0, 1]);
    expect(multiStepWeights(3, 0, 0)).toEqual([0, 0, 1]);
    expect(multiStepWeights(1, 0, 5)).toEqual([1]);
  });
});
