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
import type { Scenario } from '../data/scenarios/types';
import { beforeAsBaseline, constantBaselines } from '../train/baselines';
import { constantErrors } from '../train/baselineErrors';
import { BASELINES, type BaselineName, type ScenarioRecord } from '../train/events';
import type { ItemKind } from '../train/adaptation';
import type { KindSelection } from '../train/kindSelection';
import { attentionSummary, type AttentionInfo } from './attention';
import { experimentInput, runHeadless, type Backend } from './headless';
import {
  nonMetaPlan,
  nonMetaSelection,
  type CheckpointRows,
  type ErrorsByLabel,
  type NonMetaPool,
} from './nonMetaRow';
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
// the non-meta row's module (bench scripts and tests import these from here)
export { NON_META_GRID_V1, nonMetaPlan, nonMetaSelection } from './nonMetaRow';

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
  /** where the non-meta row's configurations train side by side (nonMetaRow.ts); none: one after another */
  pool?: NonMetaPool,
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
    const atEpoch = new Map<number, CheckpointRows>();
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
          pool,
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
