/**
 * The baselines of every results table, on the test scenarios: global mean, the user's support mean,
 * the bias model (biasBaseline.ts: global mean + item bias + the user's support residual, its
 * shrinkage chosen on validation), and the non-meta model (the MeLU network trained without meta-learning, fine-tuned per support set).
 * "No adaptation" comes from the model's own evaluation (beforeAsBaseline).
 */
import { SCENARIOS, type Scenario } from '../data/scenarios/types';
import type { Rng } from '../lib/rng';
import { constantMetrics, predictTaskSet, scenarioMetrics, supportMean } from './evaluate';
import { chooseBiasModel, biasMetrics, type BiasLambdas } from './biasBaseline';
import {
  candidateRates,
  chooseLocalRates,
  FINE_TUNE_GRID,
  FULL_FINE_TUNE,
  itemKindOf,
  type FineTune,
  type LocalRates,
} from './localRate';
import type { BaselineName, ScenarioRecord } from './events';
import type { ModelEngine } from './engine';
import { evaluationSample } from './sample';
import { userErrorsOf } from './userErrors';
import {
  createEngine,
  meanTrainingRating,
  ratingRange,
  trainEpochs,
  type ExperimentInput,
  type RunControl,
} from './epochs';

/** The model's metrics before local adaptation, as a baseline row. */
export function beforeAsBaseline(test: ScenarioRecord): ScenarioRecord {
  const out: ScenarioRecord = {};
  for (const s of Object.keys(test) as Scenario[]) {
    const m = test[s]!;
    out[s] = { ...m, mae: m.maeBefore, rmse: m.rmseBefore, ndcg3: m.ndcg3Before, loss: m.lossBefore };
  }
  return out;
}

/**
 * The seeded samples the non-meta baseline is evaluated on: its validation cells (where its rates,
 * dropout and epochs are chosen) and the test scenarios (the same sample as the model's own evaluation
 * in run.ts evaluateAll, so both are measured on the same users). bench/perKind.ts uses both too.
 */
export const nonMetaValidationRng = (seed: number) => (scenario: Scenario) =>
  evaluationSample(seed, 0).rng('nonMetaValidation', scenario);
export const testTaskIds = (seed: number, limit: number, count: number, scenario: Scenario): Int32Array =>
  evaluationSample(seed, limit).tasks('test', scenario, count);

/**
 * The baselines without a network, on the same test sample as the model's evaluation, per scenario
 * with tasks: the global mean rating of the training data; each test user's support mean (the global
 * mean when the support is empty); the bias model (biasBaseline.ts), whose λ_i, λ_u the validation
 * users choose (`biasLambdas`).
 */
export function constantBaselinesWithChoice(input: ExperimentInput): {
  records: { globalMean: ScenarioRecord; supportMean: ScenarioRecord; bias: ScenarioRecord };
  biasLambdas: BiasLambdas;
} {
  const global = meanTrainingRating(input.split.train);
  const range = ratingRange(input.split.train);
  const bias = chooseBiasModel(input.split, input.layout, range).model;
  const out = {
    globalMean: {} as ScenarioRecord,
    supportMean: {} as ScenarioRecord,
    bias: {} as ScenarioRecord,
  };
  for (const scenario of SCENARIOS) {
    const set = input.split.test[scenario];
    if (set.count === 0) continue;
    const ids = testTaskIds(input.config.seed, input.config.evalUsers, set.count, scenario);
    out.globalMean[scenario] = constantMetrics(set, ids, () => global);
    out.supportMean[scenario] = constantMetrics(set, ids, (t) => supportMean(set, t, global));
    out.bias[scenario] = biasMetrics(bias, set, ids, range);
  }
  return { records: out, biasLambdas: bias.lambdas };
}

/** constantBaselinesWithChoice's metrics only: global mean, support mean, bias. */
export function constantBaselines(input: ExperimentInput): {
  globalMean: ScenarioRecord;
  supportMean: ScenarioRecord;
  bias: ScenarioRecord;
} {
  return constantBaselinesWithChoice(input).records;
}

/** Every second epoch and the last: where the non-meta model's validation is measured. */
export function checkpointEpochs(epochs: number): number[] {
  const out: number[] = [];
  for (let e = 2; e < epochs; e += 2) out.push(e);
  if (epochs > 0) out.push(epochs);
  return out;
}

/**
 * Global mean, support mean, bias and the non-meta model, on the test scenarios. The non-meta model is the
 * same network trained on every warm rating (plain supervised MSE) with the model's meta rate and
 * weight decay, for at most `nonMetaMaxEpochs` epochs (0: as many as the model, pre-training included), then fine-tuned with
 * `innerSteps` SGD steps on each support set. What it is given to choose on the VALIDATION users (mean
 * MAE over their scenarios), like the model's own tuning: its number of training epochs (every second
 * epoch and the last, as the tuning evaluates the model), its fine-tuning rates (one for warm query
 * items, one for new ones) among LOCAL_RATE_GRID and the model's local rate (localRate.ts; a rate meant
 * for a meta-learned initialisation can wreck a supervised one), whether it trains with the model's
 * feature dropout or without, and how it fine-tunes (FINE_TUNE_GRID: every decision layer or the last
 * one only, each user's local gradient clipped to norm 1 or not; ties keep the plain fine-tuning). A baseline crippled by the model's settings would flatter the model.
 * The chosen (dropout, epochs) is trained again from the same seed (the same numbers: every epoch
 * draws its batches from its own fork of the seed) and evaluated on the test scenarios.
 */
