/**
 * Backend initialisation: try webgpu, wasm, webgl, cpu in order (the preferred one first), check each
 * setBackend's RETURN VALUE (after a failed setBackend('webgpu'), tf.getBackend() still says 'webgpu'
 * and every op throws, so the next backend must be set explicitly), and report what runs and why it
 * fell back. Works in a browser worker and in Node (where the `webgpu` package provides navigator.gpu).
 */
import * as tf from '@tensorflow/tfjs';
import { registerSharedIdentity } from './identityWasm';
import { SOFTWARE_ADAPTER_REASON } from './backendReasons';
import { simdKernelsFor } from './simdWasm';

export type BackendName = 'webgpu' | 'wasm' | 'webgl' | 'cpu';
export const BACKEND_ORDER: readonly BackendName[] = ['webgpu', 'wasm', 'webgl', 'cpu'];

export interface AdapterDescription {
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  /** True for software adapters such as SwiftShader (CI machines without a GPU). */
  readonly isFallbackAdapter: boolean;
}

export interface BackendInfo {
  readonly name: BackendName;
  readonly requested: BackendName | 'auto';
  readonly adapter: AdapterDescription | null;
  /** Backends tried before this one, with the reason each failed. */
  readonly fallbacks: readonly { backend: BackendName; reason: string }[];
  /** tfjs-wasm: SIMD and threads in use. */
  readonly wasmThreads?: number;
  /**
   * tfjs-wasm: whether the project's SIMD module runs the segmented products, row kernels and optimizer
   * updates ('simd', kernels/simdWasm.ts) or they fall back to tfjs's calls and JS loops ('tfjs').
   */
  readonly wasmKernels?: 'simd' | 'tfjs';
  /** Why this backend runs, in a sentence for the badge ("requested", "auto: …"). */
  readonly why: string;
  /** 'auto' on a hardware WebGPU adapter: each candidate's measured meta-steps/s (autoBackend.ts). */
  readonly trials?: readonly { backend: BackendName; stepsPerSecond: number | null; error?: string }[];
}

export interface BackendOptions {
  /** Where the tfjs-wasm .wasm files are served (browser builds pass Vite asset URLs). */
  readonly wasmPaths?: string | Record<string, string>;
}

type GpuNavigator = { gpu?: { requestAdapter(): Promise<unknown> } };

function gpuOf(): GpuNavigator['gpu'] {
  const nav = (globalThis as { navigator?: GpuNavigator }).navigator;
  return nav?.gpu;
}

/** The adapter a page or worker would get, described (null when there is none). */
export async function describeAdapter(): Promise<AdapterDescription | null> {
  const gpu = gpuOf();
  if (!gpu) return null;
  const adapter = (await gpu.requestAdapter()) as {
    info?: Partial<AdapterDescription>;
    isFallbackAdapter?: boolean;
  } | null;
  if (!adapter) return null;
  const info = adapter.info ?? {};
  return {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    device: info.device ?? '',
    description: info.description ?? '',
    isFallbackAdapter: Boolean(info.isFallbackAdapter ?? adapter.isFallbackAdapter ?? false),
  };
}

async function tryBackend(
  name: BackendName,
  options: BackendOptions,
  refuseSoftwareAdapter: boolean,
): Promise<string | null> {
  try {
    if (name === 'webgpu') {
      if (!gpuOf()) return 'WebGPU is not available here (navigator.gpu is missing)';
      const adapter = await describeAdapter();
      if (!adapter) return 'no WebGPU adapter was found (requestAdapter returned null)';
      if (refuseSoftwareAdapter && adapter.isFallbackAdapter) return SOFTWARE_ADAPTER_REASON;
      await import('@tensorflow/tfjs-backend-webgpu');
    }
    if (name === 'wasm') {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      if (options.wasmPaths) wasm.setWasmPaths(options.wasmPaths);
      registerSharedIdentity();
    }
    if (!tf.findBackendFactory(name)) return `the ${name} backend is not registered here`;
    const ok = await tf.setBackend(name);
    if (!ok) return `tf.setBackend('${name}') returned false`;
    await tf.ready();
    // A trivial op proves the backend really computes.
    const probe = tf.add(tf.scalar(1), tf.scalar(2));
    const value = (await probe.data())[0];
    probe.dispose();
    return value === 3 ? null : `the ${name} backend computed 1 + 2 = ${value}`;
  } catch (error) {
    return `${name} failed: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/**
 * Sets the first backend that works, starting from `preference` ('auto' = webgpu, wasm, webgl, cpu,
 * where 'auto' skips a software WebGPU adapter), and returns what runs, why, and every fallback with
 * its reason. An explicit preference is tried first and obeyed whenever it works.
 */
export async function initBackend(
  preference: BackendName | 'auto',
  options: BackendOptions = {},
): Promise<BackendInfo> {
  const order =
    preference === 'auto' ? BACKEND_ORDER : [preference, ...BACKEND_ORDER.filter((b) => b !== preference)];
  const fallbacks: { backend: BackendName; reason: string }[] = [];
  for (const name of order) {
    const reason = await tryBackend(name, options, preference === 'auto');
    if (reason === null) {
      const adapter = name === 'webgpu' ? await describeAdapter() : null;
      const why =
        preference === name
          ? 'requested'
          : fallbacks.length === 0
            ? `auto: ${name} is the first backend that works here`
            : `auto: ${fallbacks.map((f) => `not ${f.backend} (${f.reason})`).join('; ')}`;
      const info: BackendInfo = { name, requested: preference, adapter, fallbacks, why };
      if (name === 'wasm') {
        const wasm = await import('@tensorflow/tfjs-backend-wasm');
        const wasmKernels = simdKernelsFor(tf.backend()) ? 'simd' : 'tfjs';
        return { ...info, wasmThreads: wasm.getThreadsCount(), wasmKernels };
      }
      return info;
    }
    fallbacks.push({ backend: name, reason });
  }
  throw new Error(`No tfjs backend works here: ${fallbacks.map((f) => f.reason).join('; ')}`);
}
