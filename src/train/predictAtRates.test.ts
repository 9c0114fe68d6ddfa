// ModelEngine.predictAtRates (MAMO; MeLU's is in fineTune.test.ts): trying several local rates on one
// batch shares the work that does not depend on the rate, and gives each rate the numbers predict gives
// it alone, bit for bit (tiny model, cpu and wasm).
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type TrainConfig } from '../config/experiment';
import { createRng } from '../lib/rng';
import { tinyProblem } from '../../tests/helpers/tinyProblem';
import { batchTensors, disposeBatchTensors, makeBatch } from './batch';
import { createMamoEngine, disposePredictions, disposeRatePredictions, single } from './engine';
import type { MamoStrategy } from './mamoMeta';

const tiny = tinyProblem(4, { tasks: 8 });

afterAll(async () => {
  await tf.setBackend('wasm');
});

describe('MAMO predictAtRates', () => {
  it.each([
    ['cpu', 'ragged', 1, 0],
    ['cpu', 'ragged', 3, 0.03],
    ['cpu', 'tile', 2, 0.03],
    ['wasm', 'ragged', 3, 0.03],
  ] as const)(
    '%s %s, %i local steps (learned rates %s): each rate as predict gives it alone',
    async (backend, strategy, innerSteps, localRateLr) => {
      expect(await tf.setBackend(backend)).toBe(true);
      const config: TrainConfig = {
        ...DEFAULT_CONFIG,
        model: 'mamo',
        embeddingDim: 4,
        hiddenDim: 8,
        memorySlots: 2,
        innerSteps,
        innerLr: 0.05,
        localRateLr,
      };
      const engine = createMamoEngine({
        config,
        layout: tiny.layout,
        meanRating: 3.5,
        rng: createRng(7),
        strategy: strategy as MamoStrategy,
      });
      const ids = Int32Array.from({ length: 8 }, (_, k) => k);
      const batch = batchTensors(makeBatch(tiny.tasks, ids, tiny.layout), tiny.layout);
      // one meta-step first, so the memories and weights are not the initial ones
      engine.trainStep(single(batch)).dispose();
      engine.commit();
      const rates = [0, 0.01, undefined, 0.1];
      const many = engine.predictAtRates(batch, rates);
      const afters = await Promise.all(many.after.map((a) => a.data()));
      // four different rates (undefined: the configured 0.05), four different predictions
      expect(new Set(afters.map((a) => a.join())).size).toBe(rates.length);
      for (const [k, lr] of rates.entries()) {
        const one = engine.predict(batch, lr);
        expect(afters[k], `rate ${lr}`).toEqual(await one.after.data());
        expect(await many.before.data()).toEqual(await one.before.data());
        expect(await many.attention!.data()).toEqual(await one.attention!.data());
        disposePredictions(one);
      }
      disposeRatePredictions(many);
      // the non-meta network's fine-tunings are MeLU's: MAMO says so rather than ignore them
      expect(() => engine.predictAtRates(batch, rates, [{ layers: 'last', clip: 0 }])).toThrow(/MeLU/);
      disposeBatchTensors(batch);
      engine.dispose();
    },
  );
});
