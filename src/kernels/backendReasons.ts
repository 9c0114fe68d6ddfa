// Sentences about backend choice that the page shows too: no tfjs import here, so the UI bundle may
// import this module (through worker/protocol.ts) without pulling tfjs onto the main thread.

/**
 * Why 'auto' does not train on a software WebGPU adapter: SwiftShader emulates the GPU on the CPU and
 * runs these models 60-90x slower than tfjs-wasm on the same machine (a MAMO demo run: 21.7 min
 * against 20 s). An explicit 'webgpu' choice still gets it.
 */
export const SOFTWARE_ADAPTER_REASON =
  'the WebGPU adapter is a software one (a CPU emulator such as SwiftShader, ~60-90x slower than wasm here); choose webgpu explicitly to use it anyway';
