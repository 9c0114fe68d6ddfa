/**
 * One experiment, start to end: baselines, meta-training in batches with the divergence guard,
 * evaluation of validation and test scenarios, events for every step. The browser worker and the CLI
 * both call runExperiment with their own sink; nothing here touches the DOM or the console.
 *
 * 1. Build the engine (initial parameters from the seed).
 * 2. Baselines: global mean, support mean, and a non-meta model (same features, MeLU network) trained on
 *    all training ratings and fine-tuned on each support set.
 * 3. For each epoch: shuffle the training tasks (seeded), meta-step every batch (guarded), then evaluate
 *    every `evalEvery` epochs and after the last: metrics before/after adaptation per scenario; for MAMO
 *    the attention of every evaluated test task and the profile memory.
 */
import * as tf from '@tensorflow/tfjs';
import type { TrainConfig } from '../config/experiment';
import {
  SCENARIOS,
  type Scenario,
  type ScenarioSplit,
  type ScenarioTasks,
  type TaskSet,
} from '../data/scenarios/types';
import type { BackendInfo } from '../kernels/backend';
import { createRng, permutation, type Rng } from '../lib/rng';
import { yieldToEventLoop } from '../lib/yield';
import { batchTensors, disposeBatchTensors, groupBySupport, makeBatch } from './batch';
import { createMamoEngine, createMeluEngine, type ModelEngine } from './engine';
import { constantMetrics, predictTaskSet, sampleTasks, scenarioMetrics, supportMean } from './evaluate';
import type { BaselineName, EpochRecord, RunSummary, ScenarioRecord, TrainEvent, TrainSink } from './events';
import type { FeatureLayout } from './layout';
import { chooseStrategy, supportGroups } from './strategy';

export interface ExperimentInput {
  readonly datasetName: string;
  readonly split: ScenarioSplit;
  readonly layout: FeatureLayout;
  readonly config: TrainConfig;
  readonly backend: BackendInfo;
}

export interface RunControl {
  /** Aborting stops the run after the current step (a 'stopped' event with the summary so far). */
  readonly signal?: AbortSignal;
  /** Resolves when the run may continue (pause/resume); called between steps. */
  readonly waitWhilePaused?: () => Promise<void>;
  /**
   * Receives the engine as soon as it exists (for inspection during and after the run). When given,
   * the run does NOT dispose the engine: the receiver owns it.
   */
  readonly retainEngine?: (engine: ModelEngine) => void;
  /** Evaluate validation users only (hyper-parameter tuning never looks at the test scenarios). */
  readonly validationOnly?: boolean;
}

/** A loss above this (ratings are 1..5, so MSE of 1e4 means predictions off by 100) counts as diverged. */
export const DIVERGENCE_LOSS = 1e4;

/** Mean rating of the training tasks' support and query ratings (the init of the output bias). */
export function meanTrainingRating(train: TaskSet): number {
  let s = 0;
  let n = 0;
  for (const values of [train.supportValues, train.queryValues]) {
    for (const v of values) s += v;
    n += values.length;
  }
  return n ? s / n : 3;
}

export function createEngine(input: ExperimentInput, rng: Rng, supervised = false): ModelEngine {
  const config = supervised ? { ...input.config, model: 'melu' as const } : input.config;
  const options = {
    config,
    layout: input.layout,
    meanRating: meanTrainingRating(input.split.train),
    rng,
    strategy: chooseStrategy(config.model, input.backend.name, config.innerSteps),
    supervised,
  };
  return config.model === 'melu' ? createMeluEngine(options) : createMamoEngine(options);
}

function batchesOf(order: Int32Array, size: number): Int32Array[] {
  const out: Int32Array[] = [];
  for (let i = 0; i < order.length; i += size) out.push(order.subarray(i, Math.min(i + size, order.length)));
  return out;
}

