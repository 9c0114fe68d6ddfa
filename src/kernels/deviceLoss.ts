/**
 * WebGPU reports a lost device (driver reset, GPU removed, device.destroy()) through a promise on the
 * GPUDevice tfjs-backend-webgpu holds. watchWebGPUDevice turns it into one callback; the run controller
 * then goes on on wasm from its last host copy of the state (worker/runController.ts).
 */
import * as tf from '@tensorflow/tfjs';

interface LosableDevice {
  readonly lost?: Promise<{ readonly message: string; readonly reason?: string }>;
}

/** Calls onLost once if the current webgpu backend's device is lost; returns a function that stops watching. */
export function watchWebGPUDevice(onLost: (reason: string) => void): () => void {
  let watching = true;
  const device = (tf.backend() as { device?: LosableDevice }).device;
  void device?.lost?.then((info) => {
    if (watching) onLost(`The WebGPU device was lost (${info.message || info.reason || 'no reason given'})`);
  });
  return () => {
    watching = false;
  };
}
