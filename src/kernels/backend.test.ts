// 'auto' must never train on a software WebGPU adapter (SwiftShader: 60-90x slower than wasm), while
// an explicit choice is obeyed. A fake navigator.gpu stands in for the adapter, so the test runs the
// same on machines with and without a GPU.
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { initBackend } from './backend';
import { SOFTWARE_ADAPTER_REASON } from './backendReasons';

const scope = globalThis as { navigator?: unknown };
const original = Object.getOwnPropertyDescriptor(globalThis, 'navigator');

function fakeAdapter(isFallbackAdapter: boolean) {
  Object.defineProperty(globalThis, 'navigator', {
    configurable: true,
    value: {
      gpu: {
        requestAdapter: async () => ({
          info: {
            vendor: 'google',
            architecture: 'swiftshader',
            device: '',
            description: '',
            isFallbackAdapter,
          },
        }),
      },
    },
  });
}

afterEach(async () => {
  if (original) Object.defineProperty(globalThis, 'navigator', original);
  else delete scope.navigator;
  await tf.setBackend('cpu');
});

describe('initBackend', () => {
  it("'auto' skips a software WebGPU adapter and says why", async () => {
    fakeAdapter(true);
    const info = await initBackend('auto');
    expect(info.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(info.fallbacks).toEqual([{ backend: 'webgpu', reason: SOFTWARE_ADAPTER_REASON }]);
    expect(info.why).toContain('software');
  });

  it('an explicit choice is tried first and reported as requested', async () => {
    const info = await initBackend('cpu');
    expect(info).toMatchObject({ name: 'cpu', requested: 'cpu', why: 'requested', fallbacks: [] });
  });
});
