/**
 * MELO's per-epoch diagnostics (the `meloDiagnostics` event, meloRun.ts): on the first
 * MELO_DIAGNOSTIC_TASKS validation tasks of the evaluation sample (their latest windows, as evaluated),
 *   1. the loss weight w = |g_phi(ratings, y^, l)| of every support position at the first local step
 *      (theta_0 = the meta-learned init), grouped by the position's rating (box statistics);
 *   2. the learned local rates alpha_k[j] as a matrix [task-parameter key x step] (MAML++ LSLR);
 *   3. the query MAE per true rating 1..5 before and after the J local steps.
 * No random draws: it changes no number of the run.
 */
import * as tf from '@tensorflow/tfjs';
import { SCENARIOS } from '../data/scenarios/types';
import { sequenceForward, taskParams, type SequenceDims } from '../models/sequence';
import { lossWeights } from '../models/sequenceWeighting';
import { ratingRange, type ExperimentInput } from './epochs';
import type { MeloDiagnostics } from './events';
import { meloPredict, type MeloState } from './meloMeta';
import { tileTasks } from './meta';
import { disposeBatch, evaluationWindow, sequenceBatch, type Window } from './meloWindows';
import { errorsByRating, weightsByRating } from './ratingStats';
import type { evaluationSample } from './sample';

/** At most this many validation tasks (one padded batch) per diagnostic. */
export const MELO_DIAGNOSTIC_TASKS = 64;

/** The first `cap` validation tasks of the evaluation sample, cell after cell, as windows. */
function validationWindows(
  input: ExperimentInput,
  dims: SequenceDims,
  sample: ReturnType<typeof evaluationSample>,
  cap: number,
): Window[] {
  const out: Window[] = [];
  for (const scenario of SCENARIOS) {
    const set = input.split.validation[scenario];
    if (set.count === 0) continue;
    for (const t of sample.tasks('validation', scenario, set.count)) {
      if (out.length >= cap) return out;
      out.push(evaluationWindow(set, t, dims.length));
    }
  }
  return out;
}

/** The matrix of learned local rates: one row per task-parameter key, one column per local step. */
export async function rateMatrix(state: MeloState): Promise<MeloDiagnostics['innerRates']> {
  const layers = Object.keys(state.rates);
  const values: number[] = [];
  let steps = 0;
  for (const key of layers) {
    const row = await state.rates[key]!.data();
    steps = row.length;
    values.push(...row);
  }
  return { layers, steps, values };
}

/** The diagnostics of the state at `epoch` (see the file comment); J = `steps` local steps. */
export async function meloDiagnostics(
  state: MeloState,
  input: ExperimentInput,
  dims: SequenceDims,
  steps: number,
  sample: ReturnType<typeof evaluationSample>,
  epoch: number,
  cap = MELO_DIAGNOSTIC_TASKS,
): Promise<MeloDiagnostics> {
  const weighting = input.config.lossWeighting;
  const innerRates = await rateMatrix(state);
  const windows = validationWindows(input, dims, sample, cap);
  if (windows.length === 0)
    return { epoch, tasks: 0, lossWeights: null, innerRates, ratingErrors: errorsByRating([], [], []) };
  const batch = sequenceBatch(windows, dims.length);
  const S = batch.supportLength;
  const out = tf.tidy(() => {
    const r = meloPredict(state, dims, batch, { steps, weighting });
    if (weighting === 'none' || !state.phi) return [r.before, r.after];
    // the weights of the first local step: g_phi at theta_0's predictions and losses (adapt's first call)
    const tp = taskParams(state.theta, batch.items, (t) => tileTasks(t, windows.length));
    const pred = sequenceForward(tp, dims);
    const cut = (t: tf.Tensor) => tf.slice(t, [0, 0], [windows.length, S]) as tf.Tensor2D;
    const errors = tf.square(tf.sub(pred, batch.ratings));
    const mask = cut(batch.support);
    const w = lossWeights(weighting, state.phi, cut(batch.ratings), cut(pred), cut(errors), mask);
    return [r.before, r.after, w, cut(batch.ratings), mask];
  });
  disposeBatch(batch);
  const data = await Promise.all(out.map((t) => t.data()));
  out.forEach((t) => t.dispose());
  const [before, after, w, ratings, mask] = data;
  const truth: number[] = [];
  const b: number[] = [];
  const a: number[] = [];
  windows.forEach((win, j) => {
    for (let l = win.support; l < win.items.length; l++) {
      truth.push(win.ratings[l]!);
      b.push(before![j * dims.length + l]!);
      a.push(after![j * dims.length + l]!);
    }
  });
  return {
    epoch,
    tasks: windows.length,
    lossWeights: w && ratings && mask ? weightsByRating(w, ratings, mask) : null,
    innerRates,
    ratingErrors: errorsByRating(truth, b, a, ratingRange(input.split.train)),
  };
}
