/**
 * The meta-optimizer's update of one parameter tensor as ONE tfjs kernel on webgpu (train/optim.ts
 * uses it there; elsewhere the composed ops). Elementwise, any shape, p, g, m, v of the same shape:
 *
 *   Adam ('MetaRecAdam', outputs [p', m', v']):
 *     m' = b1 m + (1 - b1) g,  v' = b2 v + (1 - b2) g^2,  p' = s p - rate m' / (sqrt(v') + eps)
 *   SGD ('MetaRecSgd', output p'):  p' = s p - rate g
 *
 * with s the decoupled weight-decay shrink (1 = none) and rate the step size with Adam's bias
 * correction folded in. With an optional input c [1] (the global-norm clip's scale, kernels/normWebgpu.ts)
 * g reads as c g, so the clipped gradient is never written out. The composed form costs ~12 kernels per
 * tensor (a MeLU step: 108 of ~450); this one costs one tfjs kernel (three WGSL dispatches for Adam,
 * one per output). Not differentiable (an update, never inside a gradient).
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { fusedOnWasm, registerOptimizerWasm, type UpdateAttrs } from './optimizerWasm';

export const ADAM_KERNEL = 'MetaRecAdam';
export const SGD_KERNEL = 'MetaRecSgd';

const WORKGROUP = 64;

type Output = 'm' | 'v' | 'p' | 'sgd';

class UpdateProgram implements WebGPUProgram {
  variableNames: string[];
  outputShape: number[];
  uniforms = 'rate : f32, shrink : f32, beta1 : f32, beta2 : f32, eps : f32,';
  workgroupSize: [number, number, number] = [WORKGROUP, 1, 1];
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  size = true;
  shaderKey: string;

  constructor(
    private readonly output: Output,
    shape: number[],
    private readonly scaled: boolean,
  ) {
    // p' reads the new moments (m', v'), so it needs no g
    const names = { m: ['g', 'm'], v: ['g', 'v'], p: ['p', 'm', 'v'], sgd: ['p', 'g'] }[output];
    this.variableNames = scaled && output !== 'p' ? [...names, 'c'] : names;
    this.outputShape = shape;
    this.dispatchLayout = { x: shape.map((_, i) => i) };
    this.dispatch = [Math.max(1, Math.ceil(shape.reduce((s, n) => s * n, 1) / WORKGROUP)), 1, 1];
    this.shaderKey = `metarecUpdate_${output}_${this.variableNames.length}`;
  }

  getUserCode(): string {
    const g = this.variableNames.includes('c') ? '(c[0] * g[index])' : 'g[index]';
    const value = {
      m: `uniforms.beta1 * m[index] + (1.0 - uniforms.beta1) * ${g}`,
      v: `uniforms.beta2 * v[index] + (1.0 - uniforms.beta2) * ${g} * ${g}`,
      p: 'uniforms.shrink * p[index] - uniforms.rate * m[index] / (sqrt(v[index]) + uniforms.eps)',
      sgd: `uniforms.shrink * p[index] - uniforms.rate * ${g}`,
    }[this.output];
    return `fn main(index : i32) { if (index < uniforms.size) { setOutputAtIndex(index, ${value}); } }`;
  }
}

function run(gpu: WebGPUBackend, output: Output, inputs: tf.TensorInfo[], a: UpdateAttrs): tf.TensorInfo {
  // the m, v and sgd programs take c last when there is one
  const scaled = inputs.length === { m: 3, v: 3, p: 4, sgd: 3 }[output];
  return gpu.runWebGPUProgram(
    new UpdateProgram(output, inputs[0]!.shape, scaled),
    inputs,
    'float32',
    [a.rate, a.shrink, a.beta1, a.beta2, a.eps].map((x) => ({ type: 'float32', data: [x] })),
  );
}

let registered = false;

function register(): void {
  registerOptimizerWasm(ADAM_KERNEL, SGD_KERNEL);
  if (registered) return;
  registered = true;
  tf.registerKernel({
    kernelName: ADAM_KERNEL,
    backendName: 'webgpu',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { p, g, m, v, c } = inputs as Record<'p' | 'g' | 'm' | 'v' | 'c', tf.TensorInfo>;
      const gpu = backend as WebGPUBackend;
      const a = attrs as unknown as UpdateAttrs;
      const m2 = run(gpu, 'm', c ? [g, m, c] : [g, m], a);
      const v2 = run(gpu, 'v', c ? [g, v, c] : [g, v], a);
      return [run(gpu, 'p', [p, m2, v2], a), m2, v2];
    },
  });
  tf.registerKernel({
    kernelName: SGD_KERNEL,
    backendName: 'webgpu',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { p, g, c } = inputs as Record<'p' | 'g' | 'c', tf.TensorInfo>;
      return run(backend as WebGPUBackend, 'sgd', c ? [p, g, c] : [p, g], attrs as unknown as UpdateAttrs);
    },
  });
}

/** True when the fused updates run on the active backend for every tensor (webgpu). */
export const hasFusedUpdate = (): boolean => tf.getBackend() === 'webgpu';

/**
 * True when `t`'s update should be the fused kernel: always on webgpu; on wasm for every tensor where our
 * SIMD module runs, else for small ones only (kernels/optimizerWasm.ts: JS loops beat ~11 composed ops'
 * fixed costs, not their SIMD passes).
 */
export const fusedUpdateFor = (t: tf.Tensor): boolean =>
  hasFusedUpdate() || (tf.getBackend() === 'wasm' && fusedOnWasm(t));

/** Adam's update of one tensor: [p', m', v'] with g read as scale g (see the file comment; caller checks hasFusedUpdate). */
export function fusedAdam(
  p: tf.Tensor,
  g: tf.Tensor,
  m: tf.Tensor,
  v: tf.Tensor,
  attrs: UpdateAttrs,
  scale: tf.Tensor | null = null,
): [tf.Tensor, tf.Tensor, tf.Tensor] {
  register();
  const inputs: tf.NamedTensorMap = scale ? { p, g, m, v, c: scale } : { p, g, m, v };
  const out = tf.engine().runKernel(ADAM_KERNEL, inputs, {
    ...attrs,
  } as unknown as tf.NamedAttrMap) as tf.Tensor[];
  return [out[0]!, out[1]!, out[2]!];
}

/** SGD's update of one tensor: s p - rate c g (c: the clip scale [1], or 1; caller checks hasFusedUpdate). */
export function fusedSgd(
  p: tf.Tensor,
  g: tf.Tensor,
  rate: number,
  shrink: number,
  scale: tf.Tensor | null = null,
): tf.Tensor {
  register();
  return tf.engine().runKernel(SGD_KERNEL, scale ? { p, g, c: scale } : { p, g }, {
    rate,
    shrink,
    beta1: 0,
    beta2: 0,
    eps: 0,
  } as unknown as tf.NamedAttrMap) as tf.Tensor;
}
