// The non-meta baseline's fine-tuning choices (localRate.ts FineTune): the last layer only, and per-task
// clipping of the local gradient, in every MeLU prediction strategy; the plain choice is unchanged.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type TrainConfig } from '../config/experiment';
import { createRng } from '../lib/rng';
import { demoDataset } from '../../tests/helpers/demo';
import { batchTensors, disposeBatchTensors, makeBatch, type BatchTensors } from './batch';
import {
  createMeluEngine,
  disposePredictions,
  disposeRatePredictions,
  single,
  type ModelEngine,
} from './engine';
import { clipTaskGradients } from './fineTune';
import { FINE_TUNE_GRID_V1 } from './adaptation';
import { FINE_TUNE_GRID, FULL_FINE_TUNE, formatFineTune, type FineTune } from './localRate';
import type { MeluStrategy } from './meluMeta';
import { prepareExperiment } from './prepare';

const config: TrainConfig = { ...DEFAULT_CONFIG, model: 'melu', innerLr: 0.05, outerLr: 1e-3 };

let prepared: ReturnType<typeof prepareExperiment>;
let train: BatchTensors;
let probe: BatchTensors;

const engines = new Map<string, ModelEngine>();

/** A MeLU engine after 2 supervised steps (the same numbers for every strategy), one per strategy and steps. */
function engineFor(strategy: MeluStrategy, innerSteps: number): ModelEngine {
  const key = `${strategy} ${innerSteps}`;
  if (!engines.has(key)) {
    const engine = createMeluEngine({
      config: { ...config, innerSteps },
      layout: prepared.layout,
      meanRating: 3.5,
      rng: createRng(5),
      strategy,
      supervised: true,
    });
    for (let k = 0; k < 2; k++) {
      engine.trainStep(single(train), true).dispose();
      engine.commit();
    }
    engines.set(key, engine);
  }
  return engines.get(key)!;
}

/** Query predictions (before, after) at `lr` and `fineTune`. */
async function predictions(
  strategy: MeluStrategy,
  lr: number,
  fineTune?: FineTune,
  innerSteps = 1,
): Promise<{ before: Float32Array; after: Float32Array }> {
  const p = engineFor(strategy, innerSteps).predict(probe, lr, fineTune);
  const out = {
    before: (await p.before.data()) as Float32Array,
    after: (await p.after.data()) as Float32Array,
  };
  disposePredictions(p);
  return out;
}

const maxDiff = (a: Float32Array, b: Float32Array) =>
  Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i]!)));

