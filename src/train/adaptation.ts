/**
 * How a network adapts to an evaluated user's support set, as plain data: the two kinds of query items
 * a test scenario has and a local rate per kind, and how the non-meta baseline fine-tunes. Types and
 * pure functions only, so that events.ts (the stream every layer reads), evaluate.ts, engine.ts and
 * localRate.ts (which evaluates engines) all import them without importing each other.
 */
import type { Scenario } from '../data/scenarios/types';

/** Which local rate a scenario's users are adapted with: the one for warm query items or for new ones. */
export type ItemKind = 'warmItems' | 'newItems';

/** A local rate per item kind (the same number twice when the split had one kind of validation cell). */
export interface LocalRates {
  readonly warmItems: number;
  readonly newItems: number;
}

/**
 * warm and user_cold query warm items; item_cold and user_item_cold query new ones. Whether a query
 * item is new is known when predicting, so choosing the rate per kind uses nothing of the test labels.
 */
export function itemKindOf(scenario: Scenario): ItemKind {
  return scenario === 'item_cold' || scenario === 'user_item_cold' ? 'newItems' : 'warmItems';
}

/** "0.02" when both kinds share a rate, else "0.02 / 0.01" (warm items / new items). */
export function formatRates(rates: LocalRates): string {
  return rates.warmItems === rates.newItems ? `${rates.warmItems}` : `${rates.warmItems} / ${rates.newItems}`;
}

/**
 * How the non-meta baseline fine-tunes on a support set besides its rate (chosen on validation users
 * with it, computeBaselines): every decision layer (MeLU's local keys) or the last layer only (w3, b3),
 * and each task's local gradient clipped to global norm <= clip before every step (0: off), with `steps`
 * SGD steps (absent: the config's innerSteps). Models always fine-tune as `FULL_FINE_TUNE`.
 */
export interface FineTune {
  readonly layers: 'all' | 'last';
  readonly clip: number;
  readonly steps?: number;
}
export const FULL_FINE_TUNE: FineTune = { layers: 'all', clip: 0 };
/** The non-meta baseline's choices, in preference order on ties (the plain fine-tuning first). */
export const FINE_TUNE_GRID: readonly FineTune[] = [
  FULL_FINE_TUNE,
  { layers: 'all', clip: 1 },
  { layers: 'last', clip: 0 },
  { layers: 'last', clip: 1 },
];

/**
 * The non-meta network's evaluation-time choices of results protocol v1 (docs/protocol.md, section 4):
 * FINE_TUNE_GRID x local steps {1, 5}.
 */
export const FINE_TUNE_GRID_V1: readonly FineTune[] = [1, 5].flatMap((steps) =>
  FINE_TUNE_GRID.map((f) => ({ ...f, steps })),
);

/** "all layers", "last layer, clip 1", "last layer, 5 steps". */
export function formatFineTune(f: FineTune): string {
  const steps = f.steps !== undefined ? `, ${f.steps} step${f.steps === 1 ? '' : 's'}` : '';
  return `${f.layers === 'all' ? 'all layers' : 'last layer'}${f.clip > 0 ? `, clip ${f.clip}` : ''}${steps}`;
}
