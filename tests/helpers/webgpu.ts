// Switches tfjs to its WebGPU backend in Node (Dawn from the `webgpu` package, set up by
// tests/setup/webgpu.ts). Returns false (tests skip) where no adapter exists, except under CI=true,
// where a missing adapter is an error: CI must never silently stop testing WebGPU.
import * as tf from '@tensorflow/tfjs';

export async function switchToWebGPU(): Promise<boolean> {
  const gpu = (globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<unknown> } } }).navigator?.gpu;
  const adapter = gpu ? await gpu.requestAdapter() : null;
  if (!adapter) {
    if (process.env.CI === 'true')
      throw new Error('CI=true but no WebGPU adapter: install chromium and libvulkan1');
    console.log('skipped: no WebGPU adapter (install Debian chromium and libvulkan1)');
    return false;
  }
  await import('@tensorflow/tfjs-backend-webgpu');
  const ok = await tf.setBackend('webgpu');
  if (!ok) throw new Error("tf.setBackend('webgpu') returned false although an adapter exists");
  return true;
}