describe('fine-tuning choices of the non-meta baseline', () => {
  beforeAll(async () => {
    expect(await tf.setBackend('cpu')).toBe(true);
    prepared = prepareExperiment(await demoDataset(), config);
    const ids = Int32Array.from({ length: 16 }, (_, k) => k);
    train = batchTensors(makeBatch(prepared.split.train, ids, prepared.layout), prepared.layout);
    probe = batchTensors(makeBatch(prepared.split.test.warm, [0, 1, 2, 3], prepared.layout), prepared.layout);
  });
  afterAll(async () => {
    for (const engine of engines.values()) engine.dispose();
    disposeBatchTensors(train);
    disposeBatchTensors(probe);
    await tf.setBackend('wasm');
  });

  it('the grid starts with the plain fine-tuning, which changes nothing', async () => {
    expect(FINE_TUNE_GRID[0]).toEqual(FULL_FINE_TUNE);
    expect(FINE_TUNE_GRID.map(formatFineTune)).toEqual([
      'all layers',
      'all layers, clip 1',
      'last layer',
      'last layer, clip 1',
    ]);
    for (const strategy of ['ragged', 'algebraic', 'tile'] as const) {
      const plain = await predictions(strategy, 0.05);
      const full = await predictions(strategy, 0.05, FULL_FINE_TUNE);
      expect(full.after).toEqual(plain.after);
    }
  });

  it('last layer only: the same in every strategy, linear in the rate, and different from all layers', async () => {
    const last: FineTune = { layers: 'last', clip: 0 };
    const [ragged, algebraic, tile] = await Promise.all(
      (['ragged', 'algebraic', 'tile'] as const).map((s) => predictions(s, 0.05, last)),
    );
    expect(maxDiff(ragged!.after, tile!.after)).toBeLessThan(1e-4);
    expect(maxDiff(algebraic!.after, tile!.after)).toBeLessThan(1e-4);
    // one step of the last layer only: after − before = −α (h2_q g3 + g_b3), exactly linear in α
    const double = await predictions('tile', 0.1, last);
    const step = Array.from(tile!.after, (v, i) => v - tile!.before[i]!);
    expect(Math.max(...step.map(Math.abs))).toBeGreaterThan(1e-4);
    step.forEach((d, i) => expect(double.after[i]! - double.before[i]!).toBeCloseTo(2 * d, 4));
    const all = await predictions('tile', 0.05);
    expect(maxDiff(all.after, tile!.after)).toBeGreaterThan(1e-4);
  });

  it('clipping: a huge clip changes nothing, a tiny one all but stops the step, in every strategy', async () => {
    for (const strategy of ['ragged', 'algebraic', 'tile'] as const)
      for (const layers of ['all', 'last'] as const)
        for (const steps of [1, 2]) {
          const plain = await predictions(strategy, 0.05, { layers, clip: 0 }, steps);
          const huge = await predictions(strategy, 0.05, { layers, clip: 1e9 }, steps);
          const tiny = await predictions(strategy, 0.05, { layers, clip: 1e-7 }, steps);
          expect(maxDiff(huge.after, plain.after), `${strategy} ${layers} ${steps}`).toBeLessThan(1e-4);
          expect(maxDiff(tiny.after, plain.before), `${strategy} ${layers} ${steps}`).toBeLessThan(1e-5);
          expect(maxDiff(plain.after, plain.before)).toBeGreaterThan(1e-3);
        }
  });

  it('predictAtRates gives each rate the numbers predict gives it alone, for every v1 fine-tuning', async () => {
    const rates = [0, undefined, 0.05];
    // every fine-tuning on the ragged plan (the one the experiments run); the others' one-step ones
    for (const strategy of ['ragged', 'algebraic', 'tile'] as const)
      for (const fineTune of FINE_TUNE_GRID_V1.filter((f) => strategy === 'ragged' || f.steps === 1)) {
        const engine = engineFor(strategy, 2);
        const many = engine.predictAtRates(probe, rates, [fineTune]);
        const before = (await many.before.data()) as Float32Array;
        for (const [k, lr] of rates.entries()) {
          const one = engine.predict(probe, lr, fineTune);
          const what = `${strategy} ${formatFineTune(fineTune)} rate ${lr}`;
          expect(await many.after[k]!.data(), what).toEqual(await one.after.data());
          expect(before, what).toEqual(await one.before.data());
          disposePredictions(one);
        }
        disposeRatePredictions(many);
      }
  });

  it('predictAtRates over all v1 fine-tunings at once gives each the numbers it gets alone', async () => {
    const rates = [0, undefined, 0.05, 0.02];
    // 1-step before 5-step (the grid's order: the clipped 5-step continues from the 1-step weights) and
    // the reverse (nothing to continue from)
    for (const grid of [FINE_TUNE_GRID_V1, [...FINE_TUNE_GRID_V1].reverse()]) {
      const engine = engineFor('ragged', 2);
      const all = engine.predictAtRates(probe, rates, grid);
      expect(all.after).toHaveLength(grid.length * rates.length);
      for (const [f, fineTune] of grid.entries()) {
        const alone = engine.predictAtRates(probe, rates, [fineTune]);
        for (const k of rates.keys())
          expect(
            await all.after[f * rates.length + k]!.data(),
            `${formatFineTune(fineTune)} rate ${rates[k]}`,
          ).toEqual(await alone.after[k]!.data());
        expect(await all.before.data()).toEqual(await alone.before.data());
        disposeRatePredictions(alone);
      }
      disposeRatePredictions(all);
    }
  });

  it('clipTaskGradients scales each task to norm <= clip over the keys that move', async () => {
    const g = { a: tf.tensor2d([3, 4, 0.3, 0.4], [2, 2]), b: tf.tensor1d([12, 0]) };
    const clipped = clipTaskGradients(g, 1, { a: 0.1, b: 0 });
    // task 0: ‖a‖ = 5 -> scale 0.2 (b, not adapted, is scaled alike but not counted); task 1: 0.5 < 1
    expect(Array.from(await clipped.a.data())).toEqual(
      [3 * 0.2, 4 * 0.2, 0.3, 0.4].map((v) => Math.fround(v)),
    );
    expect(Array.from(await clipped.b.data())[0]).toBeCloseTo(12 * 0.2, 5);
    const both = clipTaskGradients(g, 1, 0.1); // ‖(3, 4, 12)‖ = 13
    expect(Array.from(await both.b.data())[0]).toBeCloseTo(12 / 13, 5);
    for (const t of [g.a, g.b, clipped.a, clipped.b, both.a, both.b]) t.dispose();
  });
});
