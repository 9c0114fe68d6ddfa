// One seed of one tuned model under PER-ITEM-KIND selection, the protocol of `npm run results`
// (docs/findings.md, sections 1 and 3, say why). The tuned model of docs/tuning/ and the non-meta
// baseline's network get the same choices: feature dropout (the model's or none) and the epoch (every
// second one up to the budget, pre-training included). The VALIDATION users choose them separately
// for each item kind (src/train/kindSelection.ts). The checkpoint best on the validation warm cells
// gives the test scenarios with warm query items (warm, new user); the best on the validation
// item-cold cells gives those with new items (new item, new user & item). Local rates are chosen on
// validation at every checkpoint. The test scenarios of a checkpoint are evaluated along the way,
// and only the validation decides which of those numbers is reported: no test number chooses anything.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CONFIG, type TrainConfig } from '../src/config/experiment';
import type { Dataset } from '../src/data/dataset';
import { SCENARIOS, type Scenario } from '../src/data/scenarios/types';
import { initBackend } from '../src/kernels/backend';
import { beforeAsBaseline, constantBaselines, testTaskIds } from '../src/train/baselines';
import { ratingRange } from '../src/train/epochs';
import { predictTaskSet, scenarioMetrics } from '../src/train/evaluate';
import type { BaselineName, ScenarioRecord } from '../src/train/events';
import { createKindSelection, type KindSelection } from '../src/train/kindSelection';
import { itemKindOf, type ItemKind, type LocalRates } from '../src/train/localRate';
import { attentionSummary, DATASETS, experimentInput, nonMetaCheckpoints, runHeadless } from './experiment';
import type { TuningResult } from './tune';

/** A checkpoint a kind picked: what it was, its validation MAE on the kind's cell, its local rate there. */
export interface PickInfo {
  readonly featureDropout: number;
  /** epochs trained, supervised pre-training included */
  readonly epoch: number;
  readonly localRate: number;
  readonly validationMae: number;
}

/** MAMO: how its memory attention discriminates users at a picked checkpoint (bench/experiment.ts). */
export type AttentionInfo = ReturnType<typeof attentionSummary> & { readonly k: number };

/** One seed's outcome: plain numbers, what docs/results-runs/<dataset>-<model>.json stores. */
export interface PerKindSeed {
  readonly seed: number;
  readonly parameters: number;
  readonly seconds: number;
  /** test scenarios, each from its item kind's pick: the model after local adaptation */
  readonly model: ScenarioRecord;
  /** the same test users: global mean, support mean, the model's picks before adaptation, non-meta */
  readonly baselines: Partial<Record<BaselineName, ScenarioRecord>>;
  readonly picks: {
    readonly model: Partial<Record<ItemKind, PickInfo>>;
    readonly nonMeta: Partial<Record<ItemKind, PickInfo>>;
  };
  /** MAMO: attention at each kind's pick */
  readonly attention?: Partial<Record<ItemKind, AttentionInfo>>;
}

/** Checkpoint labels are JSON of this, so a pick can be read back without a side table. */
interface Checkpoint {
  featureDropout: number;
  epoch: number;
  rates: LocalRates;
  attention?: AttentionInfo;
}

