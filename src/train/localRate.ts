/**
 * Choosing the local rate on validation users: the rate of the SGD steps that adapt a model to an
 * evaluated user's support set. The non-meta baseline always chooses its fine-tuning rate this way;
 * MeLU and MAMO (its rho) do with config chooseLocalRate. Both choose from the same grid, on the same
 * users, by the same score (mean MAE over the validation scenarios that have tasks), so neither is
 * favoured.
 */
import { SCENARIOS, type Scenario } from '../data/scenarios/types';
import type { ModelEngine } from './engine';
import { ratingRange, type ExperimentInput } from './epochs';
import { predictTaskSetAtFineTunings, scenarioMetrics } from './evaluate';
import type { ScenarioRecord } from './events';
import { FULL_FINE_TUNE, itemKindOf, type FineTune, type ItemKind, type LocalRates } from './adaptation';
import type { TaskPicker } from './sample';

// baselines.ts and tests import these from here
export {
  FINE_TUNE_GRID,
  FULL_FINE_TUNE,
  formatFineTune,
  formatRates,
  itemKindOf,
  type FineTune,
  type ItemKind,
  type LocalRates,
} from './adaptation';

/**
 * Rates tried (0: no adaptation). It brackets the rates validation picked on ML-1M and ML-100K (0.01
 * to 0.05); 0.1 made both models diverge on some seeds there (validation users only:
 * `npx tsx bench/rateSweep.ts <dataset> '<config json>'`, seeds 1-3, 2026-12-01).
 */
export const LOCAL_RATE_GRID: readonly number[] = [0, 1e-4, 1e-3, 3e-3, 1e-2, 2e-2, 3e-2, 5e-2];

/** The grid plus the model's own local rate, ascending, without repeats. */
export function candidateRates(configured: number): number[] {
  return [...new Set([...LOCAL_RATE_GRID, configured])].sort((a, b) => a - b);
}

/** Mean MAE over the scenarios of a record (Infinity when it has none). */
export function meanMae(record: ScenarioRecord): number {
  const maes = Object.values(record).map((m) => m!.mae);
  return maes.length ? maes.reduce((a, b) => a + b, 0) / maes.length : Infinity;
}

/**
 * The engine on the validation users at each rate, in order: mean MAE and the record per scenario
 * (empty when the split has no validation users). `tasksOf(scenario, count)` says which validation
 * tasks are evaluated (an evaluationSample role: sample.ts). Also what `bench/rateSweep.ts` prints.
 */
export async function validationAtRates(
  engine: ModelEngine,
  input: ExperimentInput,
  rates: readonly number[],
  tasksOf: TaskPicker,
  fineTune: FineTune = FULL_FINE_TUNE,
): Promise<{ lr: number; mae: number; record: ScenarioRecord }[]> {
  return (await validationAtFineTunings(engine, input, rates, tasksOf, [fineTune]))[0]!;
}

/**
 * validationAtRates for each of `fineTunes` (out[f]), every batch made and predicted before adaptation
 * once for all of them (predictTaskSetAtFineTunings): the non-meta network's checkpoint tries 8 rates
 * for each of its 8 fine-tunings. The numbers are validationAtRates' for each fine-tuning alone.
 */
export async function validationAtFineTunings(
  engine: ModelEngine,
  input: ExperimentInput,
  rates: readonly number[],
  tasksOf: TaskPicker,
  fineTunes: readonly FineTune[],
): Promise<{ lr: number; mae: number; record: ScenarioRecord }[][]> {
  const cells = SCENARIOS.filter((s) => input.split.validation[s].count > 0);
  if (!cells.length) return fineTunes.map(() => []);
  const ids = new Map(cells.map((s) => [s, tasksOf(s, input.split.validation[s].count)]));
  const range = ratingRange(input.split.train);
  const records: ScenarioRecord[][] = fineTunes.map(() => rates.map(() => ({})));
  // every rate and fine-tuning from the same batches: the engine shares what does not depend on them
  for (const scenario of cells) {
    const set = input.split.validation[scenario];
    const atRates = await predictTaskSetAtFineTunings(engine, set, ids.get(scenario)!, input.layout, {
      rates,
      range,
      fineTunes,
    });
    atRates.forEach((byRate, f) =>
      byRate.forEach((p, k) => (records[f]![k]![scenario] = scenarioMetrics(set, p))),
    );
  }
  return records.map((byRate) =>
    rates.map((lr, k) => ({ lr, mae: meanMae(byRate[k]!), record: byRate[k]! })),
  );
}

/**
 * The rate per item kind with the lowest mean validation MAE over that kind's validation cells (the
 * smaller rate on a tie: `swept` is in ascending rate order), with the validation record at the chosen
 * rates and its mean MAE; null when nothing was swept. Warm items are chosen on the validation warm
 * cells, new items on the item-cold ones: their best rates differ (on ML-1M validation, seed 1, MeLU:
 * 0.05 on warm items, 0.01 on new items; `npx tsx bench/rateSweep.ts`). A kind without validation
 * cells takes the other kind's rate. A rate that blew the adaptation up (MAE not finite) is never
 * chosen.
 */
export function pickRates(
  swept: readonly { lr: number; record: ScenarioRecord }[],
): { rates: LocalRates; mae: number; record: ScenarioRecord } | null {
  const best = (kind: ItemKind): { lr: number; record: ScenarioRecord } | null => {
    let out: { lr: number; mae: number; record: ScenarioRecord } | null = null;
    for (const r of swept) {
      const record: ScenarioRecord = {};
      for (const s of Object.keys(r.record) as Scenario[])
        if (itemKindOf(s) === kind) record[s] = r.record[s];
      const mae = meanMae(record);
      if (Number.isFinite(mae) && (!out || mae < out.mae)) out = { lr: r.lr, mae, record };
    }
    return out;
  };
  const warm = best('warmItems');
  const fresh = best('newItems');
  if (!warm && !fresh) return null;
  const rates: LocalRates = { warmItems: (warm ?? fresh)!.lr, newItems: (fresh ?? warm)!.lr };
  const record: ScenarioRecord = { ...warm?.record, ...fresh?.record };
  return { rates, mae: meanMae(record), record };
}

/** pickRates over the engine's validation sweep (validationAtRates); null without validation users. */
export async function chooseLocalRate(
  engine: ModelEngine,
  input: ExperimentInput,
  rates: readonly number[],
  tasksOf: TaskPicker,
  fineTune: FineTune = FULL_FINE_TUNE,
): Promise<{ rates: LocalRates; mae: number; record: ScenarioRecord } | null> {
  return pickRates(await validationAtRates(engine, input, rates, tasksOf, fineTune));
}

/** chooseLocalRate for each of `fineTunes` (out[f]), from one sweep (validationAtFineTunings). */
export async function chooseLocalRates(
  engine: ModelEngine,
  input: ExperimentInput,
  rates: readonly number[],
  tasksOf: TaskPicker,
  fineTunes: readonly FineTune[],
): Promise<({ rates: LocalRates; mae: number; record: ScenarioRecord } | null)[]> {
  return (await validationAtFineTunings(engine, input, rates, tasksOf, fineTunes)).map(pickRates);
}
