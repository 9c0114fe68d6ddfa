// One job of the results protocol: one dataset, one variant, one seed (docs/findings.md, sections 1 and
// 3, say why per-item-kind selection). The variant's model and the non-meta baseline's network get the
// same choices: feature dropout (the model's or none) and the epoch (every second one up to the budget,
// pre-training included). The VALIDATION users choose them (selection.ts): per item kind, the
// checkpoint best on the validation warm cells gives the test scenarios with warm query items (warm,
// new user) and the best on the item-cold cells gives those with new items (new item, new user & item);
// or, with 'last-epoch', the last checkpoint of the model's own dropout. Local rates are chosen on
// validation at every checkpoint (the model's with chooseLocalRate). The test scenarios of a checkpoint
// are evaluated along the way (errors per test user kept, userErrors.ts), and only the validation
// decides which of those numbers is reported: no test number chooses anything.
import type { TrainConfig } from '../config/experiment';
import type { Dataset } from '../data/dataset';
import { SCENARIOS, type Scenario } from '../data/scenarios/types';
import { beforeAsBaseline, constantBaselines } from '../train/baselines';
import { constantErrors } from '../train/baselineErrors';
import { ratingRange } from '../train/epochs';
import { predictTaskSet, scenarioMetrics } from '../train/evaluate';
import { BASELINES, type BaselineName, type ScenarioRecord } from '../train/events';
import {
  FINE_TUNE_GRID_V1,
  FULL_FINE_TUNE,
  itemKindOf,
  type FineTune,
  type ItemKind,
} from '../train/adaptation';
import type { KindSelection } from '../train/kindSelection';
import { evaluationSample } from '../train/sample';
import { attentionSummary, type AttentionInfo } from './attention';
import { experimentInput, nonMetaCheckpoints, runHeadless, type Backend } from './headless';
import {
  choosesCheckpoints,
  pickInfos,
  reportedLabels,
  reportedRecord,
  selectionFor,
  type Checkpoint,
  type PickInfo,
  type SelectionRule,
} from './selection';
import { addPredictor, checkErrors, userErrorsOf, type SeedErrors } from './userErrors';

export type { PickInfo } from './selection';

/** One seed's outcome: plain numbers, what a part file stores. */
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
  /** per test scenario and predictor, each test user's n, Σ|e|, Σe² (absent in parts stored before) */
  readonly errors?: SeedErrors;
  /**
   * The model's trainings that diverged: "dropout d: <the guard's message>"; the picks are among the
   * checkpoints evaluated before (docs/protocol.md, section 12). Absent when none did.
   */
  readonly diverged?: readonly string[];
}

/** What a variant decides beyond its config. */
export interface JobOptions {
  readonly selection: SelectionRule;
  /** the model's evaluation local rates chosen on validation (the non-meta baseline's always are) */
  readonly chooseLocalRate: boolean;
  /** which baseline rows to compute (nonMeta trains a network; the others are cheap) */
  readonly baselines: readonly BaselineName[];
  /** 'non-meta': the job's row is the non-meta network (no model is trained); default 'model' */
  readonly role?: 'model' | 'non-meta';
  /** what the non-meta network trains: 'model' (default; the model's dropout and none) or 'v1' */
  readonly nonMetaGrid?: 'model' | 'v1';
}

/** The protocol of `npm run results`: per-kind checkpoints, local rates chosen, every baseline. */
export const RESULTS_OPTIONS: JobOptions = {
  selection: 'per-kind',
  chooseLocalRate: true,
  baselines: BASELINES,
};

/** The run config of one seed: checkpoints every second epoch (per-kind) or only the last. */
export function seedConfig(
  base: TrainConfig,
  seed: number,
  budget: number,
  options: Pick<JobOptions, 'selection' | 'chooseLocalRate'> = RESULTS_OPTIONS,
): TrainConfig {
  const epochs = budget - base.pretrainEpochs;
  if (epochs < 1) throw new Error(`budget ${budget} leaves no meta-training epoch after pre-training`);
  return {
    ...base,
    seed,
    backend: 'wasm',
    baselines: false,
    evalEvery: choosesCheckpoints(options.selection) ? 2 : epochs,
    chooseLocalRate: options.chooseLocalRate,
    epochs,
  };
}