/** Tasks of a set with a non-empty query (a task without query ratings has nothing to learn from). */
function trainable(set: TaskSet): Int32Array {
  const ids: number[] = [];
  for (let t = 0; t < set.count; t++) if (set.queryOffsets[t + 1]! > set.queryOffsets[t]!) ids.push(t);
  return Int32Array.from(ids);
}

interface Evaluation {
  test: ScenarioRecord;
  validation: ScenarioRecord;
  memory: Extract<TrainEvent, { type: 'memory' }> | null;
}

async function evaluateAll(
  engine: ModelEngine,
  input: ExperimentInput,
  epoch: number,
  evalRng: Rng,
  validationOnly = false,
): Promise<Evaluation> {
  const limit = input.config.evalUsers;
  const result: Evaluation = { test: {}, validation: {}, memory: null };
  const users: number[] = [];
  const scenarios: number[] = [];
  const tasks: number[] = [];
  const attention: number[] = [];
  const sets: [keyof Evaluation, ScenarioTasks][] = [['validation', input.split.validation]];
  if (!validationOnly) sets.push(['test', input.split.test]);
  for (const [which, scenarioSets] of sets) {
    for (const scenario of SCENARIOS) {
      const set = scenarioSets[scenario];
      if (set.count === 0) continue;
      const ids = sampleTasks(set.count, limit, evalRng.fork(`${which}:${scenario}`));
      const p = await predictTaskSet(engine, set, ids, input.layout);
      (result[which] as ScenarioRecord)[scenario] = scenarioMetrics(set, p);
      // the memory event shows the test users' attention (the validation users' when tuning)
      if (which === (validationOnly ? 'validation' : 'test') && p.attention) {
        ids.forEach((t, k) => {
          users.push(set.users[t]!);
          scenarios.push(SCENARIOS.indexOf(scenario));
          tasks.push(t);
          for (let j = 0; j < engine.slots; j++) attention.push(p.attention![k * engine.slots + j]!);
        });
      }
    }
  }
  const profile = await engine.profileMemory();
  if (profile) {
    result.memory = {
      type: 'memory',
      epoch,
      users: Int32Array.from(users),
      scenarios: Uint8Array.from(scenarios),
      tasks: Int32Array.from(tasks),
      attention: Float32Array.from(attention),
      k: engine.slots,
      profileMemory: profile.values,
      profileWidth: profile.width,
    };
  }
  return result;
}

/** Trains `engine` for `epochs` over the training tasks; returns epoch records (stops early on abort). */
async function trainEpochs(
  engine: ModelEngine,
  input: ExperimentInput,
  control: RunControl,
  rng: Rng,
  onStep: ((e: Extract<TrainEvent, { type: 'step' }>) => void) | null,
  onEpochEnd: (record: EpochRecord) => Promise<void>,
): Promise<{ aborted: boolean; diverged: string | null }> {
  const ids = trainable(input.split.train);
  const groups = supportGroups(input.config.model, input.backend.name, input.config.batchSize);
  let step = 0;
  for (let epoch = 1; epoch <= input.config.epochs; epoch++) {
    const order = permutation(ids.length, rng.fork(`epoch${epoch}`)).map((i) => ids[i]!);
    const started = performance.now();
    let lossSum = 0;
    let lossCount = 0;
    for (const batchIds of batchesOf(order, input.config.batchSize)) {
      await yieldToEventLoop();
      await control.waitWhilePaused?.();
      if (control.signal?.aborted) return { aborted: true, diverged: null };
      const t0 = performance.now();
      const parts = groupBySupport(input.split.train, batchIds, groups);
      const tensors = parts.map((part) =>
        batchTensors(makeBatch(input.split.train, part.ids, input.layout), input.layout),
      );
      const lossTensor = engine.trainStep({
        tasks: batchIds.length,
        groups: tensors,
        positions: parts.map((part) => part.positions),
      });
      const loss = (await lossTensor.data())[0]!;
      lossTensor.dispose();
      tensors.forEach(disposeBatchTensors);
      if (!Number.isFinite(loss) || loss > DIVERGENCE_LOSS) {
        engine.rollback();
        return {
          aborted: false,
          diverged: `The meta-loss reached ${loss} at epoch ${epoch}, step ${step + 1}`,
        };
      }
      engine.commit();
      step++;
      lossSum += loss * batchIds.length;
      lossCount += batchIds.length;
      const seconds = (performance.now() - t0) / 1000;
      const memory = tf.memory();
      onStep?.({
        type: 'step',
        epoch,
        step,
        loss,
        tasks: batchIds.length,
        seconds,
        tasksPerSecond: batchIds.length / seconds,
        numTensors: memory.numTensors,
        numBytes: memory.numBytes,
      });
    }
    const seconds = (performance.now() - started) / 1000;
    await onEpochEnd({
      epoch,
      trainLoss: lossSum / Math.max(1, lossCount),
      seconds,
      usersPerSecond: lossCount / seconds,
    });
  }
  return { aborted: false, diverged: null };
}

