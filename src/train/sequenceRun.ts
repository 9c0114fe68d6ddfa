/**
 * What the two sequence runners (meloRun.ts, mmlRun.ts) do alike: the backbone's sizes from the config
 * and the split, the RunSummary of the run so far, the epoch loop with its evaluations and the steps of
 * one epoch over random windows of the training sequences.
 */
import { permutation, type Rng } from '../lib/rng';
import { yieldToEventLoop } from '../lib/yield';
import type { SequenceDims } from '../models/sequence';
import type { ExperimentInput, RunControl } from './epochs';
import type { BaselineName, EpochRecord, RunSummary, ScenarioRecord, TrainSink } from './events';
import { trainingWindow, type Window } from './meloWindows';
import { stepEvent } from './stepEvent';

/** items = the split's item rows + the padding row; length = the window; ffn width = hidden; the encoder. */
export function sequenceDims(input: ExperimentInput): SequenceDims {
  const { config, split } = input;
  return {
    items: split.newItems.length + 1,
    length: config.sequenceWindow,
    hidden: config.hiddenDim,
    heads: config.attentionHeads,
    blocks: config.attentionBlocks,
    ffn: config.hiddenDim,
    encoder: config.sequenceEncoder,
  };
}

/** The run's summary: its last evaluation's test and validation records, the epochs so far. */
export function sequenceSummary(
  input: ExperimentInput,
  startedAt: number,
  s: {
    parameters: number;
    epochs: EpochRecord[];
    last: { test: ScenarioRecord; validation: ScenarioRecord };
    evaluatedEpoch: number;
    baselines: Partial<Record<BaselineName, ScenarioRecord>>;
  },
): RunSummary {
  const { config } = input;
  return {
    model: config.model,
    dataset: input.datasetName,
    protocol: config.protocol,
    seed: config.seed,
    backend: input.backend.name,
    config,
    parameters: s.parameters,
    epochs: s.epochs,
    scenarios: s.last.test,
    validation: s.last.validation,
    baselines: s.baselines,
    evaluatedEpoch: s.evaluatedEpoch,
    seconds: (performance.now() - startedAt) / 1000,
  };
}

/** One training epoch: its mean step loss, stopped by the control, or a sentence saying it diverged. */
export interface EpochOutcome {
  readonly loss: number;
  readonly aborted: boolean;
  readonly diverged: string | null;
}

/**
 * One epoch of steps: the training tasks in a seeded order (rng 'order'), batches of config.batchSize,
 * each task a random window of `length` positions of its training sequence (trainingWindow: MELO's
 * random start, the latest config.sequenceQuery positions the query; rng `windows${k}` for batch k).
 * `step` trains on batch k (k of perEpoch) and returns its loss, with a sentence when it diverged (the
 * epoch ends there). Between steps: stops when control aborts, waits while paused; a step event each.
 */
export async function sequenceEpochSteps(
  input: ExperimentInput,
  length: number,
  epoch: number,
  rng: Rng,
  control: RunControl,
  sink: TrainSink | null,
  step: (
    windows: Window[],
    k: number,
    perEpoch: number,
  ) => Promise<{ loss: number; diverged: string | null }>,
): Promise<EpochOutcome> {
  const { config, split } = input;
  const order = permutation(split.train.count, rng.fork('order'));
  const perEpoch = Math.ceil(order.length / config.batchSize);
  let sum = 0;
  let count = 0;
  for (let k = 0; k < perEpoch; k++) {
    if (control.signal?.aborted) return { loss: count ? sum / count : NaN, aborted: true, diverged: null };
    await control.waitWhilePaused?.();
    const t0 = performance.now();
    const ids = Array.from(order.subarray(k * config.batchSize, (k + 1) * config.batchSize));
    const windowRng = rng.fork(`windows${k}`);
    const windows = ids.map((t) => trainingWindow(split.train, t, length, config.sequenceQuery, windowRng));
    const { loss, diverged } = await step(windows, k, perEpoch);
    if (diverged) return { loss, aborted: false, diverged };
    sum += loss;
    count++;
    sink?.(stepEvent(epoch, (epoch - 1) * perEpoch + k + 1, loss, ids.length, t0));
    await yieldToEventLoop();
  }
  return { loss: count ? sum / count : NaN, aborted: false, diverged: null };
}

/** What a sequence runner gives the shared epoch loop. */
export interface SequenceLoop {
  /** the epochs done so far (the loop appends) */
  readonly epochs: EpochRecord[];
  /** evaluates validation (and test) at an epoch and emits 'evaluated' */
  evaluate(epoch: number): Promise<void>;
  /** the epoch of the last evaluation */
  evaluatedEpoch(): number;
  trainEpoch(epoch: number): Promise<EpochOutcome>;
  /** after an epoch's steps, inside its time (MML's generator) */
  afterSteps?(epoch: number): Promise<void>;
  /** after the evaluation before training and after each epoch's (MELO's diagnostics) */
  afterEpoch?(epoch: number): Promise<void>;
  /** gives the learned state to the drill-down (control.retainSequence) */
  handOver(): void;
  summary(): RunSummary;
}

/**
 * The epoch loop of both sequence runners: evaluate before training (epoch 0); per epoch train, emit
 * the epoch record, evaluate every config.evalEvery epochs and after the last. A diverged epoch fails
 * the run ('diverged', with the last good epoch); a stopped one is evaluated where it stands (unless it
 * just was), handed over and reported 'stopped'. Resolves with the summary.
 */
export async function sequenceEpochLoop(
  input: ExperimentInput,
  sink: TrainSink,
  run: SequenceLoop,
): Promise<RunSummary> {
  const { config, split } = input;
  const { epochs } = run;
  await run.evaluate(0);
  await run.afterEpoch?.(0);
  for (let e = 1; e <= config.epochs; e++) {
    const t0 = performance.now();
    const outcome = await run.trainEpoch(e);
    if (outcome.diverged) {
      sink({
        type: 'failed',
        code: 'diverged',
        message: `${outcome.diverged}; training stopped. Lower the meta rate or the local rate.`,
        lastGoodEpoch: epochs.length ? epochs[epochs.length - 1]!.epoch : null,
      });
      return run.summary();
    }
    if (outcome.aborted) {
      if (run.evaluatedEpoch() !== epochs.length) await run.evaluate(epochs.length);
      run.handOver();
      sink({ type: 'stopped', summary: run.summary() });
      return run.summary();
    }
    await run.afterSteps?.(e);
    const seconds = (performance.now() - t0) / 1000;
    const record = {
      epoch: e,
      trainLoss: outcome.loss,
      seconds,
      usersPerSecond: split.train.count / seconds,
    };
    epochs.push(record);
    sink({ type: 'epoch', record });
    if (e % config.evalEvery === 0 || e === config.epochs) await run.evaluate(e);
    await run.afterEpoch?.(e);
  }
  run.handOver();
  sink({ type: 'finished', summary: run.summary() });
  return run.summary();
}
