// Gives Node a WebGPU implementation (Dawn, from the `webgpu` package) before any test file loads tfjs,
// so tfjs-backend-webgpu registers itself. Without a Vulkan driver requestAdapter() resolves to null and
// the WebGPU tests skip (or fail under CI=true, see tests/helpers/webgpu.ts).
import { create, globals } from 'webgpu';
import { afterAll } from 'vitest';

const g = globalThis as unknown as { navigator?: { gpu?: unknown } };
Object.assign(globalThis, globals);
g.navigator ??= {};
g.navigator.gpu = create([]);
afterAll(() => {
  // Dawn keeps the process alive while its instance is referenced.
  delete g.navigator?.gpu;
});