/** Per checkpoint label: each test scenario's per-user errors (after and before adaptation). */
type ErrorsByLabel = Map<string, Partial<Record<Scenario, { after: UserRows; before: UserRows }>>>;
type UserRows = ReturnType<typeof userErrorsOf>;

/** Copies the reported checkpoints' per-user errors into `errors` under the predictors' names. */
function keepReported(
  errors: SeedErrors,
  selection: KindSelection,
  byLabel: ErrorsByLabel,
  after: 'model' | 'nonMeta',
  before?: 'noAdaptation',
): void {
  for (const [s, label] of Object.entries(reportedLabels(selection)) as [Scenario, string][]) {
    const rows = byLabel.get(label)?.[s];
    if (!rows) continue;
    addPredictor(errors, s, after, rows.after);
    if (before) addPredictor(errors, s, before, rows.before);
  }
}

/**
 * Trains and selects one seed: the model at each dropout for `budget` epochs (pre-training included),
 * evaluated at its checkpoints, then the non-meta network at each dropout the same way (when asked).
 * `base` is the variant's config with the dataset's protocol set; `log` gets one line per variant.
 */
export async function runJob(
  dataset: Dataset,
  base: TrainConfig,
  seed: number,
  budget: number,
  backend: Backend,
  options: JobOptions = RESULTS_OPTIONS,
  log: (line: string) => void = () => {},
): Promise<PerKindSeed> {
  const t0 = performance.now();
  const config = seedConfig(base, seed, budget, options);
  const dropouts = choosesCheckpoints(options.selection)
    ? [...new Set([base.featureDropout, 0])]
    : [base.featureDropout];
  const configured = { warmItems: config.innerLr, newItems: config.innerLr };

  // the split and layout depend on the protocol and seed only, not on dropout or epochs: prepared once.
  // The rows without a network first: cheap, and a disagreement of their per-user errors with their
  // metrics shows before hours of training
  const prepared = experimentInput(dataset, config, backend);
  const wants = (b: BaselineName) => options.baselines.includes(b);
  const errors: SeedErrors = {};
  const constants =
    wants('globalMean') || wants('supportMean') || wants('bias') ? constantBaselines(prepared) : null;
  if (constants) {
    constantErrors(prepared, errors, wants);
    checkErrors(errors, { model: {}, ...constants });
  }

  const model = selectionFor(options.selection);
  const modelErrors: ErrorsByLabel = new Map();
  let parameters = 0;
  // a non-meta row trains no model: its network takes the model's place below
  const trainsModel = options.role !== 'non-meta';
  const diverged: string[] = [];
  for (const featureDropout of trainsModel ? dropouts : []) {
    const atEpoch = new Map<number, Partial<Record<Scenario, { after: UserRows; before: UserRows }>>>();
    const outcome = await runHeadless(
      dataset,
      { ...config, featureDropout },
      false,
      backend,
      (e, s, set, p) => {
        const rows = atEpoch.get(e) ?? {};
        rows[s] = {
          after: userErrorsOf(set, p.taskIds, p.after),
          before: userErrorsOf(set, p.taskIds, p.before),
        };
        atEpoch.set(e, rows);
      },
      true,
    );
    if (outcome.diverged) {
      diverged.push(`dropout ${featureDropout}: ${outcome.diverged}`);
      log(`seed ${seed}: ${base.model} dropout ${featureDropout} diverged: ${outcome.diverged}`);
    }
    parameters = outcome.summary.parameters;
    for (const e of outcome.evaluations) {
      if (e.epoch === 0 || (options.chooseLocalRate && !e.localRate)) continue;
      const checkpoint: Checkpoint = {
        featureDropout,
        epoch: e.epoch + base.pretrainEpochs,
        rates: e.localRate ?? configured,
        ...(e.memory ? { attention: { ...attentionSummary(e.memory), k: e.memory.k } } : {}),
      };
      const label = JSON.stringify(checkpoint);
      model.consider(label, e.validation, e.test);
      const rows = atEpoch.get(e.epoch);
      if (rows) modelErrors.set(label, rows);
    }
    log(`seed ${seed}: ${base.model} dropout ${featureDropout}: ${outcome.seconds.toFixed(0)} s`);
  }
  if (diverged.length && !Object.values(model.picks()).some(Boolean))
    throw Object.assign(
      new Error(`No checkpoint was evaluated before training diverged: ${diverged.join('; ')}`),
      {
        code: 'diverged',
      },
    );

  const plan = nonMetaPlan(options.nonMetaGrid, dropouts);
  const nonMeta =
    wants('nonMeta') || !trainsModel
      ? await nonMetaSelection(
          prepared,
          config,
          seed,
          budget,
          plan.trained,
          log,
          options.selection,
          plan.fineTunes,
        )
      : null;

  if (!trainsModel) {
    const row = nonMeta!;
    const record = reportedRecord(row.selection);
    keepReported(errors, row.selection, row.errors, 'model');
    const baselines: Partial<Record<BaselineName, ScenarioRecord>> = {
      ...(constants && wants('globalMean') ? { globalMean: constants.globalMean } : {}),
      ...(constants && wants('supportMean') ? { supportMean: constants.supportMean } : {}),
      ...(constants && wants('bias') ? { bias: constants.bias } : {}),
    };
    checkErrors(errors, { model: record, ...baselines });
    return {
      seed,
      parameters,
      seconds: (performance.now() - t0) / 1000,
      model: record,
      baselines,
      picks: { model: pickInfos(row.selection), nonMeta: {} },
      errors,
    };
  }
  const modelRecord = reportedRecord(model);
  keepReported(errors, model, modelErrors, 'model', wants('noAdaptation') ? 'noAdaptation' : undefined);
  if (nonMeta) keepReported(errors, nonMeta.selection, nonMeta.errors, 'nonMeta');

  const attention: Partial<Record<ItemKind, AttentionInfo>> = {};
  for (const [kind, pick] of Object.entries(model.picks()) as [
    ItemKind,
    ReturnType<KindSelection['picks']>[ItemKind],
  ][]) {
    const a = pick ? (JSON.parse(pick.label) as Checkpoint).attention : undefined;
    if (a) attention[kind] = a;
  }
  const baselines: Partial<Record<BaselineName, ScenarioRecord>> = {
    ...(constants && wants('globalMean') ? { globalMean: constants.globalMean } : {}),
    ...(constants && wants('supportMean') ? { supportMean: constants.supportMean } : {}),
    ...(constants && wants('bias') ? { bias: constants.bias } : {}),
    ...(wants('noAdaptation') ? { noAdaptation: beforeAsBaseline(modelRecord) } : {}),
    ...(nonMeta ? { nonMeta: reportedRecord(nonMeta.selection) } : {}),
  };
  checkErrors(errors, { model: modelRecord, ...baselines });
  return {
    seed,
    parameters,
    seconds: (performance.now() - t0) / 1000,
    model: modelRecord,
    baselines,
    picks: { model: pickInfos(model), nonMeta: nonMeta ? pickInfos(nonMeta.selection) : {} },
    ...(Object.keys(attention).length ? { attention } : {}),
    errors,
    ...(diverged.length ? { diverged } : {}),
  };
}

