/**
 * Two elementwise steps of the hand-written meta-steps as ONE tfjs kernel each on webgpu (two on the
 * composed path: issue #22's kernel count), and the ReLU adjoint also on wasm by the project's SIMD
 * module (kernels/simdWasm.ts), with leaky ReLU's forward ('MetaRecLeakyRelu', wasm only: tfjs-wasm's
 * LeakyRelu ran ~2.5 ns per float, ~5 ms of a MAMO+ meta-step under load, tf.profile); the composed ops
 * elsewhere:
 *
 *   'MetaRecReluBackward'  dy, x [...s] -> dx [...s]:      dx = dy if x > 0 else slope dy
 *                          (= dy * step(x, slope): the adjoint of a (leaky) ReLU, slope 0 for ReLU)
 *   'MetaRecTileTasks'     x [...s], tasks T -> [T, ...s]: out[t, ...] = x[...]
 *                          (= broadcastTo(expandDims(x, 0)): the shared weights as per-task weights)
 *
 * Both are linear in their float input, and their gradients are registered (to any order): the tile's
 * is the sum over tasks, the ReLU adjoint's is itself in dy (and zero in x, as step's).
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { heapOffset, simdKernelsFor } from './simdWasm';

export const RELU_BACKWARD_KERNEL = 'MetaRecReluBackward';
export const LEAKY_RELU_KERNEL = 'MetaRecLeakyRelu';
export const TILE_TASKS_KERNEL = 'MetaRecTileTasks';
const WORKGROUP = 64;

class FlatProgram implements WebGPUProgram {
  outputShape: number[];
  workgroupSize: [number, number, number] = [WORKGROUP, 1, 1];
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  size = true;

  constructor(
    public variableNames: string[],
    shape: number[],
    public uniforms: string,
    public shaderKey: string,
    private readonly value: string,
  ) {
    this.outputShape = shape;
    this.dispatchLayout = { x: shape.map((_, i) => i) };
    this.dispatch = [Math.max(1, Math.ceil(shape.reduce((s, n) => s * n, 1) / WORKGROUP)), 1, 1];
  }

  getUserCode(): string {
    return `fn main(index : i32) { if (index < uniforms.size) { setOutputAtIndex(index, ${this.value}); } }`;
  }
}

let registered = false;

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

/** out = v where x > 0, slope v elsewhere, by the SIMD module on tfjs-wasm's heap (callers check it runs). */
function leakyWasm(v: tf.TensorInfo, x: tf.TensorInfo, slope: number, backend: unknown): tf.TensorInfo {
  const wasm = backend as WasmBackendLike;
  const out = wasm.makeOutput(v.shape, 'float32');
  const at = (t: tf.TensorInfo) => heapOffset(backend, t);
  const size = v.shape.reduce((s, n) => s * n, 1);
  simdKernelsFor(backend)!.leaky(at(v), at(x), at(out), size, slope);
  return out;
}

function register(): void {
  if (registered) return;
  registered = true;
  tf.registerKernel({
    kernelName: RELU_BACKWARD_KERNEL,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { dy, x } = inputs as Record<'dy' | 'x', tf.TensorInfo>;
      return leakyWasm(dy, x, (attrs as unknown as { slope: number }).slope, backend);
    },
  });
  tf.registerKernel({
    kernelName: LEAKY_RELU_KERNEL,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x } = inputs as Record<'x', tf.TensorInfo>;
      return leakyWasm(x, x, (attrs as unknown as { slope: number }).slope, backend);
    },
  });
  tf.registerKernel({
    kernelName: RELU_BACKWARD_KERNEL,
    backendName: 'webgpu',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { dy, x } = inputs as Record<'dy' | 'x', tf.TensorInfo>;
      const program = new FlatProgram(
        ['dy', 'x'],
        dy.shape,
        'slope : f32,',
        'metarecReluBackward',
        'select(uniforms.slope * dy[index], dy[index], x[index] > 0.0)',
      );
      const slope = (attrs as unknown as { slope: number }).slope;
      return (backend as WebGPUBackend).runWebGPUProgram(program, [dy, x], 'float32', [
        { type: 'float32', data: [slope] },
      ]);
    },
  });
  tf.registerKernel({
    kernelName: TILE_TASKS_KERNEL,
    backendName: 'webgpu',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x } = inputs as Record<'x', tf.TensorInfo>;
      const tasks = (attrs as unknown as { tasks: number }).tasks;
      const size = x.shape.reduce((s, n) => s * n, 1);
      const program = new FlatProgram(
        ['x'],
        [tasks, ...x.shape],
        'width : i32,',
        'metarecTileTasks',
        'x[index % uniforms.width]',
      );
      return (backend as WebGPUBackend).runWebGPUProgram(program, [x], 'float32', [
        { type: 'int32', data: [size] },
      ]);
    },
  });
  tf.registerGradient({
    kernelName: TILE_TASKS_KERNEL,
    gradFunc: (dy) => ({ x: () => tf.sum(dy as tf.Tensor, 0) }),
  });
  tf.registerGradient({
    kernelName: RELU_BACKWARD_KERNEL,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const x = saved[0]!;
      const slope = (attrs as unknown as { slope: number }).slope;
      return { dy: () => reluBackward(dy as tf.Tensor, x, slope), x: () => tf.zerosLike(x) };
    },
  });
}

const onWebGPU = (): boolean => tf.getBackend() === 'webgpu';
const onWasmSimd = (): boolean => tf.getBackend() === 'wasm' && simdKernelsFor(tf.backend()) !== null;

/** dy * step(x, slope), dy and x of one shape: one kernel on webgpu and on wasm (SIMD module). */
export function reluBackward(dy: tf.Tensor, x: tf.Tensor, slope: number): tf.Tensor {
  const fused = onWebGPU() || onWasmSimd();
  if (!fused || dy.dtype !== 'float32' || x.dtype !== 'float32' || !tf.util.arraysEqual(dy.shape, x.shape))
    return tf.mul(dy, tf.step(x, slope));
  register();
  return tf
    .engine()
    .runKernel(RELU_BACKWARD_KERNEL, { dy, x }, { slope } as unknown as tf.NamedAttrMap) as tf.Tensor;
}

/**
 * LeakyReLU's forward value (no gradient: callers wrap it, models/ops.ts): the SIMD module's kernel on
 * wasm, tfjs's leakyRelu elsewhere.
 */
export function leakyReluForward(x: tf.Tensor, slope: number): tf.Tensor {
  if (!onWasmSimd() || x.dtype !== 'float32') return slope === 0 ? tf.relu(x) : tf.leakyRelu(x, slope);
  register();
  return tf
    .engine()
    .runKernel(LEAKY_RELU_KERNEL, { x }, { slope } as unknown as tf.NamedAttrMap) as tf.Tensor;
}

/** x [...s] repeated as [tasks, ...s]: one kernel on webgpu, null elsewhere. */
export function tileTasksFused(x: tf.Tensor, tasks: number): tf.Tensor | null {
  if (!onWebGPU() || x.dtype !== 'float32') return null;
  register();
  return tf
    .engine()
    .runKernel(TILE_TASKS_KERNEL, { x }, { tasks } as unknown as tf.NamedAttrMap) as tf.Tensor;
}
