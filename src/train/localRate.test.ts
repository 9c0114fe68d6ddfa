import { describe, expect, it } from 'vitest';
import type { Scenario } from '../data/scenarios/types';
import type { ScenarioMetrics, ScenarioRecord } from './events';
import { candidateRates, formatRates, itemKindOf, pickRates } from './localRate';

/** A validation record with only the MAE filled in (all pickRates reads). */
function record(maes: Partial<Record<Scenario, number>>): ScenarioRecord {
  const out: ScenarioRecord = {};
  for (const [s, mae] of Object.entries(maes)) out[s as Scenario] = { mae } as ScenarioMetrics;
  return out;
}

describe('pickRates: one local rate per item kind, chosen on validation', () => {
  it('maps scenarios to the kind of their query items', () => {
    expect(itemKindOf('warm')).toBe('warmItems');
    expect(itemKindOf('user_cold')).toBe('warmItems');
    expect(itemKindOf('item_cold')).toBe('newItems');
    expect(itemKindOf('user_item_cold')).toBe('newItems');
  });

  it('chooses warm items on the warm cells and new items on the item-cold cells', () => {
    const swept = [
      { lr: 0.01, record: record({ warm: 0.8, item_cold: 0.84 }) },
      { lr: 0.02, record: record({ warm: 0.79, item_cold: 0.85 }) },
      { lr: 0.05, record: record({ warm: 0.78, item_cold: 0.86 }) },
    ];
    const picked = pickRates(swept)!;
    expect(picked.rates).toEqual({ warmItems: 0.05, newItems: 0.01 });
    expect(picked.record.warm!.mae).toBe(0.78);
    expect(picked.record.item_cold!.mae).toBe(0.84);
    expect(picked.mae).toBeCloseTo((0.78 + 0.84) / 2, 12);
    // never worse than any single rate for both kinds
    for (const r of swept)
      expect(picked.mae).toBeLessThanOrEqual((r.record.warm!.mae + r.record.item_cold!.mae) / 2);
    expect(formatRates(picked.rates)).toBe('0.05 / 0.01');
  });

  it('never picks a rate that blew up, keeps the smaller rate on a tie, and fills a missing kind', () => {
    const picked = pickRates([
      { lr: 0, record: record({ warm: 0.9 }) },
      { lr: 0.01, record: record({ warm: 0.8 }) },
      { lr: 0.02, record: record({ warm: 0.8 }) },
      { lr: 0.1, record: record({ warm: NaN }) },
      { lr: 0.2, record: record({ warm: Infinity }) },
    ])!;
    expect(picked.rates).toEqual({ warmItems: 0.01, newItems: 0.01 });
    expect(formatRates(picked.rates)).toBe('0.01');
    expect(Object.keys(picked.record)).toEqual(['warm']);
    const onlyNew = pickRates([
      { lr: 0.01, record: record({ item_cold: 0.9 }) },
      { lr: 0.03, record: record({ item_cold: 0.85 }) },
    ])!;
    expect(onlyNew.rates).toEqual({ warmItems: 0.03, newItems: 0.03 });
  });

  it('returns null without validation cells or when every rate blew up', () => {
    expect(pickRates([])).toBeNull();
    expect(pickRates([{ lr: 0.01, record: record({ warm: NaN, item_cold: NaN }) }])).toBeNull();
  });

  it('candidates: the grid plus the training rate, ascending, once each', () => {
    const rates = candidateRates(0.01);
    expect(rates).toEqual([...rates].sort((a, b) => a - b));
    expect(new Set(rates).size).toBe(rates.length);
    expect(candidateRates(0.007)).toContain(0.007);
  });
});
