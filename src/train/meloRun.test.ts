// runMelo end to end (through runExperiment, model 'melo') on the synthetic demo at tiny sizes (wasm):
// the event stream and summary shape of the other models, determinism per seed, no tensor leak, the
// learned per-step rates reported, and the supervised "basic" mode without adaptation.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { type TrainConfig } from '../config/experiment';
import { SCENARIOS } from '../data/scenarios/types';
import { initBackend, type BackendInfo } from '../kernels/backend';
import type { TrainEvent } from './events';
import { runOnDemo, TINY_MELO } from '../../tests/helpers/sequence';

let backend: BackendInfo;
beforeAll(async () => {
  backend = await initBackend('wasm');
});

const TINY = TINY_MELO;
const run = (config: TrainConfig) => runOnDemo(config, backend);

describe('MELO on the synthetic demo (tiny)', () => {
  it(
    'emits the usual events and summary, deterministic per seed, no tensor leak',
    { timeout: 120_000 },
    async () => {
      const { summary, events } = await run(TINY);
      const types = new Set(events.map((e) => e.type));
      for (const t of ['started', 'baselines', 'step', 'epoch', 'evaluated', 'finished'])
        expect(types.has(t as TrainEvent['type'])).toBe(true);
      for (const s of SCENARIOS) {
        const m = summary.scenarios[s]!;
        expect(Number.isFinite(m.mae) && Number.isFinite(m.maeBefore) && Number.isFinite(m.rmse)).toBe(true);
        expect(summary.baselines.globalMean![s]!.tasks).toBe(m.tasks);
        expect(summary.baselines.supportMean![s]).toBeDefined();
        expect(summary.baselines.basic![s]).toBeDefined();
        expect(summary.baselines.noAdaptation![s]!.mae).toBe(m.maeBefore);
      }
      expect(Object.keys(summary.learnedLocalRates!)).toContain('itemRows@2');
      // a second run (kernels warm): every tensor it makes is disposed
      const tensors = tf.memory().numTensors;
      const again = await run(TINY);
      expect(tf.memory().numTensors).toBe(tensors);
      expect(again.summary.epochs[0]!.trainLoss).toBe(summary.epochs[0]!.trainLoss);
      expect(again.summary.scenarios.warm!.mae).toBe(summary.scenarios.warm!.mae);
    },
  );

  it('basic (supervised) mode: no adaptation, after = before', { timeout: 60_000 }, async () => {
    const { summary } = await run({ ...TINY, sequenceTraining: 'supervised', baselines: false });
    for (const s of SCENARIOS) expect(summary.scenarios[s]!.mae).toBe(summary.scenarios[s]!.maeBefore);
  });

  it('refuses another protocol with a config failure', async () => {
    const { events } = await run({ ...TINY, protocol: 'melu' });
    expect(events.at(-1)).toMatchObject({ type: 'failed', code: 'config' });
  });

  it(
    'a diverging meta-loss ends the run with a diverged failure and no leaked tensor',
    { timeout: 60_000 },
    async () => {
      // a local rate of 1e6 makes the adapted predictions explode at the first step
      const config = { ...TINY, innerLr: 1e6, baselines: false };
      await run(config); // kernels warm
      const tensors = tf.memory().numTensors;
      const { events } = await run(config);
      expect(events.at(-1)).toMatchObject({ type: 'failed', code: 'diverged' });
      expect(tf.memory().numTensors).toBe(tensors);
    },
  );

  it(
    'the GRU encoder (melo-gru): trains, reports GRU rates, finite metrics',
    { timeout: 60_000 },
    async () => {
      const { summary } = await run({ ...TINY, sequenceEncoder: 'gru', baselines: false });
      expect(Object.keys(summary.learnedLocalRates!)).toContain('g0.uz@1');
      expect(Object.keys(summary.learnedLocalRates!).some((k) => k.startsWith('b0.'))).toBe(false);
      for (const s of SCENARIOS) expect(Number.isFinite(summary.scenarios[s]!.mae), s).toBe(true);
    },
  );
});
