/**
 * Per-item-kind checkpoint selection (docs/findings.md, section 3). The validation users pick one
 * checkpoint for the test scenarios whose query items are warm (warm, user_cold) and one for those
 * whose query items are new (item_cold, user_item_cold). Each pick is the lowest validation MAE on the
 * validation cell of its kind: 'warm' for warm items, 'item_cold' for new ones. A split without
 * item-cold validation cells uses the warm pick for both kinds, as chooseLocalRate does.
 *
 * The test records of the checkpoints are carried along, and only the validation chooses among them.
 * Plain numbers, no tensors: it serves bench/perKind.ts now and `npm run results` later.
 */
import { SCENARIOS, type Scenario } from '../data/scenarios/types';
import type { ScenarioMetrics, ScenarioRecord } from './events';
import { itemKindOf, type ItemKind } from './adaptation';

/** The validation cell each item kind is chosen on. */
export const KIND_CELL: Readonly<Record<ItemKind, Scenario>> = { warmItems: 'warm', newItems: 'item_cold' };
const KINDS = Object.keys(KIND_CELL) as ItemKind[];

export interface KindPick {
  /** validation MAE on the kind's cell */
  readonly mae: number;
  /** what the checkpoint was, e.g. "dropout 0, epoch 8" */
  readonly label: string;
  readonly test: ScenarioRecord;
}

export interface KindSelection {
  /**
   * Whether a checkpoint with this validation would become some kind's pick. It lets a caller skip
   * evaluating the test scenarios of a checkpoint that cannot be reported.
   */
  improves(validation: ScenarioRecord): boolean;
  /** Offers a checkpoint. A strictly lower validation MAE replaces a kind's pick; on a tie the earlier one stays. */
  consider(label: string, validation: ScenarioRecord, test: ScenarioRecord): void;
  /** The picks so far, per item kind (null: no checkpoint had that cell yet). */
  picks(): Readonly<Record<ItemKind, KindPick | null>>;
  /** Each test scenario from its kind's pick, with the pick's label. */
  reported(): Partial<Record<Scenario, { metrics: ScenarioMetrics; label: string }>>;
}

export function createKindSelection(): KindSelection {
  const best: Record<ItemKind, KindPick | null> = { warmItems: null, newItems: null };
  const better = (k: ItemKind, validation: ScenarioRecord) => {
    const v = validation[KIND_CELL[k]]?.mae;
    return v !== undefined && Number.isFinite(v) && v < (best[k]?.mae ?? Infinity) ? v : null;
  };
  return {
    improves: (validation) => KINDS.some((k) => better(k, validation) !== null),
    consider(label, validation, test) {
      for (const k of KINDS) {
        const v = better(k, validation);
        if (v !== null) best[k] = { mae: v, label, test };
      }
    },
    picks: () => ({ ...best }),
    reported() {
      const out: Partial<Record<Scenario, { metrics: ScenarioMetrics; label: string }>> = {};
      for (const s of SCENARIOS) {
        const pick = best[itemKindOf(s)] ?? best.warmItems;
        const metrics = pick?.test[s];
        if (pick && metrics) out[s] = { metrics, label: pick.label };
      }
      return out;
    },
  };
}
