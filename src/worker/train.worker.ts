/// <reference lib="webworker" />
/**
 * The training worker: a thin adapter from postMessage to worker/host.ts. tfjs (and WebGPU) live only
 * in this worker's lazily imported chunks; the page never loads them, and the worker itself starts
 * without them, so the demo dataset is parsed before tfjs is even fetched.
 */
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { createWorkerHost } from './host';
import type { FromWorker, ToWorker } from './protocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const DEMO_FILES = ['u.data', 'u.item', 'u.user', 'u.genre'];

const host = createWorkerHost(
  (message: FromWorker, transfer?: Transferable[]) => scope.postMessage(message, transfer ?? []),
  {
    initBackend: async (preference) =>
      (await import('../kernels/backend')).initBackend(preference, {
        wasmPaths: {
          'tfjs-backend-wasm.wasm': wasmPlain,
          'tfjs-backend-wasm-simd.wasm': wasmSimd,
          'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
        },
      }),
    // a lost WebGPU device: the run controller goes on on wasm from its last host copy of the state
    watchBackend: (backend, onLost) => {
      if (backend.name !== 'webgpu') return () => {};
      let stop: (() => void) | null = null;
      let stopped = false;
      void import('../kernels/deviceLoss').then(({ watchWebGPUDevice }) => {
        if (!stopped) stop = watchWebGPUDevice(onLost);
      });
      return () => {
        stopped = true;
        stop?.();
      };
    },
    loadDemo: () =>
      Promise.all(
        DEMO_FILES.map(async (name) => {
          const url = new URL(`${import.meta.env.BASE_URL}datasets/demo/${name}`, scope.location.origin);
          const response = await fetch(url);
          if (!response.ok)
            throw new Error(`Could not fetch the demo file ${url.pathname}: HTTP ${response.status}`);
          return { path: `demo/${name}`, bytes: new Uint8Array(await response.arrayBuffer()) };
        }),
      ),
  },
);

scope.addEventListener('message', (event: MessageEvent<ToWorker>) => {
  void host.handle(event.data);
});
