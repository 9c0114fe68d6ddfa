// The per-user errors of a run's `evaluated` events (run.ts): every predictor's rows give back the
// metrics the same event and the baselines report, and the support column is each user's support size.
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type TrainConfig } from '../config/experiment';
import { SCENARIOS } from '../data/scenarios/types';
import { initBackend, type BackendInfo } from '../kernels/backend';
import { demoDataset } from '../../tests/helpers/demo';
import type { TrainEvent } from './events';
import { prepareExperiment } from './prepare';
import { runExperiment } from './run';
import { evaluationSample } from './sample';
import { checkErrors, withPredictors } from './userErrors';

let backend: BackendInfo;
beforeAll(async () => {
  backend = await initBackend('wasm');
});

describe('userErrors in the evaluated events', () => {
  it('hold the model, no adaptation and every baseline per test user, consistent with the metrics', async () => {
    const config: TrainConfig = { ...DEFAULT_CONFIG, epochs: 1, evalUsers: 15, backend: 'wasm' };
    const dataset = await demoDataset();
    const prepared = prepareExperiment(dataset, config);
    const events: TrainEvent[] = [];
    const summary = await runExperiment(
      { datasetName: 'demo', split: prepared.split, layout: prepared.layout, config, backend },
      (e) => events.push(e),
    );
    const evaluated = events.filter((e) => e.type === 'evaluated');
    expect(evaluated.length).toBe(2);
    // the baselines run once, after the first epoch's evaluation: their rows come with their event,
    // on the same test users, and join each evaluation's rows (what the notebook's reducer does)
    const baselineEvents = events.filter((e) => e.type === 'baselines');
    expect(baselineEvents).toHaveLength(1);
    const baselineRows = baselineEvents[0]!.userErrors!;
    for (const e of evaluated) {
      const errors = withPredictors(e.userErrors!, baselineRows);
      expect(Object.keys(errors).sort()).toEqual([...SCENARIOS].sort());
      for (const s of SCENARIOS) {
        const rows = errors[s]!;
        expect(Object.keys(rows.predictors).sort()).toEqual(
          ['bias', 'globalMean', 'model', 'noAdaptation', 'nonMeta', 'supportMean'].sort(),
        );
        // support ratings per user, summed over the user's tasks of the evaluated sample
        const set = prepared.split.test[s];
        const ids = evaluationSample(config.seed, config.evalUsers).tasks('test', s, set.count);
        const expected = new Map<number, number>();
        for (const t of ids)
          expected.set(
            set.users[t]!,
            (expected.get(set.users[t]!) ?? 0) + set.supportOffsets[t + 1]! - set.supportOffsets[t]!,
          );
        expect(rows.support).toEqual(rows.users.map((u) => expected.get(u)));
      }
    }
    // the last evaluation with the baselines' rows gives back every reported number (to 1e-9)
    const last = withPredictors(evaluated[evaluated.length - 1]!.userErrors!, baselineRows);
    expect(() => checkErrors(last, { model: summary.scenarios, ...summary.baselines })).not.toThrow();
  });
});
