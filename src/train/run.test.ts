// runExperiment end to end on the synthetic demo (wasm): learning, leaks, determinism, the divergence
// guard, and batched training against the per-user loop over many steps.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type TrainConfig } from '../config/experiment';
import { SCENARIOS } from '../data/scenarios/types';
import { initBackend, type BackendInfo } from '../kernels/backend';
import { createRng } from '../lib/rng';
import { batchTensors, disposeBatchTensors, groupBySupport, makeBatch } from './batch';
import { createMamoEngine, createMeluEngine, single } from './engine';
import type { RunSummary, TrainEvent } from './events';
import { checkpointEpochs } from './baselines';
import { prepareExperiment } from './prepare';
import { candidateRates, FINE_TUNE_GRID, meanMae } from './localRate';
import { runExperiment } from './run';
import { meluLocalKeys } from '../models/melu';
import { demoDataset } from '../../tests/helpers/demo';

let backend: BackendInfo;
beforeAll(async () => {
  backend = await initBackend('wasm');
});

async function run(config: TrainConfig): Promise<{ summary: RunSummary; events: TrainEvent[] }> {
  const dataset = await demoDataset();
  const prepared = prepareExperiment(dataset, config);
  const events: TrainEvent[] = [];
  const summary = await runExperiment(
    { datasetName: 'demo', split: prepared.split, layout: prepared.layout, config, backend },
    (e) => events.push(e),
  );
  return { summary, events };
}

