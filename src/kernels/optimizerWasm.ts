/**
 * The meta-optimizer's fused updates ('MetaRecAdam', 'MetaRecSgd' of kernels/optimizerWebgpu.ts: same
 * names, inputs and attrs) for SMALL tensors on tfjs-wasm, as JS loops over views of the wasm heap.
 *
 * Why only small ones: on wasm a composed op costs a fixed ~15-40 us, and Adam composes ~11 of them per
 * tensor, so for a bias or a hidden layer the fixed costs are the update; a JS loop runs ~3.5 ns per
 * element against tfjs-wasm's SIMD ops' ~1, so for a large embedding table the composed ops win
 * (measured, 50-call loops on this machine: Adam over 456,897 floats 5.4 ms fused against 3.7 composed;
 * SGD on [32, 64] 13 us fused against 47-92 us composed). `fusedOnWasm` draws the line.
 *
 *   Adam: m' = b1 m + (1 - b1) c g,  v' = b2 v + (1 - b2) (c g)^2,  p' = s p - rate m' / (sqrt(v') + eps)
 *   SGD:  p' = s p - rate c g        (c: the optional clip scale input [1], else 1)
 * Arithmetic in float64, stored as float32 (the composed ops round after every op: ~1e-7 relative).
 */
import * as tf from '@tensorflow/tfjs';

/** Tensors up to this many elements take the fused JS update on wasm. */
export const WASM_FUSED_MAX = 16_384;

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

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
      const [pv, gv, po] = [p, g, out].map((t) => view(wasm, t)) as Float32Array[];
      const step = rate * (c ? view(wasm, c)[0]! : 1);
      for (let i = 0; i < pv!.length; i++) po![i] = shrink * pv![i]! - step * gv![i]!;
      return out;
    },
  });
}
