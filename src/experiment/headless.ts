/**
 * One run headless, as the results protocol and the tuning use it: a config on a loaded dataset,
 * trained and evaluated by runExperiment, its evaluations collected; and the non-meta baseline's
 * network checkpointed the same way. No Node modules: the CLI and a browser worker can both call it.
 */
import type { TrainConfig } from '../config/experiment';
import type { Scenario, TaskSet } from '../data/scenarios/types';
import type { Dataset } from '../data/dataset';
import { createRng } from '../lib/rng';
import type { ModelEngine } from '../train/engine';
import { createEngine, trainEpochs, type ExperimentInput } from '../train/epochs';
import type { TaskSetPredictions } from '../train/evaluate';
import type { RunSummary, ScenarioRecord, TrainEvent } from '../train/events';
import { FULL_FINE_TUNE, type FineTune, type LocalRates } from '../train/adaptation';
import { candidateRates, chooseLocalRates } from '../train/localRate';
import { prepareExperiment } from '../train/prepare';
import { runExperiment } from '../train/run';
import { evaluationSample } from '../train/sample';

/** The backend a run reports (initBackend's answer; the caller initialises it). */
export type Backend = ExperimentInput['backend'];

export interface Outcome {
  readonly summary: RunSummary;
  /**
   * Every evaluation of the run: with chooseLocalRate its local rates, and for MAMO the memory event
   * that followed it (attention of the evaluated test users at that epoch).
   */
  readonly evaluations: {
    epoch: number;
    validation: ScenarioRecord;
    test: ScenarioRecord;
    localRate?: LocalRates;
    memory?: Extract<TrainEvent, { type: 'memory' }>;
  }[];
  readonly seconds: number;
  /** MAMO: the last memory event (attention of the evaluated test users, profile memory) */
  readonly memory: Extract<TrainEvent, { type: 'memory' }> | null;
  /** runHeadless with keepDiverged: the divergence guard's message when training diverged */
  readonly diverged?: string;
}

/** The split and feature layout of a config on a dataset, as runExperiment and trainEpochs take them. */
export function experimentInput(dataset: Dataset, config: TrainConfig, backend: Backend): ExperimentInput {
  const { split, layout } = prepareExperiment(dataset, config);
  return { datasetName: dataset.name, split, layout, config, backend };
}

/**
 * The non-meta baseline's network, trained as computeBaselines trains it (plain MSE on every training
 * rating, the same seed forks), for `config.epochs` epochs. After every second epoch, the local rates
 * are chosen on the validation users, and `atCheckpoint` gets the engine, the epoch, the rates and the
 * validation record. `at(epoch)` (default: every second epoch) says which epochs are checkpoints.
 * With several `fineTunes` (how the network adapts: layers, clip, steps), each is a checkpoint of its
 * own: its rates chosen with it, `atCheckpoint` called once per fine-tuning. The engine is disposed at
 * the end.
 */
export async function nonMetaCheckpoints(
  input: ExperimentInput,
  atCheckpoint: (
    engine: ModelEngine,
    epoch: number,
    rates: LocalRates,
    validation: ScenarioRecord,
    fineTune: FineTune,
  ) => Promise<void>,
  at: (epoch: number) => boolean = (epoch) => epoch % 2 === 0,
  fineTunes: readonly FineTune[] = [FULL_FINE_TUNE],
  /** after the last epoch, with the trained engine (which it may overwrite: importState) */
  atEnd: (engine: ModelEngine) => Promise<void> = async () => {},
): Promise<void> {
  const { config } = input;
  const rng = createRng(config.seed).fork('baselines');
  const engine = createEngine(input, rng.fork('nonMeta'), true);
  try {
    await trainEpochs(
      engine,
      input,
      {},
      rng.fork('nonMetaBatches'),
      null,
      async (record) => {
        if (!at(record.epoch)) return;
        // every fine-tuning's rate from one sweep of the validation batches (the same numbers as one
        // sweep each: localRate.ts validationAtFineTunings)
        const chosen = await chooseLocalRates(
          engine,
          input,
          candidateRates(config.innerLr),
          evaluationSample(config.seed, config.evalUsers).picker('nonMetaValidation'),
          fineTunes,
        );
        for (const [f, c] of chosen.entries())
          if (c) await atCheckpoint(engine, record.epoch, c.rates, c.record, fineTunes[f]!);
      },
      { epochs: config.epochs, supervised: true },
    );
    await atEnd(engine);
  } finally {
    engine.dispose();
  }
}

/** Every test prediction of a run: (epoch, scenario, its test set, the predictions before and after). */
export type TestPredictionsSink = (
  epoch: number,
  scenario: Scenario,
  set: TaskSet,
  predictions: TaskSetPredictions,
) => void;

/**
 * runExperiment with a collecting sink; throws (with the event's code) when the run failed, except, with
 * `keepDiverged`, a divergence: then the outcome holds the evaluations made before it and the guard's
 * message (`diverged`; docs/protocol.md, section 12).
 */
export async function runHeadless(
  dataset: Dataset,
  config: TrainConfig,
  validationOnly: boolean,
  backend: Backend,
  onTestPredictions?: TestPredictionsSink,
  keepDiverged = false,
): Promise<Outcome> {
  const evaluations: Outcome['evaluations'] = [];
  let failure: { code: string; message: string } | null = null;
  let memory: Outcome['memory'] = null;
  const t0 = performance.now();
  const summary = await runExperiment(
    experimentInput(dataset, config, backend),
    (e: TrainEvent) => {
      if (e.type === 'evaluated')
        evaluations.push({
          epoch: e.epoch,
          validation: e.validation,
          test: e.test,
          ...(e.localRate ? { localRate: e.localRate } : {}),
        });
      if (e.type === 'failed') failure = { code: e.code, message: e.message };
      if (e.type === 'memory') {
        memory = e;
        const last = evaluations[evaluations.length - 1];
        if (last && last.epoch === e.epoch) last.memory = e;
      }
    },
    { validationOnly, ...(onTestPredictions ? { onTestPredictions } : {}) },
  );
  const seconds = (performance.now() - t0) / 1000;
  if (failure) {
    const { code, message } = failure as { code: string; message: string };
    if (keepDiverged && code === 'diverged')
      return { summary, evaluations, seconds, memory, diverged: message };
    throw Object.assign(new Error(message), { code });
  }
  return { summary, evaluations, seconds, memory };
}

/** Mean validation MAE over the validation scenarios that have tasks (lower is better). */
export function validationMae(record: ScenarioRecord): number {
  const values = Object.values(record).map((m) => m!.mae);
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : NaN;
}
