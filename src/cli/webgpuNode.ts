/**
 * Node only: gives Node a WebGPU implementation (Dawn, from the `webgpu` package) so tfjs-backend-webgpu
 * can run outside a browser. Needs a Vulkan driver: on machines without a GPU, the SwiftShader ICD that
 * Debian's chromium ships (docs/architecture.md). Call before the backend is initialised; call the
 * returned function at the end, or Node keeps running (Dawn holds the event loop).
 */
export async function installNodeWebGPU(): Promise<() => void> {
  process.env.VK_ICD_FILENAMES ??= '/usr/lib/chromium/vk_swiftshader_icd.json';
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  const g = globalThis as unknown as { navigator?: { gpu?: unknown } };
  g.navigator ??= {};
  g.navigator.gpu = create([]);
  return () => {
    delete g.navigator?.gpu;
  };
}