/** Runs one experiment and emits its events; resolves with the summary (also on stop or failure). */
export async function runExperiment(
  input: ExperimentInput,
  sink: TrainSink,
  control: RunControl = {},
): Promise<RunSummary> {
  const { config } = input;
  const rng = createRng(config.seed);
  const startedAt = performance.now();
  const engine = createEngine(input, rng.fork('engine'));
  control.retainEngine?.(engine);
  const epochs: EpochRecord[] = [];
  const baselines: Partial<Record<BaselineName, ScenarioRecord>> = {};
  let nonMetaLr: number | undefined;
  let last: Evaluation = { test: {}, validation: {}, memory: null };
  let evaluatedEpoch = 0;
  const summary = (): RunSummary => ({
    model: config.model,
    dataset: input.datasetName,
    protocol: config.protocol,
    seed: config.seed,
    backend: input.backend.name,
    config,
    parameters: engine.parameters,
    epochs,
    scenarios: last.test,
    validation: last.validation,
    baselines: { ...baselines, noAdaptation: beforeAsBaseline(last.test) },
    ...(nonMetaLr === undefined ? {} : { nonMetaLr }),
    evaluatedEpoch,
    seconds: (performance.now() - startedAt) / 1000,
  });
  try {
    sink({
      type: 'started',
      backend: input.backend,
      split: input.split.summary,
      config,
      parameters: engine.parameters,
      stepsPerEpoch: Math.ceil(trainable(input.split.train).length / config.batchSize),
      strategy: engine.strategy,
    });
    if (config.baselines && !control.validationOnly) {
      const computed = await computeBaselines(input, rng.fork('baselines'), control);
      Object.assign(baselines, computed.metrics);
      nonMetaLr = computed.nonMetaLr;
      sink({ type: 'baselines', metrics: { ...baselines } });
    }
    const evaluate = async (epoch: number) => {
      const t0 = performance.now();
      last = await evaluateAll(
        engine,
        input,
        epoch,
        createRng(config.seed).fork('evaluation'),
        control.validationOnly,
      );
      evaluatedEpoch = epoch;
      sink({
        type: 'evaluated',
        epoch,
        test: last.test,
        validation: last.validation,
        seconds: (performance.now() - t0) / 1000,
      });
      if (last.memory) sink(last.memory);
    };
    await evaluate(0);
    const outcome = await trainEpochs(
      engine,
      input,
      control,
      rng.fork('batches'),
      (e) => sink(e),
      async (record) => {
        epochs.push(record);
        sink({ type: 'epoch', record });
        if (record.epoch % config.evalEvery === 0 || record.epoch === config.epochs)
          await evaluate(record.epoch);
      },
    );
    if (outcome.diverged) {
      sink({
        type: 'failed',
        code: 'diverged',
        message: `${outcome.diverged}; training stopped and the last good parameters were kept. Lower the meta rate or the local rate.`,
        lastGoodEpoch: epochs.length ? epochs[epochs.length - 1]!.epoch : null,
      });
      return summary();
    }
    if (outcome.aborted) {
      if (evaluatedEpoch !== epochs.length) await evaluate(epochs.length);
      sink({ type: 'stopped', summary: summary() });
      return summary();
    }
    sink({ type: 'finished', summary: summary() });
    return summary();
  } finally {
    if (!control.retainEngine) engine.dispose();
  }
}

