/**
 * How a job chooses the checkpoint its test numbers come from, on validation users only:
 * - 'per-kind': train/kindSelection.ts, one checkpoint for the test scenarios with warm query items
 *   (lowest MAE on the validation warm cells) and one for those with new items (item-cold cells);
 * - 'last-epoch': the last checkpoint offered, for every scenario (no choice of epoch or dropout).
 * Both speak KindSelection, so the job and the stored part do not depend on the rule. Checkpoint labels
 * are JSON of Checkpoint, so a pick is read back without a side table.
 */
import type { Scenario } from '../data/scenarios/types';
import type { ScenarioRecord } from '../train/events';
import type { ItemKind, LocalRates } from '../train/adaptation';
import { createKindSelection, KIND_CELL, type KindPick, type KindSelection } from '../train/kindSelection';
import type { AttentionInfo } from './attention';

export const SELECTION_RULES = ['per-kind', 'last-epoch'] as const;
export type SelectionRule = (typeof SELECTION_RULES)[number];

/** What a checkpoint label holds. */
export interface Checkpoint {
  readonly featureDropout: number;
  /** epochs trained, supervised pre-training included */
  readonly epoch: number;
  readonly rates: LocalRates;
  readonly attention?: AttentionInfo;
}

/** A checkpoint a kind picked: what it was, its validation MAE on the kind's cell, its local rate there. */
export interface PickInfo {
  readonly featureDropout: number;
  /** epochs trained, supervised pre-training included */
  readonly epoch: number;
  readonly localRate: number;
  readonly validationMae: number;
}

/** The last checkpoint offered wins, for both kinds (its validation MAE on each kind's cell is kept). */
export function createLastSelection(): KindSelection {
  let last: { label: string; validation: ScenarioRecord; test: ScenarioRecord } | null = null;
  const pick = (k: ItemKind): KindPick | null =>
    last && { mae: last.validation[KIND_CELL[k]]?.mae ?? NaN, label: last.label, test: last.test };
  return {
    improves: () => true,
    consider(label, validation, test) {
      last = { label, validation, test };
    },
    picks: () => ({ warmItems: pick('warmItems'), newItems: pick('newItems') }),
    reported() {
      const out: ReturnType<KindSelection['reported']> = {};
      for (const [s, metrics] of Object.entries(last?.test ?? {}) as [Scenario, ScenarioRecord[Scenario]][])
        if (metrics) out[s] = { metrics, label: last!.label };
      return out;
    },
  };
}

export const selectionFor = (rule: SelectionRule): KindSelection =>
  rule === 'per-kind' ? createKindSelection() : createLastSelection();

/** The picks of a selection as stored numbers. */
export function pickInfos(selection: KindSelection): Partial<Record<ItemKind, PickInfo>> {
  const out: Partial<Record<ItemKind, PickInfo>> = {};
  for (const [kind, pick] of Object.entries(selection.picks()) as [ItemKind, KindPick | null][]) {
    if (!pick) continue;
    const c = JSON.parse(pick.label) as Checkpoint;
    out[kind] = {
      featureDropout: c.featureDropout,
      epoch: c.epoch,
      localRate: c.rates[kind],
      validationMae: pick.mae,
    };
  }
  return out;
}

/** Each test scenario from its kind's pick (the warm pick when no item-cold validation cell exists). */
export function reportedRecord(selection: KindSelection): ScenarioRecord {
  const out: ScenarioRecord = {};
  for (const [s, r] of Object.entries(selection.reported()) as [
    Scenario,
    { metrics: ScenarioRecord[Scenario] },
  ][])
    out[s] = r.metrics;
  return out;
}

/** The label of the checkpoint each reported test scenario comes from. */
export function reportedLabels(selection: KindSelection): Partial<Record<Scenario, string>> {
  const out: Partial<Record<Scenario, string>> = {};
  for (const [s, r] of Object.entries(selection.reported()) as [Scenario, { label: string }][])
    out[s] = r.label;
  return out;
}
