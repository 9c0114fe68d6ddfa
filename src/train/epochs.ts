/**
 * The training loop shared by the model, its pre-training epochs and the non-meta baseline: epochs of
 * seeded batches (re-drawn tasks and feature dropout when configured), one guarded step per batch, step
 * events. Also the run's input types and the engine factory.
 */
import type { DatasetIdentity } from '../data/identity';
import type { TrainConfig } from '../config/experiment';
import { redrawSupportQuery } from '../data/scenarios/taskset';
import type { Scenario, ScenarioSplit, TaskSet } from '../data/scenarios/types';
import type { BackendInfo } from '../kernels/backend';
import { permutation, type Rng } from '../lib/rng';
import { yieldToEventLoop } from '../lib/yield';
import { batchTensors, disposeBatchTensors, groupBySupport, makeBatch } from './batch';
import { createMamoEngine, createMeluEngine, type ModelEngine } from './engine';
import type { TaskSetPredictions } from './evaluate';
import type { BaselineName, EpochRecord, RunSummary, ScenarioRecord, TrainEvent } from './events';
import type { SeedErrors } from './userErrors';
import type { FeatureLayout } from './layout';
import type { HostValue } from './snapshot';
import type { RetainedSequence } from './sequenceInspect';
import { chooseStrategy, supportGroups } from './strategy';
import { stepEvent } from './stepEvent';

export interface ExperimentInput {
  readonly datasetName: string;
  /** Name, files and content hash of the data (data/identity.ts); copied into the RunSummary. */
  readonly datasetIdentity?: DatasetIdentity;
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
  /**
   * MELO and MML runs (no ModelEngine): receives the learned state when the run finishes or is
   * stopped, just before the `finished`/`stopped` event, for the Users drill-down. When given, the run
   * does NOT dispose what it hands over: the receiver owns it (RetainedSequence.dispose).
   */
  readonly retainSequence?: (model: RetainedSequence) => void;
  /** Evaluate validation users only (hyper-parameter tuning never looks at the test scenarios). */
  readonly validationOnly?: boolean;
  /**
   * Polled before every meta-training step: a sentence when the backend's device was lost (WebGPU
   * device loss), null while it is healthy. A lost run ends with a BackendLostError, not 'failed', so
   * its owner (worker/runController.ts) can resume it on another backend.
   */
  readonly backendLost?: () => string | null;
  /**
   * After every committed meta-training step (awaited before the next one): where the run is and its
   * engine, for a host copy of the state (snapshot.ts) to resume from.
   */
  readonly onCommitted?: (at: TrainingPosition, engine: ModelEngine) => Promise<void>;
  /**
   * At the end of every meta-training epoch but the last (after its evaluation and the baselines), the
   * position of the next epoch's start, the finished epochs and the engine: for a snapshot that a
   * reloaded page resumes from (worker/runController.ts). Awaited.
   */
  readonly onEpochSaved?: (
    at: TrainingPosition,
    epochs: readonly EpochRecord[],
    engine: ModelEngine,
    baselines: CarriedBaselines | undefined,
  ) => Promise<void>;
  /**
   * Go on from a committed step of an earlier run of the same config (after a lost device, or from an
   * end-of-epoch snapshot after a reload).
   */
  readonly resume?: RunResume;
  /**
   * Receives the test predictions of every evaluation, per scenario (src/experiment keeps each test
   * user's errors from them, for paired intervals). MeLU, MAMO and MELO runs.
   */
  readonly onTestPredictions?: (
    epoch: number,
    scenario: Scenario,
    set: TaskSet,
    predictions: TaskSetPredictions,
  ) => void;
  /** MML runs: the rank of every test case of every evaluation, per scenario (ranking.ts's ranks). */
  readonly onTestRanks?: (epoch: number, scenario: Scenario, set: TaskSet, ranks: TestRanks) => void;
}

/**
 * The ranks (1-based, ranking.ts rankOf) of the evaluated test tasks' cases: task k's cases are
 * offsets[k] .. offsets[k+1]-1; per ranking (the fused/only learner after and before local adaptation,
 * and with two learners each learner's own after adaptation) one rank per case.
 */
export interface TestRanks {
  readonly taskIds: Int32Array;
  readonly offsets: Int32Array;
  readonly ranks: Readonly<Partial<Record<'after' | 'before' | 'id' | 'text', Int32Array>>>;
}

/** Where meta-training stands after a committed step: epoch, steps done in it, steps done in all. */
export interface TrainingPosition {
  readonly epoch: number;
  readonly stepInEpoch: number;
  readonly step: number;
}

/**
 * What the baselines computed, carried by an end-of-epoch snapshot: a run resumed after a reload does
 * not compute them again, and its summary and later per-user errors still hold them.
 */
export interface CarriedBaselines {
  readonly metrics: Partial<Record<BaselineName, ScenarioRecord>>;
  readonly errors: SeedErrors;
  readonly extra: Pick<
    RunSummary,
    'nonMetaLr' | 'nonMetaDropout' | 'nonMetaEpochs' | 'nonMetaValidation' | 'biasLambdas' | 'nonMetaFineTune'
  >;
}

/** What a resumed run starts from: the committed state, its position and the finished epochs' records. */
export interface RunResume extends TrainingPosition {
  readonly state: HostValue;
  readonly epochs: readonly EpochRecord[];
  /** End-of-epoch snapshots, once the baselines ran: their results. */
  readonly baselines?: CarriedBaselines;
}