/**
 * The non-meta network's trained configurations of results protocol v1 (docs/protocol.md, section 4):
 * feature dropout {0, 0.3} x Adam rate {3e-4, 1e-3, 3e-3} x weight decay {0, 3}, each over the
 * variant's network; at evaluation FINE_TUNE_GRID_V1 (layers x clip x steps {1, 5}).
 */
export const NON_META_GRID_V1: readonly Partial<TrainConfig>[] = [0, 0.3].flatMap((featureDropout) =>
  [3e-4, 1e-3, 3e-3].flatMap((outerLr) =>
    [0, 3].map((weightDecay) => ({ featureDropout, outerLr, weightDecay })),
  ),
);

/** What the non-meta network trains and how it may fine-tune, for a grid name of a variant. */
export function nonMetaPlan(
  grid: 'model' | 'v1' | undefined,
  dropouts: readonly number[],
): { trained: readonly Partial<TrainConfig>[]; fineTunes: readonly FineTune[] } {
  return grid === 'v1'
    ? { trained: NON_META_GRID_V1, fineTunes: FINE_TUNE_GRID_V1 }
    : { trained: dropouts.map((featureDropout) => ({ featureDropout })), fineTunes: [FULL_FINE_TUNE] };
}

/**
 * The non-meta network's half of a seed: trained with each of `trained` (settings over `config`) for
 * `budget` epochs and checkpointed like the model (each fine-tuning of `fineTunes` a checkpoint of its
 * own); the test scenarios are evaluated only at checkpoints that become a pick. `config` is the
 * seed's run config (seedConfig), `prepared` its experiment input.
 */
