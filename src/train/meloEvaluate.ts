/**
 * MELO's evaluation (meloRun.ts): query predictions before and after the J local steps for the
 * sampled tasks of each cell, a constant-per-task predictor on the same tasks, and the learned rates.
 * `onTest` receives each test cell's predictions (src/experiment/sequenceJob.ts keeps per-user errors).
 */
import * as tf from '@tensorflow/tfjs';
import { SCENARIOS, type Scenario, type ScenarioTasks, type TaskSet } from '../data/scenarios/types';
import { yieldToEventLoop } from '../lib/yield';
import type { SequenceDims } from '../models/sequence';
import { ratingRange, type ExperimentInput } from './epochs';
import { constantMetrics, scenarioMetrics, type TaskSetPredictions } from './evaluate';
import type { ScenarioRecord } from './events';
import { meloPredict, type MeloConfig, type MeloState } from './meloMeta';
import { disposeBatch, evaluationWindow, sequenceBatch, type Window } from './meloWindows';
import type { evaluationSample } from './sample';

/**
 * Predictions of windows before and after the local steps on each window's support, on the host:
 * flat [T x L] (window j's position l at j L + l; padding positions hold whatever the head gives).
 */
export async function predictWindows(
  state: MeloState,
  dims: SequenceDims,
  windows: readonly Window[],
  config: Pick<MeloConfig, 'steps' | 'weighting'>,
): Promise<{ before: Float32Array; after: Float32Array }> {
  const batch = sequenceBatch(windows, dims.length);
  const p = tf.tidy(() => {
    const r = meloPredict(state, dims, batch, config);
    return [r.before, r.after];
  });
  disposeBatch(batch);
  try {
    const [before, after] = await Promise.all(p.map((t) => t.data()));
    return { before: before as Float32Array, after: after as Float32Array };
  } finally {
    p.forEach((t) => t.dispose());
  }
}

/** Query predictions before and after adaptation for the sampled tasks of every non-empty cell. */
export async function evaluateSets(
  state: MeloState,
  input: ExperimentInput,
  dims: SequenceDims,
  steps: number,
  sample: ReturnType<typeof evaluationSample>,
  roles: readonly ('validation' | 'test')[],
  onTest?: (scenario: Scenario, set: TaskSet, predictions: TaskSetPredictions) => void,
): Promise<{ test: ScenarioRecord; validation: ScenarioRecord }> {
  const { config, split } = input;
  const range = ratingRange(split.train);
  const out: { test: ScenarioRecord; validation: ScenarioRecord } = { test: {}, validation: {} };
  for (const role of roles) {
    const sets: ScenarioTasks = split[role];
    for (const scenario of SCENARIOS) {
      const set = sets[scenario];
      if (set.count === 0) continue;
      const taskIds = sample.tasks(role, scenario, set.count);
      const offsets = new Int32Array(taskIds.length + 1);
      const truth: number[] = [];
      const before: number[] = [];
      const after: number[] = [];
      for (let k0 = 0; k0 < taskIds.length; k0 += 64) {
        const ids = Array.from(taskIds.subarray(k0, k0 + 64));
        const windows = ids.map((t) => evaluationWindow(set, t, dims.length));
        const { before: b, after: a } = await predictWindows(state, dims, windows, {
          steps,
          weighting: config.lossWeighting,
        });
        windows.forEach((w, j) => {
          for (let l = w.support; l < w.items.length; l++) {
            truth.push(w.ratings[l]!);
            before.push(b[j * dims.length + l]!);
            after.push(a[j * dims.length + l]!);
          }
          offsets[k0 + j + 1] = truth.length;
        });
        await yieldToEventLoop();
      }
      const prediction = (values: number[]) => ({
        offsets,
        truth: Float32Array.from(truth),
        predicted: Float32Array.from(values),
        range,
      });
      const predictions: TaskSetPredictions = {
        taskIds,
        before: prediction(before),
        after: prediction(after),
        attention: null,
        profiles: null,
        profileWidth: 0,
      };
      if (role === 'test') onTest?.(scenario, set, predictions);
      out[role][scenario] = scenarioMetrics(set, predictions);
    }
  }
  return out;
}

/** A constant-per-task predictor on every non-empty test cell (the same sampled tasks). */
export function evaluateConstant(
  sets: ScenarioTasks,
  sample: ReturnType<typeof evaluationSample>,
  valueOf: (set: TaskSet, t: number) => number,
): ScenarioRecord {
  const out: ScenarioRecord = {};
  for (const scenario of SCENARIOS) {
    const set = sets[scenario];
    if (set.count === 0) continue;
    out[scenario] = constantMetrics(set, sample.tasks('test', scenario, set.count), (t) => valueOf(set, t));
  }
  return out;
}

/** alpha_k[j] of every task-parameter key k and local step j (as `key@step`), for the summary. */
export async function learnedRates(state: MeloState): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [key, t] of Object.entries(state.rates))
    (await t.data()).forEach((v, j) => (out[`${key}@${j + 1}`] = v));
  return out;
}