/** The device under the backend was lost mid-run (the run can go on elsewhere from its last snapshot). */
export class BackendLostError extends Error {
  constructor(
    message: string,
    readonly at: TrainingPosition | null,
  ) {
    super(message);
    this.name = 'BackendLostError';
  }
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

/**
 * The rating scale as the training data show it: [min, max] of the training tasks' support and query
 * ratings ([1, 5] on MovieLens). Error metrics clip predictions to it (metrics.ts), the test labels never
 * set it.
 */
export function ratingRange(train: TaskSet): readonly [number, number] {
  let low = Infinity;
  let high = -Infinity;
  for (const values of [train.supportValues, train.queryValues]) {
    for (const v of values) {
      if (v < low) low = v;
      if (v > high) high = v;
    }
  }
  return low <= high ? [low, high] : [-Infinity, Infinity];
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

/** Consecutive batches of `size` ids; `dropLast`: without a last, smaller one (when there is a full one). */
export function batchesOf(order: Int32Array, size: number, dropLast = false): Int32Array[] {
  const out: Int32Array[] = [];
  for (let i = 0; i < order.length; i += size) out.push(order.subarray(i, Math.min(i + size, order.length)));
  if (dropLast && out.length > 1 && out[out.length - 1]!.length < size) out.pop();
  return out;
}

/** Tasks of a set with a non-empty query (a task without query ratings has nothing to learn from). */
export function trainable(set: TaskSet): Int32Array {
  const ids: number[] = [];
  for (let t = 0; t < set.count; t++) if (set.queryOffsets[t + 1]! > set.queryOffsets[t]!) ids.push(t);
  return Int32Array.from(ids);
}

/**
 * Trains `engine` for `epochs` (default: the config's) over the training tasks, meta-steps or, with
 * `supervised`, plain MSE steps on all ratings; reports each epoch (stops early on abort).
 */
export async function trainEpochs(
  engine: ModelEngine,
  input: ExperimentInput,
  control: RunControl,
  rng: Rng,
  onStep: ((e: Extract<TrainEvent, { type: 'step' }>) => void) | null,
  onEpochEnd: (record: EpochRecord) => Promise<void>,
  phase: {
    epochs: number;
    supervised: boolean;
    /** meta-training only: lost-device polling, committed-step reports, a resume position */
    meta?: Pick<RunControl, 'backendLost' | 'onCommitted' | 'resume'>;
  } = { epochs: input.config.epochs, supervised: false },
): Promise<{ aborted: boolean; diverged: string | null; lost: string | null }> {
  const ids = trainable(input.split.train);
  const groups = supportGroups(input.config.model, input.backend.name, input.config.batchSize);
  const meta = phase.meta ?? {};
  const resume = meta.resume;
  let step = resume?.step ?? 0;
  for (let epoch = resume?.epoch ?? 1; epoch <= phase.epochs; epoch++) {
    const order = permutation(ids.length, rng.fork(`epoch${epoch}`)).map((i) => ids[i]!);
    const train = input.config.resampleTasks
      ? redrawSupportQuery(
          input.split.train,
          rng.fork(`redraw${epoch}`),
          input.config.trainQueryShare > 0 ? input.config.trainQueryShare : undefined,
        )
      : input.split.train;
    const started = performance.now();
    let lossSum = 0;
    let lossCount = 0;
    // a resumed epoch skips the batches already committed (order and dropout are keyed by epoch and
    // step, so the rest are the batches the lost run would have drawn)
    const batches = batchesOf(order, input.config.batchSize, input.config.dropLastBatch);
    let inEpoch = resume && epoch === resume.epoch ? resume.stepInEpoch : 0;
    for (const batchIds of batches.slice(inEpoch)) {
      await yieldToEventLoop();
      await control.waitWhilePaused?.();
      if (control.signal?.aborted) return { aborted: true, diverged: null, lost: null };
      const lostBefore = meta.backendLost?.() ?? null;
      if (lostBefore) return { aborted: false, diverged: null, lost: lostBefore };
      const t0 = performance.now();
      const parts = groupBySupport(train, batchIds, groups);
      const dropoutRng = rng.fork(`dropout${epoch}:${step}`);
      const dropout = { rate: input.config.featureDropout, rng: dropoutRng };
      const tensors = parts.map((part) =>
        batchTensors(makeBatch(train, part.ids, input.layout, undefined, dropout), input.layout),
      );
      let loss: number;
      try {
        const lossTensor = engine.trainStep(
          { tasks: batchIds.length, groups: tensors, positions: parts.map((part) => part.positions) },
          phase.supervised || undefined,
        );
        loss = (await lossTensor.data())[0]!;
        lossTensor.dispose();
      } catch (error) {
        // a step that throws because the device went away is a lost device, not a bug
        const lost = meta.backendLost?.() ?? null;
        if (lost) return { aborted: false, diverged: null, lost };
        throw error;
      } finally {
        tensors.forEach(disposeBatchTensors);
      }
      if (!Number.isFinite(loss) || loss > DIVERGENCE_LOSS) {
        engine.rollback();
        return {
          aborted: false,
          diverged: `The meta-loss reached ${loss} at epoch ${epoch}, step ${step + 1}`,
          lost: null,
        };
      }
      engine.commit();
      step++;
      inEpoch++;
      await meta.onCommitted?.({ epoch, stepInEpoch: inEpoch, step }, engine);
      lossSum += loss * batchIds.length;
      lossCount += batchIds.length;
      onStep?.(stepEvent(epoch, step, loss, batchIds.length, t0));
    }
    const seconds = (performance.now() - started) / 1000;
    await onEpochEnd({
      epoch,
      trainLoss: lossSum / Math.max(1, lossCount),
      seconds,
      usersPerSecond: lossCount / seconds,
    });
  }
  return { aborted: false, diverged: null, lost: null };
}
