/**
 * Evaluation of a model engine on task sets: for every task, local adaptation on its support set, then
 * predictions of its query ratings, in batches (one tensor program per batch), read back with async
 * data() only. Returns the metrics before and after adaptation and, for MAMO, each task's attention.
 */
import type { TaskSet } from '../data/scenarios/types';
import type { Rng } from '../lib/rng';
import { yieldToEventLoop } from '../lib/yield';
import { batchTensors, disposeBatchTensors, makeBatch } from './batch';
import { disposeRatePredictions, type ModelEngine } from './engine';
import type { ScenarioMetrics } from './events';
import type { FeatureLayout } from './layout';
import { FULL_FINE_TUNE, type FineTune } from './adaptation';
import { errorMetrics, type PredictionSet } from './metrics';

export interface TaskSetPredictions {
  /** Indices (into the TaskSet) of the evaluated tasks, in order. */
  readonly taskIds: Int32Array;
  readonly before: PredictionSet;
  readonly after: PredictionSet;
  /** [tasks x K] (MAMO) or null */
  readonly attention: Float32Array | null;
  /** MAMO: each task's user profile p_u, [tasks x profileWidth] (null for MeLU) */
  readonly profiles: Float32Array | null;
  readonly profileWidth: number;
}

/** A seeded sample of at most `limit` task indices (all when limit is 0 or large), sorted. */
export function sampleTasks(count: number, limit: number, rng: Rng): Int32Array {
  const all = Int32Array.from({ length: count }, (_, i) => i);
  if (limit <= 0 || limit >= count) return all;
  for (let i = 0; i < limit; i++) {
    const j = i + rng.int(count - i);
    const tmp = all[i]!;
    all[i] = all[j]!;
    all[j] = tmp;
  }
  return all.slice(0, limit).sort();
}

/**
 * Predicts the query ratings of `taskIds` of `set`, before and after local adaptation. The raw
 * predictions are kept; `range` (ratingRange of the training data) goes with them so that the error
 * metrics clip to the rating scale.
 */
export async function predictTaskSet(
  engine: ModelEngine,
  set: TaskSet,
  taskIds: Int32Array,
  layout: FeatureLayout,
  options: { batchSize?: number; innerLr?: number; range: readonly [number, number]; fineTune?: FineTune },
): Promise<TaskSetPredictions> {
  const { innerLr, ...rest } = options;
  return (await predictTaskSetAtRates(engine, set, taskIds, layout, { ...rest, rates: [innerLr] }))[0]!;
}

/** The batches (default 64 tasks), the local rates tried and the training rating range. */
interface AtRatesOptions {
  batchSize?: number;
  rates: readonly (number | undefined)[];
  range: readonly [number, number];
}

/**
 * predictTaskSet at several local rates (undefined: the engine's configured one), one result per rate
 * in order: each batch is made once and the engine shares the work that does not depend on the rate
 * (ModelEngine.predictAtRates), so trying R rates costs less than R passes. The numbers are those of
 * predictTaskSet at each rate alone.
 */
export async function predictTaskSetAtRates(
  engine: ModelEngine,
  set: TaskSet,
  taskIds: Int32Array,
  layout: FeatureLayout,
  options: AtRatesOptions & { fineTune?: FineTune },
): Promise<TaskSetPredictions[]> {
  const { fineTune, ...rest } = options;
  return (
    await predictTaskSetAtFineTunings(engine, set, taskIds, layout, {
      ...rest,
      ...(fineTune ? { fineTunes: [fineTune] } : {}),
    })
  )[0]!;
}

/**
 * predictTaskSetAtRates for several fine-tunings at once (the non-meta network's grid): out[f][k] at
 * fineTunes[f] (default: the plain one) and rates[k]. Each batch is made, embedded and predicted before
 * adaptation once for all of them (ModelEngine.predictAtRates); the numbers are those of predictTaskSet
 * at each (fine-tuning, rate) alone.
 */