function pickInfos(selection: KindSelection): Partial<Record<ItemKind, PickInfo>> {
  const out: Partial<Record<ItemKind, PickInfo>> = {};
  for (const [kind, pick] of Object.entries(selection.picks()) as [
    ItemKind,
    ReturnType<KindSelection['picks']>[ItemKind],
  ][]) {
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
function reportedRecord(selection: KindSelection): ScenarioRecord {
  const out: ScenarioRecord = {};
  for (const [s, r] of Object.entries(selection.reported()) as [
    Scenario,
    { metrics: ScenarioRecord[Scenario] },
  ][])
    out[s] = r.metrics;
  return out;
}

/** The run config of one seed of the protocol: checkpoints every second epoch, local rates chosen. */
export function seedConfig(base: TrainConfig, seed: number, budget: number): TrainConfig {
  const config: TrainConfig = {
    ...base,
    seed,
    backend: 'wasm',
    baselines: false,
    evalEvery: 2,
    chooseLocalRate: true,
    epochs: budget - base.pretrainEpochs,
  };
  if (config.epochs < 1) throw new Error(`budget ${budget} leaves no meta-training epoch after pre-training`);
  return config;
}

/**
 * Trains and selects one seed: the model at each dropout for `budget` epochs (pre-training included)
 * evaluated every second epoch, then the non-meta network at each dropout the same way.
 * `base` is the tuned config with protocol set; `log` gets one line per finished variant.
 */
export async function perKindSeed(
  dataset: Dataset,
  base: TrainConfig,
  seed: number,
  budget: number,
  log: (line: string) => void = () => {},
): Promise<PerKindSeed> {
  const t0 = performance.now();
  const config = seedConfig(base, seed, budget);
  const dropouts = [...new Set([base.featureDropout, 0])];
  const backend = await initBackend('wasm');

  const model = createKindSelection();
  let parameters = 0;
  for (const featureDropout of dropouts) {
    const outcome = await runHeadless(dataset, { ...config, featureDropout }, false);
    parameters = outcome.summary.parameters;
    for (const e of outcome.evaluations) {
      if (e.epoch === 0 || !e.localRate) continue;
      const checkpoint: Checkpoint = {
        featureDropout,
        epoch: e.epoch + base.pretrainEpochs,
        rates: e.localRate,
        ...(e.memory ? { attention: { ...attentionSummary(e.memory), k: e.memory.k } } : {}),
      };
      model.consider(JSON.stringify(checkpoint), e.validation, e.test);
    }
    log(`seed ${seed}: ${base.model} dropout ${featureDropout}: ${outcome.seconds.toFixed(0)} s`);
  }

  // the split and layout depend on the protocol and seed only, not on dropout or epochs: prepared once
  const prepared = experimentInput(dataset, config, backend);
  const nonMeta = await nonMetaSelection(prepared, config, seed, budget, dropouts, log);

  const modelRecord = reportedRecord(model);
  const attention: Partial<Record<ItemKind, AttentionInfo>> = {};
  for (const [kind, pick] of Object.entries(model.picks()) as [
    ItemKind,
    ReturnType<KindSelection['picks']>[ItemKind],
  ][]) {
    const a = pick ? (JSON.parse(pick.label) as Checkpoint).attention : undefined;
    if (a) attention[kind] = a;
  }
  return {
    seed,
    parameters,
    seconds: (performance.now() - t0) / 1000,
    model: modelRecord,
    baselines: {
      ...constantBaselines(prepared),
      noAdaptation: beforeAsBaseline(modelRecord),
      nonMeta: reportedRecord(nonMeta),
    },
    picks: { model: pickInfos(model), nonMeta: pickInfos(nonMeta) },
    ...(Object.keys(attention).length ? { attention } : {}),
  };
}

/**
 * The non-meta network's half of a seed: trained at each of `dropouts` for `budget` epochs and
 * checkpointed like the model; the test scenarios are evaluated only at checkpoints that become a
 * pick. `config` is the seed's run config (perKindSeed), `prepared` its experiment input.
 */
export async function nonMetaSelection(
  prepared: ReturnType<typeof experimentInput>,
  config: TrainConfig,
  seed: number,
  budget: number,
  dropouts: readonly number[],
  log: (line: string) => void = () => {},
): Promise<KindSelection> {
  const nonMeta = createKindSelection();
  const range = ratingRange(prepared.split.train);
  for (const featureDropout of dropouts) {
    const t1 = performance.now();
    const input = { ...prepared, config: { ...config, featureDropout, epochs: budget } };
    await nonMetaCheckpoints(input, async (engine, epoch, rates, validation) => {
      // only a checkpoint that becomes a pick needs its test scenarios
      if (!nonMeta.improves(validation)) return;
      const test: ScenarioRecord = {};
      for (const s of SCENARIOS) {
        const set = input.split.test[s];
        if (set.count === 0) continue;
        const ids = testTaskIds(seed, config.evalUsers, set.count, s);
        const p = await predictTaskSet(engine, set, ids, input.layout, {
          innerLr: rates[itemKindOf(s)],
          range,
        });
        test[s] = scenarioMetrics(set, p);
      }
      nonMeta.consider(
        JSON.stringify({ featureDropout, epoch, rates } satisfies Checkpoint),
        validation,
        test,
      );
    });
    log(
      `seed ${seed}: non-meta dropout ${featureDropout}: ${((performance.now() - t1) / 1000).toFixed(0)} s`,
    );
  }
  return nonMeta;
}

/**
 * A dataset's protocol spec and the tuned config of `docs/tuning/<name>-<model>.json` with that
 * protocol: the starting point of bench/perKind.ts and bench/nonMetaBudget.ts.
 */
export function tunedBase(
  name: string,
  model: string,
): { spec: (typeof DATASETS)[string]; base: TrainConfig } {
  const spec = DATASETS[name];
  if (!spec) throw new Error(`Unknown dataset ${name}; expected one of ${Object.keys(DATASETS).join(', ')}`);
  const tuning = JSON.parse(
    readFileSync(join(import.meta.dirname, '..', 'docs', 'tuning', `${name}-${model}.json`), 'utf8'),
  ) as TuningResult;
  return { spec, base: { ...DEFAULT_CONFIG, ...tuning.chosen, protocol: spec.protocol } };
}