function beforeAsBaseline(test: ScenarioRecord): ScenarioRecord {
  const out: ScenarioRecord = {};
  for (const s of Object.keys(test) as Scenario[]) {
    const m = test[s]!;
    out[s] = { ...m, mae: m.maeBefore, rmse: m.rmseBefore, ndcg3: m.ndcg3Before, loss: m.lossBefore };
  }
  return out;
}

/** Fine-tuning rates tried for the non-meta baseline (0: no fine-tuning), besides the model's own. */
const NON_META_RATES = [0, 1e-4, 1e-3, 1e-2];

/**
 * Global mean, support mean and the non-meta model, on the test scenarios. The non-meta model is the
 * same network trained on every warm rating (plain supervised MSE), then fine-tuned with `innerSteps`
 * SGD steps on each support set; its fine-tuning rate is chosen on the VALIDATION users (mean MAE over
 * their scenarios) among NON_META_RATES and the model's own local rate: a rate meant for a meta-learned
 * initialisation can wreck a supervised one, and a baseline crippled that way would flatter the model.
 */
async function computeBaselines(
  input: ExperimentInput,
  rng: Rng,
  control: RunControl,
): Promise<{ metrics: Partial<Record<BaselineName, ScenarioRecord>>; nonMetaLr: number }> {
  const globalMean = meanTrainingRating(input.split.train);
  const out: Partial<Record<BaselineName, ScenarioRecord>> = { globalMean: {}, supportMean: {}, nonMeta: {} };
  const nonMeta = createEngine(input, rng.fork('nonMeta'), true);
  try {
    await trainEpochs(nonMeta, input, control, rng.fork('nonMetaBatches'), null, async () => {});
    const rates = [...new Set([...NON_META_RATES, input.config.innerLr])];
    let best = { lr: input.config.innerLr, mae: Infinity };
    for (const lr of rates) {
      const maes: number[] = [];
      for (const scenario of SCENARIOS) {
        const set = input.split.validation[scenario];
        if (set.count === 0) continue;
        const sample = createRng(input.config.seed).fork('evaluation').fork(`nonMetaValidation:${scenario}`);
        const ids = sampleTasks(set.count, input.config.evalUsers, sample);
        maes.push(
          scenarioMetrics(set, await predictTaskSet(nonMeta, set, ids, input.layout, { innerLr: lr })).mae,
        );
      }
      const mae = maes.length ? maes.reduce((a, b) => a + b, 0) / maes.length : Infinity;
      if (mae < best.mae) best = { lr, mae };
    }
    for (const scenario of SCENARIOS) {
      const set = input.split.test[scenario];
      if (set.count === 0) continue;
      // the same sample as the model's own evaluation (evaluateAll): same seed, same labels
      const sample = createRng(input.config.seed).fork('evaluation').fork(`test:${scenario}`);
      const ids = sampleTasks(set.count, input.config.evalUsers, sample);
      out.globalMean![scenario] = constantMetrics(set, ids, () => globalMean);
      out.supportMean![scenario] = constantMetrics(set, ids, (t) => supportMean(set, t, globalMean));
      out.nonMeta![scenario] = scenarioMetrics(
        set,
        await predictTaskSet(nonMeta, set, ids, input.layout, { innerLr: best.lr }),
      );
    }
    return { metrics: out, nonMetaLr: best.lr };
  } finally {
    nonMeta.dispose();
  }
}
