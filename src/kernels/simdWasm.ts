/**
 * MetaRec Lab's WebAssembly SIMD kernels (src/kernels/simd/kernels.wat), instantiated on tfjs-wasm's own
 * memory so they read and write tensors where tfjs keeps them: no copies in or out.
 *
 *   segment(mode, x, y, out, w, na, nb, T, scratch)   the segmented products of kernels/segmentMatMul.ts:
 *       mode 0 'gram' P_t = A_t B_t^T, 1 'apply' C_t = P_t B_t, 2 'applyT' C_t = P_t^T A_t, per task a
 *       register-blocked product (4 rows x 8 columns held in 8 SIMD registers)
 *   adam(p, g, m, v, po, mo, vo, n, c, rate, shrink, b1, b2, eps)   one pass (kernels/optimizerWasm.ts)
 *   sgd(p, g, po, n, step, shrink)
 *   leaky(v, x, out, n, slope)   out = v where x > 0, slope v elsewhere: leaky ReLU (v = x) and its
 *       adjoint dy step(x, slope) (v = dy) (kernels/elementwiseWebgpu.ts)
 *   bag(src, idx, wts, out, n, groups, width, e, adjoint, rowStride, col)   the weighted embedding bag
 *       or its adjoint (the [n, .] side's rows rowStride floats apart, the bags from column col)
 *       (kernels/rowsWasm.ts; gather and scatter-add as its one-slot, unit-weight cases; wts = 0: all 1)
 * (pointers: byte offsets; na, nb: i32 [T] row counts and a scratch for a transposed block, in the same
 * memory.)
 *
 * Why: tfjs-wasm runs each task's small product as its own XNNPACK call (~10 us to build and pack an
 * operator, for a few thousand multiply-adds) and Adam as ~11 passes; the per-task calls were ~25% of a
 * MeLU meta-step and ~60% of a MeLU-5 second-order one (tf.profile, docs/findings.md). One call runs a
 * whole meta-batch here.
 *
 * With tfjs-wasm's threaded build (the app is cross-origin isolated) the memory is shared, and the
 * module's variant importing a shared memory runs: the kernels run on the calling thread, between tfjs's
 * own kernels, so nothing else touches those tensors meanwhile.
 *
 * `simdKernelsFor` returns null (and callers keep tfjs's own path) where the module cannot run: a
 * runtime without wasm SIMD or a tfjs-wasm whose memory is not exposed. `setSimdKernels(false)` turns
 * them off (A/B benches, tests).
 */
import { KERNELS_SHARED_WASM_BASE64, KERNELS_WASM_BASE64 } from './simd/kernelsWasm.generated';

export interface SimdKernels {
  segment(
    mode: number,
    x: number,
    y: number,
    out: number,
    w: number,
    na: number,
    nb: number,
    tasks: number,
    scratch: number,
  ): void;
  adam(
    p: number,
    g: number,
    m: number,
    v: number,
    po: number,
    mo: number,
    vo: number,
    n: number,
    c: number,
    rate: number,
    shrink: number,
    beta1: number,
    beta2: number,
    eps: number,
  ): void;
  sgd(p: number, g: number, po: number, n: number, step: number, shrink: number): void;
  /** tfjs-wasm's memory (views of its buffer are current; Module.HEAP32 may lag a growth by another thread) */
  readonly memory: WebAssembly.Memory;
  leaky(v: number, x: number, out: number, n: number, slope: number): void;
  bag(
    src: number,
    idx: number,
    wts: number,
    out: number,
    n: number,
    groups: number,
    width: number,
    e: number,
    adjoint: number,
    rowStride: number,
    col: number,
  ): void;
}

/** A tensor's byte offset in tfjs-wasm's heap (the pointer every kernel of the module takes). */
export function heapOffset(backend: unknown, t: { dataId: object }): number {
  return (backend as { dataIdMap: { get(id: object): { memoryOffset: number } } }).dataIdMap.get(t.dataId)
    .memoryOffset;
}

/** What the kernels need of the tfjs-wasm backend (4.22's internals, checked before use). */
export interface WasmHeapBackend {
  /** the memory: exported by the plain build (asm.memory), created in JS by the threaded one (wasmMemory) */
  wasm: { asm?: { memory?: unknown }; wasmMemory?: unknown };
}

let enabled = true;
const modules = new Map<boolean, WebAssembly.Module | null>();
const instances = new WeakMap<WebAssembly.Memory, SimdKernels>();

/** Turns the SIMD kernels on or off (both paths compute the same values up to float rounding; A/B benches, tests). */
export function setSimdKernels(on: boolean): void {
  enabled = on;
}

/** The module for a plain or a shared memory (null where this runtime cannot compile it). */
function compiled(shared: boolean): WebAssembly.Module | null {
  let module = modules.get(shared);
  if (module === undefined) {
    try {
      const text = atob(shared ? KERNELS_SHARED_WASM_BASE64 : KERNELS_WASM_BASE64);
      const bytes = new Uint8Array(text.length);
      for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
      // ~3 KB, compiled synchronously: training runs in a Web Worker (or Node), where that is allowed
      module = new WebAssembly.Module(bytes);
    } catch {
      module = null; // no wasm SIMD in this runtime
    }
    modules.set(shared, module);
  }
  return module;
}

/** The kernels on `backend`'s heap, or null where they cannot run (see the file comment). */
export function simdKernelsFor(backend: unknown): SimdKernels | null {
  if (!enabled) return null;
  const wasm = (backend as Partial<WasmHeapBackend> | null | undefined)?.wasm;
  const memory = wasm?.wasmMemory ?? wasm?.asm?.memory;
  if (!(memory instanceof WebAssembly.Memory)) return null;
  let kernels = instances.get(memory);
  if (!kernels) {
    const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    const mod = compiled(shared);
    if (!mod) return null;
    const exports = new WebAssembly.Instance(mod, { env: { memory } }).exports;
    kernels = { ...(exports as unknown as Omit<SimdKernels, 'memory'>), memory };
    instances.set(memory, kernels);
  }
  return kernels;
}