export async function predictTaskSetAtFineTunings(
  engine: ModelEngine,
  set: TaskSet,
  taskIds: Int32Array,
  layout: FeatureLayout,
  options: AtRatesOptions & { fineTunes?: readonly FineTune[] },
): Promise<TaskSetPredictions[][]> {
  const batchSize = options.batchSize ?? 64;
  const fineTunes = options.fineTunes ?? [FULL_FINE_TUNE];
  const offsets = new Int32Array(taskIds.length + 1);
  for (let k = 0; k < taskIds.length; k++) {
    const t = taskIds[k]!;
    offsets[k + 1] = offsets[k]! + set.queryOffsets[t + 1]! - set.queryOffsets[t]!;
  }
  const total = offsets[taskIds.length]!;
  const truth = new Float32Array(total);
  const before = new Float32Array(total);
  // fine-tuning major: after[f * rates + k]
  const after = fineTunes.flatMap(() => options.rates.map(() => new Float32Array(total)));
  const attention = engine.slots > 0 ? new Float32Array(taskIds.length * engine.slots) : null;
  let profiles: Float32Array | null = null;
  let profileWidth = 0;
  for (let start = 0; start < taskIds.length; start += batchSize) {
    await yieldToEventLoop();
    const ids = taskIds.subarray(start, Math.min(start + batchSize, taskIds.length));
    const batch = makeBatch(set, ids, layout);
    const tensors = batchTensors(batch, layout);
    const p = engine.predictAtRates(tensors, options.rates, fineTunes);
    const [b, att, prof, ...as] = await Promise.all([
      p.before.data(),
      p.attention?.data() ?? null,
      p.profiles?.data() ?? null,
      ...p.after.map((a) => a.data()),
    ]);
    const len = batch.query.maxLen;
    for (let k = 0; k < ids.length; k++) {
      const t = ids[k]!;
      const q0 = set.queryOffsets[t]!;
      const n = set.queryOffsets[t + 1]! - q0;
      const o = offsets[start + k]!;
      for (let j = 0; j < n; j++) {
        truth[o + j] = set.queryValues[q0 + j]!;
        before[o + j] = b![k * len + j]!;
        for (let r = 0; r < after.length; r++) after[r]![o + j] = as[r]![k * len + j]!;
      }
    }
    if (attention && att) attention.set(att as Float32Array, start * engine.slots);
    if (p.profiles && prof) {
      profileWidth = p.profiles.shape[1];
      profiles ??= new Float32Array(taskIds.length * profileWidth);
      profiles.set(prof as Float32Array, start * profileWidth);
    }
    disposeRatePredictions(p);
    disposeBatchTensors(tensors);
  }
  const rates = options.rates.length;
  return fineTunes.map((_, f) =>
    after.slice(f * rates, (f + 1) * rates).map((predicted) => ({
      taskIds,
      before: { offsets, truth, predicted: before, range: options.range },
      after: { offsets, truth, predicted, range: options.range },
      attention,
      profiles,
      profileWidth,
    })),
  );
}

/** Distinct users, tasks and ratings of some tasks of a set. */
export function countsOf(
  set: TaskSet,
  taskIds: Int32Array,
): { tasks: number; users: number; ratings: number } {
  const users = new Set<number>();
  let ratings = 0;
  for (const t of taskIds) {
    users.add(set.users[t]!);
    ratings += set.queryOffsets[t + 1]! - set.queryOffsets[t]!;
  }
  return { tasks: taskIds.length, users: users.size, ratings };
}

/** ScenarioMetrics from predictions before and after adaptation. */
export function scenarioMetrics(set: TaskSet, p: TaskSetPredictions): ScenarioMetrics {
  const after = errorMetrics(p.after);
  const before = errorMetrics(p.before);
  return {
    ...countsOf(set, p.taskIds),
    ...after,
    maeBefore: before.mae,
    rmseBefore: before.rmse,
    ndcg3Before: before.ndcg3,
    lossBefore: before.loss,
  };
}

/** The query ratings of some tasks and a constant prediction per task (global mean, support mean). */
export function constantPredictions(
  set: TaskSet,
  taskIds: Int32Array,
  valueOf: (task: number) => number,
): PredictionSet {
  const offsets = new Int32Array(taskIds.length + 1);
  const truth: number[] = [];
  const predicted: number[] = [];
  taskIds.forEach((t, k) => {
    const v = valueOf(t);
    for (let r = set.queryOffsets[t]!; r < set.queryOffsets[t + 1]!; r++) {
      truth.push(set.queryValues[r]!);
      predicted.push(v);
    }
    offsets[k + 1] = truth.length;
  });
  return { offsets, truth: Float32Array.from(truth), predicted: Float32Array.from(predicted) };
}

/** Metrics of a constant-per-task predictor (global mean, support mean): before = after. */
export function constantMetrics(
  set: TaskSet,
  taskIds: Int32Array,
  valueOf: (task: number) => number,
): ScenarioMetrics {
  const m = errorMetrics(constantPredictions(set, taskIds, valueOf));
  return {
    ...countsOf(set, taskIds),
    ...m,
    maeBefore: m.mae,
    rmseBefore: m.rmse,
    ndcg3Before: m.ndcg3,
    lossBefore: m.loss,
  };
}

/** Mean of a task's support ratings, or `fallback` when the support is empty. */
export function supportMean(set: TaskSet, t: number, fallback: number): number {
  const s0 = set.supportOffsets[t]!;
  const s1 = set.supportOffsets[t + 1]!;
  if (s1 === s0) return fallback;
  let s = 0;
  for (let r = s0; r < s1; r++) s += set.supportValues[r]!;
  return s / (s1 - s0);
}
