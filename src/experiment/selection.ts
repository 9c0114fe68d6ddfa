/**
 * How a job chooses the checkpoint its test numbers come from, on validation users only:
 * - 'per-kind': train/kindSelection.ts, one checkpoint for the test scenarios with warm query items
 *   (lowest MAE on the validation warm cells) and one for those with new items (item-cold cells);
 * - 'last-epoch': the last checkpoint offered, for every scenario (no choice of epoch or dropout);
 * - 'single': one checkpoint for every scenario, the lowest mean of the validation MAE on the warm and
 *   the item-cold cells (the warm cell alone where the split has no item-cold one): the ablation of
 *   per-kind checkpoints (docs/protocol.md, sections 3 and 6).
 * Both speak KindSelection, so the job and the stored part do not depend on the rule. Checkpoint labels
 * are JSON of Checkpoint, so a pick is read back without a side table.
 */
import type { Scenario } from '../data/scenarios/types';
import type { ScenarioRecord } from '../train/events';
import type { TrainConfig } from '../config/experiment';
import type { FineTune, ItemKind, LocalRates } from '../train/adaptation';
import { createKindSelection, KIND_CELL, type KindPick, type KindSelection } from '../train/kindSelection';
import type { AttentionInfo } from './attention';

export const SELECTION_RULES = ['per-kind', 'last-epoch', 'single'] as const;
export type SelectionRule = (typeof SELECTION_RULES)[number];

/** What a checkpoint label holds. */
export interface Checkpoint {
  readonly featureDropout: number;
  /** epochs trained, supervised pre-training included */
  readonly epoch: number;
  readonly rates: LocalRates;
  readonly attention?: AttentionInfo;
  /** the non-meta network's v1 grid: its trained settings and evaluation-time fine-tuning */
  readonly trained?: Partial<TrainConfig>;
  readonly fineTune?: FineTune;
}

/** A checkpoint a kind picked: what it was, its validation MAE on the kind's cell, its local rate there. */
export interface PickInfo {
  readonly featureDropout: number;
  /** epochs trained, supervised pre-training included */
  readonly epoch: number;
  readonly localRate: number;
  readonly validationMae: number;
  /** the non-meta network's v1 grid: which trained settings and fine-tuning the pick was */
  readonly trained?: Partial<TrainConfig>;
  readonly fineTune?: FineTune;
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

/** The score of 'single': mean validation MAE over the kinds' cells present (NaN: none). */
export function meanKindMae(validation: ScenarioRecord): number {
  const maes = Object.values(KIND_CELL)
    .map((s) => validation[s]?.mae)
    .filter((m): m is number => m !== undefined && Number.isFinite(m));
  return maes.length ? maes.reduce((a, b) => a + b, 0) / maes.length : NaN;
}

/** One checkpoint for both kinds: the strictly lowest meanKindMae wins; on a tie the earlier stays. */
export function createSingleSelection(): KindSelection {
  let best: { score: number; label: string; validation: ScenarioRecord; test: ScenarioRecord } | null = null;
  const improves = (validation: ScenarioRecord) => {
    const score = meanKindMae(validation);
    return Number.isFinite(score) && score < (best?.score ?? Infinity);
  };
  const pick = (k: ItemKind): KindPick | null =>
    best && { mae: best.validation[KIND_CELL[k]]?.mae ?? NaN, label: best.label, test: best.test };
  return {
    improves,
    consider(label, validation, test) {
      if (improves(validation)) best = { score: meanKindMae(validation), label, validation, test };
    },
    picks: () => ({ warmItems: pick('warmItems'), newItems: pick('newItems') }),
    reported() {
      const out: ReturnType<KindSelection['reported']> = {};
      for (const [s, metrics] of Object.entries(best?.test ?? {}) as [Scenario, ScenarioRecord[Scenario]][])
        if (metrics) out[s] = { metrics, label: best!.label };
      return out;
    },
  };
}

export const selectionFor = (rule: SelectionRule): KindSelection =>
  rule === 'per-kind'
    ? createKindSelection()
    : rule === 'single'
      ? createSingleSelection()
      : createLastSelection();

/** Whether a rule picks among checkpoints (every second epoch, both dropouts) or takes the last one. */
export const choosesCheckpoints = (rule: SelectionRule) => rule !== 'last-epoch';

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
      ...(c.trained ? { trained: c.trained } : {}),
      ...(c.fineTune ? { fineTune: c.fineTune } : {}),
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
