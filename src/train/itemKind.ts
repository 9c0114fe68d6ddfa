/**
 * The two kinds of query items a test scenario has, and a local rate per kind. Plain types and pure
 * functions over scenario names, so that events.ts (the stream every layer reads) and localRate.ts
 * (which evaluates engines) both import them without importing each other.
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
