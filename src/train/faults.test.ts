// Faults of the training loop: a non-finite loss stops with the last good parameters and names the
// step; tensors stay flat over 1,000 steps (tiny model, cpu backend, a few seconds).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type TrainConfig } from '../config/experiment';
import type { ScenarioSplit } from '../data/scenarios/types';
import { initBackend, type BackendInfo } from '../kernels/backend';
import { createRng } from '../lib/rng';
import { tinyProblem } from '../../tests/helpers/tinyProblem';
import type { ModelEngine } from './engine';
import { createEngine, trainEpochs, type ExperimentInput } from './epochs';
import type { HostValue } from './snapshot';

let backend: BackendInfo;
beforeAll(async () => {
  backend = await initBackend('cpu');
});

function tinyInput(model: TrainConfig['model'], epochs: number): ExperimentInput {
  const tiny = tinyProblem(3, { tasks: 8 });
  const config: TrainConfig = {
    ...DEFAULT_CONFIG,
    model,
    epochs,
    batchSize: 4,
    embeddingDim: 4,
    hiddenDim: 8,
    memorySlots: 2,
    baselines: false,
    backend: 'cpu',
  };
  return {
    datasetName: 'tiny',
    // trainEpochs reads only the training tasks of a split
    split: { train: tiny.tasks } as unknown as ScenarioSplit,
    layout: tiny.layout,
    config,
    backend,
  };
}

/** The engine, with a NaN loss injected at meta-step `at` (the real step runs, so there is state to roll back). */
function poisoned(engine: ModelEngine, at: number): ModelEngine {
  let step = 0;
  return {
    ...engine,
    trainStep(batch, supervised) {
      const loss = engine.trainStep(batch, supervised);
      if (++step !== at) return loss;
      loss.dispose();
      return tf.scalar(NaN);
    },
  };
}

const flat = (v: HostValue): number[] =>
  v === null || typeof v === 'number'
    ? [v ?? 0]
    : 'values' in v && ArrayBuffer.isView(v.values)
      ? Array.from(v.values as Float32Array)
      : Object.keys(v)
          .sort()
          .flatMap((k) => flat((v as Record<string, HostValue>)[k]!));

describe('training faults', () => {
  it.each(['melu', 'mamo'] as const)(
    '%s: a NaN loss at step 5 stops the run there, with the parameters of step 4',
    async (model) => {
      const input = tinyInput(model, 3);
      const engine = createEngine(input, createRng(1).fork('engine'));
      let afterStep4: HostValue = null;
      const steps: number[] = [];
      const outcome = await trainEpochs(
        poisoned(engine, 5),
        input,
        {},
        createRng(1).fork('batches'),
        (e) => steps.push(e.step),
        async () => {},
        {
          epochs: 3,
          supervised: false,
          meta: {
            onCommitted: async (at, committed) => {
              if (at.step === 4) afterStep4 = await committed.exportState();
            },
          },
        },
      );
      expect(outcome.diverged).toBe('The meta-loss reached NaN at epoch 3, step 5');
      expect(steps).toEqual([1, 2, 3, 4]);
      // the engine holds the last good parameters: bit-identical to the copy taken after step 4
      expect(flat(await engine.exportState())).toEqual(flat(afterStep4));
      engine.dispose();
    },
  );

  it('tensors stay flat over 1,000 meta-steps (cpu, tiny MeLU)', async () => {
    const input = tinyInput('melu', 500);
    const before = tf.memory().numTensors;
    const engine = createEngine(input, createRng(2).fork('engine'));
    const counts: number[] = [];
    const outcome = await trainEpochs(
      engine,
      input,
      {},
      createRng(2).fork('batches'),
      (e) => counts.push(e.numTensors),
      async () => {},
      { epochs: 500, supervised: false },
    );
    expect(outcome).toEqual({ aborted: false, diverged: null, lost: null });
    expect(counts).toHaveLength(1000);
    expect(Math.max(...counts.slice(1))).toBe(Math.min(...counts.slice(1)));
    engine.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
