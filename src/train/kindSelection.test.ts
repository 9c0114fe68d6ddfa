import { describe, expect, it } from 'vitest';
import type { ScenarioMetrics, ScenarioRecord } from './events';
import { createKindSelection } from './kindSelection';

/** A record whose scenarios have only the MAE set (all the selection reads). */
const rec = (maes: Partial<Record<keyof ScenarioRecord, number>>): ScenarioRecord =>
  Object.fromEntries(
    Object.entries(maes).map(([s, mae]) => [s, { mae } as ScenarioMetrics]),
  ) as ScenarioRecord;

describe('per-item-kind selection', () => {
  it('reports warm-item scenarios from the best warm-cell checkpoint and new-item ones from the best item-cold one', () => {
    const sel = createKindSelection();
    const test = (x: number) =>
      rec({ warm: x, user_cold: x + 0.1, item_cold: x + 0.2, user_item_cold: x + 0.3 });
    sel.consider('e2', rec({ warm: 0.8, item_cold: 0.85 }), test(2));
    sel.consider('e4', rec({ warm: 0.79, item_cold: 0.83 }), test(4));
    sel.consider('e6', rec({ warm: 0.78, item_cold: 0.84 }), test(6));
    const r = sel.reported();
    expect(r.warm).toMatchObject({ label: 'e6', metrics: { mae: 6 } });
    expect(r.user_cold).toMatchObject({ label: 'e6', metrics: { mae: 6.1 } });
    expect(r.item_cold).toMatchObject({ label: 'e4', metrics: { mae: 4.2 } });
    expect(r.user_item_cold).toMatchObject({ label: 'e4', metrics: { mae: 4.3 } });
    expect(sel.picks().warmItems?.mae).toBe(0.78);
    expect(sel.picks().newItems?.mae).toBe(0.83);
  });

  it('never lets a test number choose: a checkpoint with a better test but worse validation is not reported', () => {
    const sel = createKindSelection();
    sel.consider('a', rec({ warm: 0.8, item_cold: 0.9 }), rec({ warm: 0.9, item_cold: 0.9 }));
    sel.consider('b', rec({ warm: 0.81, item_cold: 0.91 }), rec({ warm: 0.1, item_cold: 0.1 }));
    expect(sel.reported().warm?.label).toBe('a');
    expect(sel.reported().item_cold?.label).toBe('a');
  });

  it('keeps the earlier checkpoint on a tie, and tells whether a checkpoint would be picked', () => {
    const sel = createKindSelection();
    sel.consider('first', rec({ warm: 0.8, item_cold: 0.9 }), rec({ warm: 1 }));
    expect(sel.improves(rec({ warm: 0.8, item_cold: 0.9 }))).toBe(false);
    expect(sel.improves(rec({ warm: 0.81, item_cold: 0.89 }))).toBe(true);
    sel.consider('tie', rec({ warm: 0.8, item_cold: 0.9 }), rec({ warm: 2 }));
    expect(sel.reported().warm?.label).toBe('first');
  });

  it('uses the warm pick for new items when the validation has no item-cold cells, and ignores NaN', () => {
    const sel = createKindSelection();
    sel.consider('nan', rec({ warm: NaN }), rec({ warm: 9, item_cold: 9 }));
    expect(sel.reported()).toEqual({});
    sel.consider('only-warm', rec({ warm: 0.8 }), rec({ warm: 1, item_cold: 2 }));
    expect(sel.reported().item_cold).toMatchObject({ label: 'only-warm', metrics: { mae: 2 } });
    expect(sel.picks().newItems).toBeNull();
  });
});
