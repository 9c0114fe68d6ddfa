/**
 * The global-norm clip's scale of a whole gradient record in a few kernels on webgpu (train/optim.ts):
 *
 *   'MetaRecSquares'  x_0 .. x_{n-1} (any shapes), acc? [1] -> [1]
 *       s = acc + sum_i sum_j x_i[j]^2;  with attr clip > 0 the output is min(1, clip / (sqrt(s) + 1e-12))
 *
 * One workgroup strides over every input and reduces in workgroup memory. A record of n tensors takes
 * ceil(n / (B - 1)) kernels chained through acc (B = the device's storage buffers per shader stage,
 * 8 by default: one is the output), where the composed ops take 2n + 5 (Square and Sum per tensor,
 * AddN, then sqrt, add, div, min). Values only: a clip scale is never differentiated.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';

export const SQUARES_KERNEL = 'MetaRecSquares';

const WORKGROUP = 128;

class SquaresProgram implements WebGPUProgram {
  variableNames: string[];
  outputShape = [1];
  uniforms: string;
  workgroupSize: [number, number, number] = [WORKGROUP, 1, 1];
  dispatchLayout = { x: [0] };
  dispatch: [number, number, number] = [1, 1, 1];
  shaderKey: string;

  constructor(
    private readonly inputs: number,
    private readonly acc: boolean,
    private readonly clip: boolean,
  ) {
    const names = Array.from({ length: inputs }, (_, i) => `x${i}`);
    this.variableNames = acc ? [...names, 'acc'] : names;
    this.uniforms = `${names.map((n) => `${n}Size : i32,`).join(' ')} clip : f32,`;
    this.shaderKey = `metarecSquares_${inputs}_${acc}_${clip}`;
  }

  getUserCode(): string {
    const loops = Array.from(
      { length: this.inputs },
      (_, i) =>
        `for (var j = tid; j < uniforms.x${i}Size; j += ${WORKGROUP}) { let v = x${i}[j]; s += v * v; }`,
    ).join('\n      ');
    const total = this.acc ? 'partial[0] + acc[0]' : 'partial[0]';
    const out = this.clip ? 'min(1.0, uniforms.clip / (sqrt(total) + 1e-12))' : 'total';
    return `
    var<workgroup> partial : array<f32, ${WORKGROUP}>;
    fn main(index : i32) {
      let tid = i32(localId.x);
      var s = 0.0;
      ${loops}
      partial[tid] = s;
      workgroupBarrier();
      for (var k = ${WORKGROUP / 2}; k > 0; k = k >> 1) {
        if (tid < k) { partial[tid] = partial[tid] + partial[tid + k]; }
        workgroupBarrier();
      }
      if (tid == 0) { let total = ${total}; result[0] = ${out}; }
    }`;
  }
}

let registered = false;

function register(): void {
  if (registered) return;
  registered = true;
  tf.registerKernel({
    kernelName: SQUARES_KERNEL,
    backendName: 'webgpu',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const all = inputs as Record<string, tf.TensorInfo>;
      const xs = Object.keys(all)
        .filter((k) => k !== 'acc')
        .map((k) => all[k]!);
      const acc = all.acc;
      const clip = (attrs as unknown as { clip: number }).clip;
      const program = new SquaresProgram(xs.length, acc !== undefined, clip > 0);
      const sizes = xs.map((x) => ({ type: 'int32', data: [x.shape.reduce((s, n) => s * n, 1)] }));
      return (backend as WebGPUBackend).runWebGPUProgram(program, acc ? [...xs, acc] : xs, 'float32', [
        ...sizes,
        { type: 'float32', data: [clip] },
      ]);
    },
  });
}

/**
 * min(1, clip / (||g|| + 1e-12)) over every tensor of `tensors` (one global norm), as a [1] tensor, in
 * ceil(n / (B - 2)) kernels on webgpu; null elsewhere (the caller composes the ops). clip > 0.
 */
export function globalClipScale(tensors: tf.Tensor[], clip: number): tf.Tensor | null {
  if (tf.getBackend() !== 'webgpu' || tensors.length === 0 || tensors.some((t) => t.dtype !== 'float32'))
    return null;
  register();
  // webgpu binds each input as a storage buffer: the output and acc take one each
  const buffers = (tf.backend() as WebGPUBackend).device?.limits?.maxStorageBuffersPerShaderStage ?? 8;
  const perKernel = buffers - 2;
  let acc: tf.Tensor | null = null;
  for (let start = 0; start < tensors.length; start += perKernel) {
    const group = tensors.slice(start, start + perKernel);
    const last = start + perKernel >= tensors.length;
    const inputs: Record<string, tf.Tensor> = Object.fromEntries(group.map((t, i) => [`x${i}`, t]));
    if (acc) inputs.acc = acc;
    const attrs = { clip: last ? clip : 0 } as unknown as tf.NamedAttrMap;
    const next = tf.engine().runKernel(SQUARES_KERNEL, inputs, attrs) as tf.Tensor;
    acc?.dispose();
    acc = next;
  }
  return acc;
}
