// The backend trial 'auto' runs: a few timed meta-steps on the backend now set, no tensor left behind.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../config/experiment';
import { initBackend, type BackendInfo } from '../kernels/backend';
import { decideAutoBackend, metaStepsPerSecond } from './backendTrial';
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

describe('decideAutoBackend', () => {
  const adapter = {
    vendor: 'nvidia',
    architecture: 'hopper',
    device: '',
    description: '',
    isFallbackAdapter: false,
  };
  const gpu: BackendInfo = { name: 'webgpu', requested: 'auto', adapter, fallbacks: [], why: 'auto: first' };
  type Input = Parameters<typeof decideAutoBackend>[0];

  it('on a hardware adapter, continues on the faster backend and says why', async () => {
    const input = { backend: gpu } as Input;
    const switched: string[] = [];
    const out = await decideAutoBackend(
      input,
      async (name) => {
        switched.push(name);
        return { ...gpu, name, requested: name, adapter: null, why: 'requested' };
      },
      async (backend) => (backend.name === 'webgpu' ? 2 : 7),
    );
    expect(switched).toEqual(['webgpu', 'wasm', 'wasm']); // each trial's backend, then the winner
    expect(out.backend.name).toBe('wasm');
    expect(out.backend.requested).toBe('auto');
    expect(out.backend.adapter).toEqual(adapter);
    expect(out.backend.why).toBe(
      'auto: wasm, faster than webgpu here (measured webgpu 2.0 steps/s, wasm 7.0 steps/s)',
    );
  });

  it('leaves a requested backend and a software adapter alone', async () => {
    const never = async (): Promise<never> => {
      throw new Error('no trial expected');
    };
    const requested = { backend: { ...gpu, requested: 'webgpu' } } as Input;
    expect(await decideAutoBackend(requested, never, never)).toBe(requested);
    const software = {
      backend: { ...gpu, name: 'wasm', adapter: { ...adapter, isFallbackAdapter: true } },
    } as Input;
    expect(await decideAutoBackend(software, never, never)).toBe(software);
  });
});
