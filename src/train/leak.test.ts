// The test labels reach no choice: a whole run (baselines, the non-meta baseline's selection, local-rate
// choice on validation, meta-training, per-item-kind checkpoint picks) twice on a small synthetic
// problem, once as is and once with every TEST rating (support and query) replaced by seeded random
// ratings. Everything chosen or trained must be bit-identical; only the test metrics may move.
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type TrainConfig } from '../config/experiment';
import { loadDataset } from '../data/detect';
import { SCENARIOS, type ScenarioSplit, type TaskSet } from '../data/scenarios/types';
import { readSource } from '../data/source';
import { syntheticInputs } from '../data/synthetic';
import { initBackend, type BackendInfo } from '../kernels/backend';
import { createRng } from '../lib/rng';
import type { RunSummary, TrainEvent } from './events';
import { createKindSelection } from './kindSelection';
import { prepareExperiment } from './prepare';
import { runExperiment } from './run';

let backend: BackendInfo;
beforeAll(async () => {
  backend = await initBackend('wasm');
});

/** A copy of the set with every support and query rating replaced by a seeded random rating in 1..5. */
function scrambled(set: TaskSet, label: string): TaskSet {
  const rng = createRng(99).fork(label);
  const random = (values: Float32Array) => values.map(() => 1 + rng.int(5));
  return { ...set, supportValues: random(set.supportValues), queryValues: random(set.queryValues) };
}

function withScrambledTest(split: ScenarioSplit): ScenarioSplit {
  const test = { ...split.test };
  for (const s of SCENARIOS) test[s] = scrambled(split.test[s], s);
  return { ...split, test };
}

async function run(
  split: ScenarioSplit,
  layout: Parameters<typeof runExperiment>[0]['layout'],
  config: TrainConfig,
): Promise<{ summary: RunSummary; events: TrainEvent[] }> {
  const events: TrainEvent[] = [];
  const summary = await runExperiment({ datasetName: 'leak', split, layout, config, backend }, (e) =>
    events.push(e),
  );
  return { summary, events };
}

/** Everything a run chose or trained, which must not depend on the test labels. */
function choices({ summary, events }: { summary: RunSummary; events: TrainEvent[] }) {
  const evaluated = events.filter((e) => e.type === 'evaluated');
  const selection = createKindSelection();
  for (const e of evaluated) selection.consider(`epoch ${e.epoch}`, e.validation, e.test);
  const picks = Object.entries(selection.picks()).map(([kind, p]) => [kind, p?.label, p?.mae]);
  return {
    steps: events.flatMap((e) => (e.type === 'step' ? [e.loss] : [])),
    epochs: summary.epochs.map((r) => r.trainLoss),
    validation: evaluated.map((e) => e.validation),
    localRates: evaluated.map((e) => e.localRate),
    nonMeta: [
      summary.nonMetaLr,
      summary.nonMetaDropout,
      summary.nonMetaEpochs,
      summary.nonMetaFineTune,
      summary.nonMetaValidation,
    ],
    biasLambdas: summary.biasLambdas,
    picks,
    // MAMO: the memories and the attention of the evaluated test users (their profiles, not labels)
    memory: events.flatMap((e) => (e.type === 'memory' ? [[e.profileMemory, e.attention]] : [])),
  };
}

describe('no leak of the test labels', () => {
  it.each(['melu', 'mamo'] as const)(
    '%s: scrambling every test rating changes the test metrics and nothing chosen or trained',
    async (model) => {
      const dataset = await loadDataset(
        readSource(syntheticInputs(5, { users: 150, items: 120, minRatings: 70, maxRatings: 100 })),
      );
      const config: TrainConfig = {
        ...DEFAULT_CONFIG,
        model,
        epochs: 3,
        gradClip: model === 'mamo' ? 5 : 0,
        evalEvery: 1,
        innerLr: 0.01,
        outerLr: 1e-3,
        featureDropout: 0.3,
        resampleTasks: true,
        chooseLocalRate: true,
        baselines: true,
        nonMetaMaxEpochs: 4,
        evalUsers: 8,
        backend: 'wasm',
      };
      const prepared = prepareExperiment(dataset, config);
      for (const s of SCENARIOS) expect(prepared.split.test[s].count, s).toBeGreaterThan(0);
      expect(prepared.split.validation.item_cold.count).toBeGreaterThan(0);
      const plain = await run(prepared.split, prepared.layout, config);
      const blind = await run(withScrambledTest(prepared.split), prepared.layout, config);

      const a = choices(plain);
      const b = choices(blind);
      expect(a.steps.length).toBeGreaterThan(0);
      expect(a.validation.length).toBe(config.epochs + 1);
      expect(a.localRates.every((r) => r !== undefined)).toBe(true);
      expect(a.nonMeta.every((x) => x !== undefined)).toBe(true);
      expect(a.biasLambdas).toBeDefined();
      expect(a.picks.every(([, label]) => label !== undefined)).toBe(true);
      // bit-identical (toEqual compares numbers with Object.is)
      expect(b.steps).toEqual(a.steps);
      expect(b.epochs).toEqual(a.epochs);
      expect(b.validation).toEqual(a.validation);
      expect(b.localRates).toEqual(a.localRates);
      expect(b.nonMeta).toEqual(a.nonMeta);
      expect(b.biasLambdas).toEqual(a.biasLambdas);
      expect(b.picks).toEqual(a.picks);
      expect(b.memory).toEqual(a.memory);
      expect(a.memory.length).toBe(model === 'mamo' ? config.epochs + 1 : 0);
      // not vacuous: the test metrics of the model and of every baseline moved
      for (const s of SCENARIOS) {
        expect(blind.summary.scenarios[s]!.mae, s).not.toBe(plain.summary.scenarios[s]!.mae);
        for (const name of ['globalMean', 'supportMean', 'bias', 'nonMeta'] as const)
          expect(blind.summary.baselines[name]![s]!.mae, `${name} ${s}`).not.toBe(
            plain.summary.baselines[name]![s]!.mae,
          );
      }
    },
  );
});