export async function nonMetaSelection(
  prepared: ReturnType<typeof experimentInput>,
  config: TrainConfig,
  seed: number,
  budget: number,
  trained: readonly Partial<TrainConfig>[],
  log: (line: string) => void = () => {},
  rule: SelectionRule = 'per-kind',
  fineTunes: readonly FineTune[] = [FULL_FINE_TUNE],
): Promise<{ selection: KindSelection; errors: ErrorsByLabel }> {
  const nonMeta = selectionFor(rule);
  const errors: ErrorsByLabel = new Map();
  const range = ratingRange(prepared.split.train);
  const sample = evaluationSample(seed, config.evalUsers);
  // the plain grid keeps its old labels (dropout, epoch, rates) so stored picks read the same
  const plain = fineTunes.length === 1 && trained.every((t) => Object.keys(t).join() === 'featureDropout');
  for (const settings of trained) {
    const t1 = performance.now();
    const featureDropout = settings.featureDropout ?? config.featureDropout;
    const input = { ...prepared, config: { ...config, ...settings, featureDropout, epochs: budget } };
    const at = choosesCheckpoints(rule) ? (e: number) => e % 2 === 0 : (e: number) => e === budget;
    await nonMetaCheckpoints(
      input,
      async (engine, epoch, rates, validation, fineTune) => {
        // only a checkpoint that becomes a pick needs its test scenarios
        if (!nonMeta.improves(validation)) return;
        const test: ScenarioRecord = {};
        const rows: Partial<Record<Scenario, { after: UserRows; before: UserRows }>> = {};
        for (const s of SCENARIOS) {
          const set = input.split.test[s];
          if (set.count === 0) continue;
          const ids = sample.tasks('test', s, set.count);
          const p = await predictTaskSet(engine, set, ids, input.layout, {
            innerLr: rates[itemKindOf(s)],
            range,
            fineTune,
          });
          test[s] = scenarioMetrics(set, p);
          rows[s] = { after: userErrorsOf(set, ids, p.after), before: userErrorsOf(set, ids, p.before) };
        }
        const checkpoint: Checkpoint = plain
          ? { featureDropout, epoch, rates }
          : { featureDropout, epoch, rates, trained: settings, fineTune };
        const label = JSON.stringify(checkpoint);
        nonMeta.consider(label, validation, test);
        errors.set(label, rows);
      },
      at,
      fineTunes,
    );
    log(
      `seed ${seed}: non-meta ${JSON.stringify(settings)}: ${((performance.now() - t1) / 1000).toFixed(0)} s`,
    );
  }
  return { selection: nonMeta, errors };
}