export async function computeBaselines(
  input: ExperimentInput,
  rng: Rng,
  control: RunControl,
  /** Progress in epochs of the non-meta network (each variant's, then a retraining when one is needed). */
  onProgress: (done: number, total: number) => void = () => {},
): Promise<{
  metrics: Partial<Record<BaselineName, ScenarioRecord>>;
  nonMetaLr: LocalRates;
  nonMetaDropout: number;
  nonMetaEpochs: number;
  nonMetaFineTune: FineTune;
  validation: ScenarioRecord;
  biasLambdas: BiasLambdas;
  /** The non-meta model's per-user errors on the test sample (userErrors.ts), per scenario. */
  nonMetaErrors: Partial<Record<Scenario, ReturnType<typeof userErrorsOf>>>;
}> {
  const nonMetaErrors: Partial<Record<Scenario, ReturnType<typeof userErrorsOf>>> = {};
  const out: Partial<Record<BaselineName, ScenarioRecord>> = {};
  const budget =
    input.config.nonMetaMaxEpochs > 0
      ? input.config.nonMetaMaxEpochs
      : input.config.epochs + input.config.pretrainEpochs;
  const checkpoints = new Set(checkpointEpochs(budget));
  const rates = candidateRates(input.config.innerLr);
  const configured: LocalRates = { warmItems: input.config.innerLr, newItems: input.config.innerLr };
  const variantOf = (dropout: number): ExperimentInput => ({
    ...input,
    config: { ...input.config, featureDropout: dropout },
  });
  const variants = [...new Set([input.config.featureDropout, 0])];
  let done = 0;
  let total = variants.length * budget;
  onProgress(done, total);
  const train = async (
    variant: ExperimentInput,
    epochs: number,
    atEpoch: (engine: ModelEngine, epoch: number) => Promise<void>,
  ) => {
    const engine = createEngine(variant, rng.fork('nonMeta'), true);
    try {
      await trainEpochs(
        engine,
        variant,
        control,
        rng.fork('nonMetaBatches'),
        null,
        async (record) => {
          await atEpoch(engine, record.epoch);
          onProgress(++done, total);
        },
        { epochs, supervised: true },
      );
      return engine;
    } catch (error) {
      engine.dispose();
      throw error;
    }
  };
  // without validation users: the first variant, all epochs, at the model's local rate
  let best = {
    dropout: input.config.featureDropout,
    epochs: budget,
    lr: configured,
    fineTune: FULL_FINE_TUNE,
    mae: Infinity,
    record: {} as ScenarioRecord,
  };
  // the engine behind `best` when that is a variant's last epoch: no retraining needed for it
  let kept: ModelEngine | null = null;
  try {
    for (const dropout of variants) {
      const variant = variantOf(dropout);
      const engine = await train(variant, budget, async (engine, epoch) => {
        if (!checkpoints.has(epoch)) return;
        // every fine-tuning's rates from one sweep of the validation batches (localRate.ts)
        const sample = evaluationSample(input.config.seed, input.config.evalUsers).picker(
          'nonMetaValidation',
        );
        const choices = await chooseLocalRates(engine, input, rates, sample, FINE_TUNE_GRID);
        for (const [f, chosen] of choices.entries()) {
          const fineTune = FINE_TUNE_GRID[f]!;
          if (chosen && chosen.mae < best.mae)
            best = {
              dropout,
              epochs: epoch,
              lr: chosen.rates,
              fineTune,
              mae: chosen.mae,
              record: chosen.record,
            };
        }
      });
      // best.dropout === dropout: this variant set the best (variants differ in dropout)
      const fromHere = best.dropout === dropout;
      if (fromHere) kept?.dispose();
      if (fromHere && best.epochs === budget) kept = engine;
      else {
        engine.dispose();
        if (fromHere) kept = null;
      }
    }
  } catch (error) {
    kept?.dispose();
    throw error;
  }
  // the test scenarios need the chosen network; tuning (validationOnly) needs only its validation
  if (!kept && !control.validationOnly) onProgress(done, (total += best.epochs));
  const nonMeta =
    kept ??
    (control.validationOnly ? null : await train(variantOf(best.dropout), best.epochs, async () => {}));
  try {
    // the bias model's λs come from validation only: tuning records them without touching the test
    const constant = nonMeta ? constantBaselinesWithChoice(input) : null;
    const biasLambdas =
      constant?.biasLambdas ??
      chooseBiasModel(input.split, input.layout, ratingRange(input.split.train)).model.lambdas;
    if (constant) Object.assign(out, constant.records, { nonMeta: {} });
    for (const scenario of SCENARIOS) {
      const set = input.split.test[scenario];
      if (set.count === 0 || !nonMeta) continue;
      // the same sample as the model's own evaluation (evaluateAll): same seed, same labels
      const ids = testTaskIds(input.config.seed, input.config.evalUsers, set.count, scenario);
      const p = await predictTaskSet(nonMeta, set, ids, input.layout, {
        innerLr: best.lr[itemKindOf(scenario)],
        range: ratingRange(input.split.train),
        fineTune: best.fineTune,
      });
      out.nonMeta![scenario] = scenarioMetrics(set, p);
      nonMetaErrors[scenario] = userErrorsOf(set, p.taskIds, p.after);
    }
    return {
      metrics: out,
      nonMetaLr: best.lr,
      nonMetaDropout: best.dropout,
      nonMetaEpochs: best.epochs,
      nonMetaFineTune: best.fineTune,
      validation: best.record,
      biasLambdas,
      nonMetaErrors,
    };
  } finally {
    nonMeta?.dispose();
  }
}