describe('meta-training on the synthetic demo', () => {
  for (const model of ['melu', 'mamo'] as const) {
    it(`${model} beats the global-mean and support-mean baselines in MAE on every scenario`, async () => {
      // explicit settings (not a preset, which tuning may change): Adam 1e-3, local rate 0.01
      const config: TrainConfig = {
        ...DEFAULT_CONFIG,
        model,
        innerLr: 0.01,
        outerLr: 1e-3,
        outerOptimizer: 'adam',
        gradClip: model === 'mamo' ? 5 : 0,
        epochs: model === 'melu' ? 5 : 10,
        backend: 'wasm',
      };
      const { summary } = await run(config);
      for (const s of SCENARIOS) {
        const mae = summary.scenarios[s]!.mae;
        expect(mae, `${model} ${s}`).toBeLessThan(summary.baselines.globalMean![s]!.mae);
        expect(mae, `${model} ${s}`).toBeLessThan(summary.baselines.supportMean![s]!.mae);
      }
      // the non-meta baseline's fine-tuning rate was chosen on validation among the candidates
      expect(candidateRates(config.innerLr)).toContain(summary.nonMetaLr!.warmItems);
      expect(candidateRates(config.innerLr)).toContain(summary.nonMetaLr!.newItems);
      for (const s of SCENARIOS) expect(summary.baselines.nonMeta![s]!.mae).toBeLessThan(1.5);
    });
  }

  it('is deterministic for a seed (same losses) and leaks no tensors across 50 steps', async () => {
    const config: TrainConfig = {
      ...DEFAULT_CONFIG,
      model: 'mamo',
      epochs: 4,
      batchSize: 32,
      baselines: false,
      evalUsers: 5,
    };
    const before = tf.memory().numTensors;
    const a = await run(config);
    expect(tf.memory().numTensors).toBe(before);
    const steps = a.events.filter((e) => e.type === 'step');
    expect(steps.length).toBeGreaterThanOrEqual(40);
    const counts = steps.map((e) => (e.type === 'step' ? e.numTensors : 0));
    expect(Math.max(...counts.slice(2)) - Math.min(...counts.slice(2))).toBe(0);
    const b = await run(config);
    const losses = (r: typeof a) => r.events.flatMap((e) => (e.type === 'step' ? [e.loss] : []));
    expect(losses(b)).toEqual(losses(a));
  });

  it('MeLU with pre-training, the supervised term, re-drawn tasks and feature dropout: seeded, learns, no leak', async () => {
    const base: TrainConfig = {
      ...DEFAULT_CONFIG,
      model: 'melu',
      innerLr: 0.01,
      outerLr: 1e-3,
      epochs: 2,
      baselines: false,
      evalUsers: 20,
      backend: 'wasm',
    };
    const config: TrainConfig = {
      ...base,
      pretrainEpochs: 2,
      supervisedWeight: 1,
      resampleTasks: true,
      trainQueryShare: 0.3,
      featureDropout: 0.3,
    };
    const before = tf.memory().numTensors;
    const a = await run(config);
    expect(tf.memory().numTensors).toBe(before);
    const b = await run(config);
    const losses = (r: Awaited<ReturnType<typeof run>>) =>
      r.events.flatMap((e) => (e.type === 'step' ? [e.loss] : []));
    expect(losses(b)).toEqual(losses(a));
    expect(losses(a).every(Number.isFinite)).toBe(true);
    // pre-training happens before epoch 0's evaluation: that model already beats the random init
    const epoch0 = (r: Awaited<ReturnType<typeof run>>) => {
      const e = r.events.find((x) => x.type === 'evaluated' && x.epoch === 0);
      return e?.type === 'evaluated' ? e.test.warm!.maeBefore : NaN;
    };
    const plain = await run(base);
    expect(epoch0(a)).toBeLessThan(epoch0(plain));
    // pre-training reports each of its epochs, before meta-training's first step
    const pre = a.events.flatMap((e, i) => (e.type === 'pretrained' ? [{ e, i }] : []));
    expect(pre.map((p) => p.e.epoch)).toEqual([1, 2]);
    expect(pre.every((p) => p.e.epochs === 2 && Number.isFinite(p.e.trainLoss))).toBe(true);
    expect(pre[1]!.i).toBeLessThan(a.events.findIndex((e) => e.type === 'step'));
    expect(plain.events.some((e) => e.type === 'pretrained')).toBe(false);
    // every option changes the run (each one is really used)
    for (const key of ['supervisedWeight', 'resampleTasks', 'featureDropout', 'trainQueryShare'] as const) {
      const without = await run({ ...config, [key]: DEFAULT_CONFIG[key] });
      expect(losses(without), key).not.toEqual(losses(a));
    }
  });

  it('the non-meta baseline: epochs (pre-training included) and dropout chosen on validation, no leak', async () => {
    expect(checkpointEpochs(4)).toEqual([2, 4]);
    expect(checkpointEpochs(5)).toEqual([2, 4, 5]);
    expect(checkpointEpochs(1)).toEqual([1]);
    const config: TrainConfig = {
      ...DEFAULT_CONFIG,
      model: 'melu',
      epochs: 2,
      pretrainEpochs: 1,
      featureDropout: 0.3,
      evalUsers: 10,
      backend: 'wasm',
    };
    const before = tf.memory().numTensors;
    const { summary } = await run(config);
    expect(tf.memory().numTensors).toBe(before);
    expect([0.3, 0]).toContain(summary.nonMetaDropout);
    expect([2, 3]).toContain(summary.nonMetaEpochs);
    expect(FINE_TUNE_GRID).toContainEqual(summary.nonMetaFineTune);
    expect(Object.keys(summary.nonMetaValidation ?? {}).length).toBeGreaterThan(0);
    for (const m of Object.values(summary.nonMetaValidation!)) expect(m!.mae).toBeLessThan(1.5);
    // its own budget: chosen among its checkpoints up to nonMetaMaxEpochs, whatever the model trains
    const own = await run({ ...config, epochs: 1, pretrainEpochs: 0, nonMetaMaxEpochs: 6 });
    expect([2, 4, 6]).toContain(own.summary.nonMetaEpochs);
  });

  it('MeLU with chooseLocalRate: validation picks the local rate from the grid, never worse on validation', async () => {
    const config: TrainConfig = {
      ...DEFAULT_CONFIG,
      model: 'melu',
      epochs: 1,
      innerSteps: 2,
      innerLr: 0.01,
      outerLr: 1e-3,
      evalUsers: 20,
      baselines: false,
      backend: 'wasm',
    };
    const fixed = await run(config);
    const before = tf.memory().numTensors;
    const chosen = await run({ ...config, chooseLocalRate: true });
    expect(tf.memory().numTensors).toBe(before);
    expect(candidateRates(0.01)).toContain(chosen.summary.localRate!.warmItems);
    expect(candidateRates(0.01)).toContain(chosen.summary.localRate!.newItems);
    expect(fixed.summary.localRate).toBeUndefined();
    // the same training (the choice only changes evaluation): the training rate is one of the candidates
    expect(chosen.summary.epochs[0]!.trainLoss).toBe(fixed.summary.epochs[0]!.trainLoss);
    expect(meanMae(chosen.summary.validation)).toBeLessThanOrEqual(meanMae(fixed.summary.validation) + 1e-7);
    const evaluated = chosen.events.filter((e) => e.type === 'evaluated');
    expect(evaluated.length).toBe(2);
    for (const e of evaluated) {
      expect(candidateRates(0.01)).toContain(e.localRate!.warmItems);
      expect(candidateRates(0.01)).toContain(e.localRate!.newItems);
    }
    for (const s of SCENARIOS)
      if (fixed.summary.scenarios[s]) expect(chosen.summary.scenarios[s]).toBeDefined();
  });

  it('MeLU with a third hidden layer (hiddenLayers: 3) trains end to end: learned rates, baselines, no leak', async () => {
    const config: TrainConfig = {
      ...DEFAULT_CONFIG,
      model: 'melu',
      hiddenLayers: 3,
      epochs: 2,
      innerLr: 0.01,
      outerLr: 1e-3,
      localRateLr: 0.01,
      evalUsers: 20,
      backend: 'wasm',
    };
    const before = tf.memory().numTensors;
    const { summary, events } = await run(config);
    expect(tf.memory().numTensors).toBe(before);
    expect(summary.epochs.length).toBe(2);
    expect(summary.epochs[1]!.trainLoss).toBeLessThan(summary.epochs[0]!.trainLoss);
    // one learned rate per adapted tensor: w1Item, w1User, b1 and (w, b) of w2, w3, w4
    expect(events.some((e) => e.type === 'evaluated')).toBe(true);
    expect(Object.keys(summary.learnedLocalRates ?? {})).toEqual(meluLocalKeys(3));
    for (const s of SCENARIOS) {
      expect(Number.isFinite(summary.scenarios[s]!.mae)).toBe(true);
      expect(summary.baselines.nonMeta![s]!.mae).toBeLessThan(1.5);
    }
  });

  it('stops with a clear message and keeps the last good parameters when the loss explodes', async () => {
    const config: TrainConfig = {
      ...DEFAULT_CONFIG,
      model: 'melu',
      epochs: 3,
      innerLr: 10,
      outerLr: 1,
      outerOptimizer: 'sgd',
      baselines: false,
      evalUsers: 5,
    };
    const { events } = await run(config);
    const failed = events.find((e) => e.type === 'failed');
    expect(failed?.type === 'failed' && failed.code).toBe('diverged');
    expect(failed?.type === 'failed' && failed.message).toMatch(
      /The meta-loss reached .* training stopped and the last good parameters were kept/,
    );
  });
});

