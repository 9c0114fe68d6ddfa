// The supervised term of the meta-loss (config supervisedWeight), MeLU and MAMO: one SGD meta-step with
// lambda = 0, 1, 2 changes the un-adapted predictions linearly in lambda (to first order in the rate).
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type TrainConfig } from '../config/experiment';
import { createRng } from '../lib/rng';
import { batchTensors, disposeBatchTensors, makeBatch, type BatchTensors } from './batch';
import { createMamoEngine, createMeluEngine, disposePredictions, single } from './engine';
import { prepareExperiment } from './prepare';
import { demoDataset } from '../../tests/helpers/demo';

interface Problem {
  prepared: ReturnType<typeof prepareExperiment>;
  train: BatchTensors;
  probe: BatchTensors;
}

/** 8 training tasks to step on and 3 warm test tasks to probe, for a model's plain-SGD config. */
async function problem(base: TrainConfig): Promise<Problem> {
  const prepared = prepareExperiment(await demoDataset(), base);
  const ids = Int32Array.from({ length: 8 }, (_, k) => k);
  return {
    prepared,
    train: batchTensors(makeBatch(prepared.split.train, ids, prepared.layout), prepared.layout),
    probe: batchTensors(makeBatch(prepared.split.test.warm, [0, 1, 2], prepared.layout), prepared.layout),
  };
}

/**
 * The probe's predictions before local adaptation after one meta-step with supervised weight lambda
 * ('supervised only': the plain supervised step of pre-training; 'none': no step at all).
 */
async function afterOneStep(
  base: TrainConfig,
  prob: Problem,
  lambda: number | 'supervised only' | 'none',
  strategy: 'tile' | 'ragged' = 'tile',
): Promise<Float32Array> {
  const config = { ...base, supervisedWeight: typeof lambda === 'number' ? lambda : 0 };
  const options = { config, layout: prob.prepared.layout, meanRating: 3.5, rng: createRng(3), strategy };
  const engine = base.model === 'melu' ? createMeluEngine(options) : createMamoEngine(options);
  if (lambda !== 'none') {
    engine.trainStep(single(prob.train), lambda === 'supervised only').dispose();
    engine.commit();
  }
  const p = engine.predict(prob.probe);
  const out = (await p.before.data()) as Float32Array;
  disposePredictions(p);
  engine.dispose();
  return out;
}

const delta = (a: Float32Array, b: Float32Array) => Array.from(a, (v, i) => v - b[i]!);

/** a = 2 b within 2% of b's largest entry, and b is not nothing. */
function expectDouble(a: number[], b: number[]): void {
  const size = Math.max(...b.map(Math.abs));
  expect(size).toBeGreaterThan(1e-5); // the term does something
  for (let i = 0; i < b.length; i++) expect(Math.abs(a[i]! - 2 * b[i]!)).toBeLessThan(0.02 * size + 1e-6);
}

const plainSgd = (model: TrainConfig['model']): TrainConfig => ({
  ...DEFAULT_CONFIG,
  model,
  innerLr: 0.05,
  outerLr: 1e-4,
  outerOptimizer: 'sgd',
  weightDecay: 0,
  gradClip: 0,
});

describe('the supervised term', () => {
  beforeAll(async () => {
    expect(await tf.setBackend('cpu')).toBe(true);
  });
  afterAll(async () => {
    await tf.setBackend('wasm');
  });

  it('MeLU: adds lambda times the supervised gradient to the meta-gradient (one SGD step, to first order in the rate)', async () => {
    const base = plainSgd('melu');
    const prob = await problem(base);
    const [f0, fMeta, fOne, fTwo, fSup] = [
      await afterOneStep(base, prob, 'none'),
      await afterOneStep(base, prob, 0),
      await afterOneStep(base, prob, 1),
      await afterOneStep(base, prob, 2),
      await afterOneStep(base, prob, 'supervised only'),
    ];
    const one = delta(fOne!, fMeta!); // -rate J g_supervised
    const two = delta(fTwo!, fMeta!); // -2 rate J g_supervised
    const sup = delta(fSup!, f0!); // -rate J g_supervised, from a supervised-only step
    expectDouble(two, one);
    const size = Math.max(...one.map(Math.abs));
    for (let i = 0; i < one.length; i++) expect(Math.abs(sup[i]! - one[i]!)).toBeLessThan(0.02 * size + 1e-6);
    disposeBatchTensors(prob.train);
    disposeBatchTensors(prob.probe);
  });

  for (const strategy of ['tile', 'ragged'] as const) {
    it(`MAMO (${strategy}): the change of one step is linear in lambda, the same in both forms`, async () => {
      // the memories are written from the meta-gradient's pieces alone, the same for every lambda
      const base = plainSgd('mamo');
      const prob = await problem(base);
      const [f0, f1, f2] = [
        await afterOneStep(base, prob, 0, strategy),
        await afterOneStep(base, prob, 1, strategy),
        await afterOneStep(base, prob, 2, strategy),
      ];
      expectDouble(delta(f2, f0), delta(f1, f0));
      const other = await afterOneStep(base, prob, 1, strategy === 'tile' ? 'ragged' : 'tile');
      for (let i = 0; i < f1.length; i++) expect(Math.abs(other[i]! - f1[i]!)).toBeLessThan(1e-5);
      disposeBatchTensors(prob.train);
      disposeBatchTensors(prob.probe);
    });
  }

  it('MAMO: the pre-training step is the supervised term alone and writes no memory; no leak', async () => {
    // with write rates 0 a meta-step's memory write is the identity, so the lambda = 1 step's extra
    // change, -rate J g_supervised, is what the supervised step alone does from the same start
    const base: TrainConfig = {
      ...plainSgd('mamo'),
      profileWriteRate: 0,
      gradientWriteRate: 0,
      preferenceWriteRate: 0,
    };
    const prob = await problem(base);
    const before = tf.memory().numTensors;
    const [f0, f1, fSup, none] = [
      await afterOneStep(base, prob, 0, 'ragged'),
      await afterOneStep(base, prob, 1, 'ragged'),
      await afterOneStep(base, prob, 'supervised only', 'ragged'),
      await afterOneStep(base, prob, 'none', 'ragged'),
    ];
    const term = delta(f1, f0);
    const sup = delta(fSup, none);
    const size = Math.max(...term.map(Math.abs));
    expect(size).toBeGreaterThan(1e-5);
    for (let i = 0; i < term.length; i++)
      expect(Math.abs(sup[i]! - term[i]!)).toBeLessThan(0.02 * size + 1e-6);
    // with the paper's write rates, the supervised step still leaves the memories as they were
    const options = {
      config: plainSgd('mamo'),
      layout: prob.prepared.layout,
      meanRating: 3.5,
      rng: createRng(3),
      strategy: 'ragged' as const,
    };
    const engine = createMamoEngine(options);
    const m0 = (await engine.profileMemory())!.values;
    engine.trainStep(single(prob.train), true).dispose();
    engine.commit();
    expect(Array.from((await engine.profileMemory())!.values)).toEqual(Array.from(m0));
    engine.trainStep(single(prob.train), false).dispose();
    engine.commit();
    expect(Array.from((await engine.profileMemory())!.values)).not.toEqual(Array.from(m0));
    engine.dispose();
    expect(tf.memory().numTensors).toBe(before);
    disposeBatchTensors(prob.train);
    disposeBatchTensors(prob.probe);
  });
});
