// The backend trial 'auto' runs: a few timed meta-steps on the backend now set, no tensor left behind.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../config/experiment';
import { initBackend } from '../kernels/backend';
import { metaStepsPerSecond } from './backendTrial';
import { prepareExperiment } from './prepare';
import { demoDataset } from '../../tests/helpers/demo';

describe('metaStepsPerSecond', () => {
  it('times meta-steps after a warm-up one and disposes its engine', async () => {
    const backend = await initBackend('wasm');
    const config = { ...DEFAULT_CONFIG, batchSize: 16 };
    const prepared = prepareExperiment(await demoDataset(), config);
    const input = { datasetName: 'demo', split: prepared.split, layout: prepared.layout, config, backend };
    const before = tf.memory().numTensors;
    const rate = await metaStepsPerSecond(input, backend, 2);
    expect(rate).toBeGreaterThan(0);
    expect(Number.isFinite(rate)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });
});