describe('batched training equals the per-user loop', () => {
  for (const [model, batched, innerSteps] of [
    ['melu', 'ragged', 1],
    ['melu', 'ragged', 3],
    ['melu', 'tile', 3],
    ['melu', 'algebraic', 1],
    ['melu', 'tile', 1],
    ['mamo', 'tile', 1],
    ['mamo', 'ragged', 1],
  ] as const) {
    it(`${model}: ${batched} and loop give the same parameters after 5 meta-steps, ${innerSteps} local step(s) (1e-5)`, async () => {
      await tf.setBackend('cpu');
      const dataset = await demoDataset();
      // several steps at 0.05 diverge on the demo data (losses ~1e3 and up): a smaller local rate there
      const innerLr = innerSteps > 1 ? 0.01 : 0.05;
      const config: TrainConfig = { ...DEFAULT_CONFIG, model, innerLr, outerLr: 1e-3, innerSteps };
      const prepared = prepareExperiment(dataset, config);
      const make = (strategy: 'loop' | typeof batched) => {
        const options = { config, layout: prepared.layout, meanRating: 3.5, rng: createRng(3), strategy };
        return model === 'melu' ? createMeluEngine(options) : createMamoEngine(options);
      };
      const engines = [make(batched), make('loop')];
      const losses: number[][] = [[], []];
      for (let step = 0; step < 5; step++) {
        const ids = Int32Array.from({ length: 8 }, (_, k) => step * 8 + k);
        for (const [k, engine] of engines.entries()) {
          const b = batchTensors(makeBatch(prepared.split.train, ids, prepared.layout), prepared.layout);
          const loss = engine.trainStep(single(b));
          losses[k]!.push((await loss.data())[0]!);
          loss.dispose();
          disposeBatchTensors(b);
          engine.commit();
        }
      }
      for (let s = 0; s < 5; s++) expect(Math.abs(losses[0]![s]! - losses[1]![s]!)).toBeLessThan(1e-5);
      // predictions after training agree too (same parameters)
      const b = batchTensors(
        makeBatch(prepared.split.test.warm, [0, 1, 2], prepared.layout),
        prepared.layout,
      );
      const [p0, p1] = engines.map((e) => e.predict(b));
      const diff = (await tf.max(tf.abs(tf.sub(p0!.after, p1!.after))).data())[0]!;
      expect(diff).toBeLessThan(1e-4);
      engines.forEach((e) => e.dispose());
      await tf.setBackend('wasm');
    });
  }
});

