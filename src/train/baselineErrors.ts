// Per-user errors of the baselines without a network, shared by the results protocol
// (experiment/job.ts) and a run's `evaluated` events (run.ts). Moved from job.ts unchanged.
import { SCENARIOS } from '../data/scenarios/types';
import { chooseBiasModel, userResidual } from './biasBaseline';
import { meanTrainingRating, ratingRange, type ExperimentInput } from './epochs';
import { constantPredictions, supportMean } from './evaluate';
import type { BaselineName } from './events';
import { evaluationSample } from './sample';
import { addPredictor, userErrorsOf, type SeedErrors } from './userErrors';

/**
 * The per-user errors of the rows without a network (global mean, support mean, bias), on the seed's
 * test sample: the predictions baselines.ts constantBaselines measures (global mean μ; support
 * mean; bias μ + b_i + b_u with the λ chosen on validation, clipped to the rating range as biasMetrics).
 */
export function constantErrors(
  input: ExperimentInput,
  errors: SeedErrors,
  wants: (b: BaselineName) => boolean,
): void {
  const global = meanTrainingRating(input.split.train);
  const range = ratingRange(input.split.train);
  const bias = wants('bias') ? chooseBiasModel(input.split, input.layout, range).model : null;
  const sample = evaluationSample(input.config.seed, input.config.evalUsers);
  for (const s of SCENARIOS) {
    const set = input.split.test[s];
    if (set.count === 0) continue;
    const ids = sample.tasks('test', s, set.count);
    const constant = (valueOf: (t: number) => number) =>
      userErrorsOf(set, ids, constantPredictions(set, ids, valueOf));
    if (wants('globalMean'))
      addPredictor(
        errors,
        s,
        'globalMean',
        constant(() => global),
      );
    if (wants('supportMean'))
      addPredictor(
        errors,
        s,
        'supportMean',
        constant((t) => supportMean(set, t, global)),
      );
    if (bias) {
      // per query rating: μ + b_i + b_u(t); constantPredictions' layout, one value per rating
      const p = constantPredictions(set, ids, () => 0);
      const predicted = Float32Array.from(p.predicted);
      ids.forEach((t, k) => {
        const bu = userResidual(bias, set, t, bias.lambdas.user);
        const q0 = set.queryOffsets[t]!;
        for (let j = 0; j < p.offsets[k + 1]! - p.offsets[k]!; j++)
          predicted[p.offsets[k]! + j] = bias.mean + bias.itemBias[set.queryItems[q0 + j]!]! + bu;
      });
      addPredictor(errors, s, 'bias', userErrorsOf(set, ids, { ...p, predicted, range }));
    }
  }
}
