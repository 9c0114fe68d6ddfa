/**
 * The meta-optimizer's fused updates ('MetaRecAdam', 'MetaRecSgd' of kernels/optimizerWebgpu.ts: same
 * names, inputs and attrs) on tfjs-wasm: one pass of the SIMD module (kernels/simdWasm.ts) over tfjs's
 * heap, for tensors of any size; where that module cannot run, JS loops over views of the heap, for
 * SMALL tensors only.
 *
 * Why: on wasm a composed op costs a fixed ~15-40 us, and Adam composes ~11 of them per tensor, so for a
 * bias or a hidden layer the fixed costs are the update, and for a large embedding table it is ~11 passes
 * over memory. The JS loop runs ~3.5 ns per element against tfjs-wasm's SIMD ops' ~1, so without the
 * module the composed ops keep the large tables (measured, 50-call loops on this machine: Adam over
 * 456,897 floats 5.4 ms by JS loop against 3.7 composed; SGD on [32, 64] 13 us against 47-92 us
 * composed). `fusedUpdateFor` (kernels/optimizerWebgpu.ts) draws the line.
 *
 *   Adam: m' = b1 m + (1 - b1) c g,  v' = b2 v + (1 - b2) (c g)^2,  p' = s p - rate m' / (sqrt(v') + eps)
 *   SGD:  p' = s p - rate c g        (c: the optional clip scale input [1], else 1)
 * The SIMD pass computes in float32 as the composed ops do; the JS loop in float64, stored as float32
 * (the composed ops round after every op: ~1e-7 relative).
 */
import * as tf from '@tensorflow/tfjs';
import { heapOffset, simdKernelsFor } from './simdWasm';

/** Without the SIMD module, tensors up to this many elements take the fused JS update on wasm. */
export const WASM_FUSED_MAX = 16_384;

/** True when `t`'s fused update pays on the active wasm backend (any size with the SIMD module). */
export const fusedOnWasm = (t: tf.Tensor): boolean =>
  t.dtype === 'float32' && (t.size <= WASM_FUSED_MAX || simdKernelsFor(tf.backend()) !== null);

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

const offsetOf = heapOffset;

/** The fused updates' attrs (both backends): step size (Adam's bias correction folded in), decay shrink. */
export interface UpdateAttrs {
  rate: number;
  shrink: number;
  beta1: number;
  beta2: number;
  eps: number;
}

let registered = false;

/** Registers the two kernels for the 'wasm' backend (idempotent; kernel names passed by the caller). */
export function registerOptimizerWasm(adamKernel: string, sgdKernel: string): void {
  if (registered) return;
  registered = true;
  const view = (wasm: WasmBackendLike, t: tf.TensorInfo) => wasm.typedArrayFromHeap(t) as Float32Array;
  tf.registerKernel({
    kernelName: adamKernel,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { p, g, m, v, c } = inputs as Record<'p' | 'g' | 'm' | 'v' | 'c', tf.TensorInfo>;
      const wasm = backend as unknown as WasmBackendLike;
      const { rate, shrink, beta1, beta2, eps } = attrs as unknown as UpdateAttrs;
      const outs = [0, 1, 2].map(() => wasm.makeOutput(p.shape, 'float32'));
      const simd = simdKernelsFor(backend);
      if (simd) {
        const size = p.shape.reduce((s, n) => s * n, 1);
        const [pp, gp, mp, vp, po, mo, vo] = [p, g, m, v, ...outs].map((t) => offsetOf(wasm, t)) as number[];
        const scale = c ? view(wasm, c)[0]! : 1;
        simd.adam(pp!, gp!, mp!, vp!, po!, mo!, vo!, size, scale, rate, shrink, beta1, beta2, eps);
        return outs;
      }
      // views after makeOutput: allocating may grow (and move) the heap
      const [pv, gv, mv, vv, po, mo, vo] = [p, g, m, v, ...outs].map((t) => view(wasm, t)) as Float32Array[];
      const scale = c ? view(wasm, c)[0]! : 1;
      for (let i = 0; i < pv!.length; i++) {
        const gi = scale * gv![i]!;
        const mi = beta1 * mv![i]! + (1 - beta1) * gi;
        const vi = beta2 * vv![i]! + (1 - beta2) * gi * gi;
        mo![i] = mi;
        vo![i] = vi;
        po![i] = shrink * pv![i]! - (rate * mi) / (Math.sqrt(vi) + eps);
      }
      return outs;
    },
  });
  tf.registerKernel({
    kernelName: sgdKernel,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { p, g, c } = inputs as Record<'p' | 'g' | 'c', tf.TensorInfo>;
      const wasm = backend as unknown as WasmBackendLike;
      const { rate, shrink } = attrs as unknown as UpdateAttrs;
      const out = wasm.makeOutput(p.shape, 'float32');
      const step = rate * (c ? view(wasm, c)[0]! : 1);
      const simd = simdKernelsFor(backend);
      if (simd) {
        const size = p.shape.reduce((s, n) => s * n, 1);
        simd.sgd(offsetOf(wasm, p), offsetOf(wasm, g), offsetOf(wasm, out), size, step, shrink);
        return out;
      }
      const [pv, gv, po] = [p, g, out].map((t) => view(wasm, t)) as Float32Array[];
      for (let i = 0; i < pv!.length; i++) po![i] = shrink * pv![i]! - step * gv![i]!;
      return out;
    },
  });
}