describe("predict's local-rate override (what chooseLocalRate and the non-meta baseline pick)", () => {
  for (const model of ['melu', 'mamo'] as const) {
    it(`${model}: rate 0 is no adaptation, another rate moves the adapted predictions only`, async () => {
      const dataset = await demoDataset();
      const config: TrainConfig = { ...DEFAULT_CONFIG, model, innerLr: 0.01 };
      const prepared = prepareExperiment(dataset, config);
      const options = {
        config,
        layout: prepared.layout,
        meanRating: 3.5,
        rng: createRng(3),
        strategy: 'tile' as const,
      };
      const engine = model === 'melu' ? createMeluEngine(options) : createMamoEngine(options);
      const b = batchTensors(
        makeBatch(prepared.split.test.warm, [0, 1, 2], prepared.layout),
        prepared.layout,
      );
      const maxDiff = async (x: tf.Tensor, y: tf.Tensor) => (await tf.max(tf.abs(tf.sub(x, y))).data())[0]!;
      const [own, none, fast] = [engine.predict(b), engine.predict(b, 0), engine.predict(b, 0.05)];
      expect(await maxDiff(none.after, none.before)).toBeLessThan(1e-5); // (other kernels, same math)
      expect(await maxDiff(fast.before, own.before)).toBe(0);
      expect(await maxDiff(own.after, own.before)).toBeGreaterThan(1e-4);
      expect(await maxDiff(fast.after, own.after)).toBeGreaterThan(1e-4);
      engine.dispose();
      disposeBatchTensors(b);
    });
  }
});

describe('support-length groups change nothing', () => {
  for (const model of ['melu', 'mamo'] as const) {
    it(`${model}: a meta-step on 3 groups equals the step on the whole batch (parameters and memories)`, async () => {
      await tf.setBackend('cpu');
      const dataset = await demoDataset();
      const config: TrainConfig = {
        ...DEFAULT_CONFIG,
        model,
        innerLr: 0.05,
        outerLr: 1e-2,
        outerOptimizer: 'sgd',
      };
      const prepared = prepareExperiment(dataset, config);
      const strategy = 'tile';
      const make = () => {
        const options = {
          config,
          layout: prepared.layout,
          meanRating: 3.5,
          rng: createRng(4),
          strategy,
        } as const;
        return model === 'melu' ? createMeluEngine(options) : createMamoEngine(options);
      };
      const [whole, grouped] = [make(), make()];
      const ids = Int32Array.from({ length: 12 }, (_, k) => k * 7);
      for (let step = 0; step < 2; step++) {
        const b = batchTensors(makeBatch(prepared.split.train, ids, prepared.layout), prepared.layout);
        const parts = groupBySupport(prepared.split.train, ids, 3);
        expect(parts.length).toBe(3);
        const g = parts.map((p) =>
          batchTensors(makeBatch(prepared.split.train, p.ids, prepared.layout), prepared.layout),
        );
        const l1 = whole.trainStep(single(b));
        const l2 = grouped.trainStep({
          tasks: ids.length,
          groups: g,
          positions: parts.map((p) => p.positions),
        });
        expect(Math.abs((await l1.data())[0]! - (await l2.data())[0]!)).toBeLessThan(1e-5);
        whole.commit();
        grouped.commit();
      }
      // same parameters (and, for MAMO, memories) -> same predictions and attention
      const test = batchTensors(
        makeBatch(prepared.split.test.warm, [0, 1, 2, 3], prepared.layout),
        prepared.layout,
      );
      const [p1, p2] = [whole.predict(test), grouped.predict(test)];
      expect((await tf.max(tf.abs(tf.sub(p1.after, p2.after))).data())[0]).toBeLessThan(1e-4);
      if (p1.attention && p2.attention)
        expect((await tf.max(tf.abs(tf.sub(p1.attention, p2.attention))).data())[0]).toBeLessThan(1e-5);
      const m1 = await whole.profileMemory();
      const m2 = await grouped.profileMemory();
      if (m1 && m2)
        expect(Math.max(...m1.values.map((v, i) => Math.abs(v - m2.values[i]!)))).toBeLessThan(1e-5);
      whole.dispose();
      grouped.dispose();
      await tf.setBackend('wasm');
    });
  }
});
