// The phases of a run as its events show them: meta-training's first step comes before the baselines
// (which run after epoch 1 and give the numbers they gave when they ran first), every phase reports its
// progress up to its total, and MAMO's memory snapshots carry each user's profile vector.
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type TrainConfig } from '../config/experiment';
import { initBackend, type BackendInfo } from '../kernels/backend';
import { createRng } from '../lib/rng';
import { computeBaselines } from './baselines';
import type { TrainEvent } from './events';
import { prepareExperiment } from './prepare';
import { runExperiment } from './run';
import { demoDataset } from '../../tests/helpers/demo';

let backend: BackendInfo;
beforeAll(async () => {
  backend = await initBackend('wasm');
});

describe('run phases', () => {
  it('steps before baselines, progress per phase, baselines unchanged by their place', async () => {
    const config: TrainConfig = {
      ...DEFAULT_CONFIG,
      model: 'mamo',
      epochs: 2,
      pretrainEpochs: 1,
      batchSize: 64,
      evalUsers: 6,
      nonMetaMaxEpochs: 2,
    };
    const dataset = await demoDataset();
    const prepared = prepareExperiment(dataset, config);
    const input = { datasetName: 'demo', split: prepared.split, layout: prepared.layout, config, backend };
    const events: TrainEvent[] = [];
    const summary = await runExperiment(input, (e) => events.push(e));
    const first = (type: TrainEvent['type']) => events.findIndex((e) => e.type === type);
    expect(first('step')).toBeGreaterThan(-1);
    expect(first('step')).toBeLessThan(first('baselines'));
    expect(first('baselines')).toBeLessThan(first('finished'));
    const phases = events.filter((e) => e.type === 'phase');
    // names in order of first appearance, and each phase reaches its total
    expect([...new Set(phases.map((p) => p.name))]).toEqual([
      'pretraining',
      'evaluation',
      'training',
      'baselines',
    ]);
    for (const name of ['pretraining', 'evaluation', 'training', 'baselines'] as const) {
      const mine = phases.filter((p) => p.name === name);
      const last = mine[mine.length - 1]!;
      expect(last.done, name).toBe(last.total);
      expect(mine.every((p) => p.done <= p.total)).toBe(true);
    }
    const stepsPerEpoch = (events.find((e) => e.type === 'started') as { stepsPerEpoch: number })
      .stepsPerEpoch;
    expect(phases.filter((p) => p.name === 'training').at(-1)!.total).toBe(2 * stepsPerEpoch);
    // wall-clock seconds on steps grow
    const elapsed = events.flatMap((e) => (e.type === 'step' ? [e.elapsed!] : []));
    expect(elapsed.every((t, i) => i === 0 || t >= elapsed[i - 1]!)).toBe(true);
    // the baselines are what they were when they ran before meta-training
    const alone = await computeBaselines(input, createRng(config.seed).fork('baselines'), {});
    expect(summary.baselines.nonMeta).toEqual(alone.metrics.nonMeta);
    expect(summary.baselines.bias).toEqual(alone.metrics.bias);
    // MAMO snapshots: one profile vector per row, of M_P's width
    const memory = events.find((e) => e.type === 'memory')!;
    expect(memory.profiles!.length).toBe(memory.users.length * memory.profileWidth);
  });
});
