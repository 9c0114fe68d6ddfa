// A real lost device: the run starts on tfjs's WebGPU backend (Dawn + SwiftShader in Node), the device is
// destroyed mid-run (GPUDevice.destroy() resolves device.lost, as a driver reset would), and the run
// controller goes on on wasm from the last committed step and finishes. Skips without a WebGPU adapter.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type TrainConfig } from '../config/experiment';
import { DEMO_SEED, syntheticInputs } from '../data/synthetic';
import { initBackend } from '../kernels/backend';
import { watchWebGPUDevice } from '../kernels/deviceLoss';
import type { TrainEvent } from '../train/events';
import { switchToWebGPU } from '../../tests/helpers/webgpu';
import { createWorkerHost } from './host';
import type { FromWorker, RequestId, RunId } from './protocol';

const config: TrainConfig = {
  ...DEFAULT_CONFIG,
  model: 'melu',
  epochs: 1,
  evalUsers: 4,
  embeddingDim: 8,
  hiddenDim: 16,
  baselines: false,
  backend: 'webgpu',
};

describe('a lost WebGPU device', () => {
  it('the run goes on on wasm from the last committed step and finishes', async () => {
    if (!(await switchToWebGPU())) return;
    const messages: FromWorker[] = [];
    let destroyed = false;
    const host = createWorkerHost(
      (m) => {
        messages.push(m);
        const step = m.type === 'events' ? m.events.filter((e) => e.type === 'step').at(-1) : undefined;
        if (!destroyed && step?.type === 'step' && step.step >= 2 && tf.getBackend() === 'webgpu') {
          destroyed = true;
          (tf.backend() as unknown as { device: { destroy(): void } }).device.destroy();
        }
      },
      {
        initBackend: (preference) => initBackend(preference === 'auto' ? 'webgpu' : preference),
        loadDemo: async () => syntheticInputs(DEMO_SEED),
        flushMs: 1,
        watchBackend: (backend, onLost) => (backend.name === 'webgpu' ? watchWebGPUDevice(onLost) : () => {}),
      },
    );
    await host.handle({ type: 'load', requestId: 1 as RequestId, source: { kind: 'demo' } });
    await host.handle({ type: 'start', runId: 'gpu' as RunId, config });
    const stream: TrainEvent[] = messages.flatMap((m) => (m.type === 'events' ? [...m.events] : []));
    expect(destroyed).toBe(true);
    const started = stream.filter((e) => e.type === 'started');
    expect(started.map((e) => e.type === 'started' && e.backend.name)).toEqual(['webgpu', 'wasm']);
    const reason = started[1]!.type === 'started' ? started[1]!.backend.fallbacks.at(-1)!.reason : '';
    expect(reason).toMatch(/^The WebGPU device was lost \(.*\) at step \d+; resumed on wasm from step \d+$/);
    const steps = stream.flatMap((e) => (e.type === 'step' ? [e.step] : []));
    expect(steps).toEqual(steps.map((_, k) => k + 1));
    expect(stream.at(-1)!.type).toBe('finished');
  });
});
