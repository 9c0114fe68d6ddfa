/**
 * The segmented (per-task) products of kernels/segmentMatMul.ts as one WGSL program for tfjs-webgpu.
 * Task t owns rows aStart[t]..aStart[t+1) of the A side, bStart[t]..bStart[t+1) of the B side and
 * the flat block pStart[t]..pStart[t+1) of P (na_t x nb_t, row-major):
 *
 *   'gram'   x = A [Ra, k], y = B [Rb, k]  -> out [sum na nb]   P_t[i, j] = sum_c A_t[i, c] B_t[j, c]
 *   'apply'  x = P, y = B [Rb, h]          -> out [Ra, h]       C_t[i, c] = sum_j P_t[i, j] B_t[j, c]
 *   'applyT' x = P, y = A [Ra, h]          -> out [Rb, h]       C_t[j, c] = sum_i P_t[i, j] A_t[i, c]
 *
 * One thread per output element; its task is found by a binary search over the start offsets (an
 * int32 input `seg` = [aStart | bStart | pStart], T + 1 entries each, uploaded per call from the
 * attrs). Loops run over one task's rows only: no padding, no per-task dispatch, one kernel per product.
 */
import type * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import type { SegmentMode } from './segmentMatMul';

const WORKGROUP = 64;

/** [aStart | bStart | pStart] (each T + 1 cumulative offsets) for the per-task row counts. */
export function segmentTable(na: readonly number[], nb: readonly number[]): Int32Array {
  const t = na.length;
  const out = new Int32Array(3 * (t + 1));
  for (let i = 0; i < t; i++) {
    out[i + 1] = out[i]! + na[i]!;
    out[t + 1 + i + 1] = out[t + 1 + i]! + nb[i]!;
    out[2 * (t + 1) + i + 1] = out[2 * (t + 1) + i]! + na[i]! * nb[i]!;
  }
  return out;
}

class SegmentProgram implements WebGPUProgram {
  variableNames = ['x', 'y', 'seg'];
  outputShape: number[];
  uniforms = 'tasks : i32, width : i32,';
  workgroupSize: [number, number, number] = [WORKGROUP, 1, 1];
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  size = true;
  shaderKey: string;

  constructor(
    private readonly mode: SegmentMode,
    outShape: number[],
  ) {
    this.outputShape = outShape;
    this.dispatchLayout = { x: outShape.map((_, i) => i) };
    const total = outShape.reduce((s, n) => s * n, 1);
    this.dispatch = [Math.ceil(total / WORKGROUP), 1, 1];
    this.shaderKey = `metarecSegment_${mode}`;
  }

  getUserCode(): string {
    // width: k (gram, the shared inner dimension) or h (apply, applyT: the output's columns)
    const body = {
      gram: `
        let t = findTask(2 * (T + 1), index);
        let nbt = seg[T + 1 + t + 1] - seg[T + 1 + t];
        let offset = index - seg[2 * (T + 1) + t];
        let ra = seg[t] + offset / nbt;
        let rb = seg[T + 1 + t] + offset % nbt;
        for (var c = 0; c < k; c++) { s += x[ra * k + c] * y[rb * k + c]; }`,
      apply: `
        let r = index / k;
        let col = index % k;
        let t = findTask(0, r);
        let nbt = seg[T + 1 + t + 1] - seg[T + 1 + t];
        let p0 = seg[2 * (T + 1) + t] + (r - seg[t]) * nbt;
        let b0 = seg[T + 1 + t];
        for (var j = 0; j < nbt; j++) { s += x[p0 + j] * y[(b0 + j) * k + col]; }`,
      applyT: `
        let r = index / k;
        let col = index % k;
        let t = findTask(T + 1, r);
        let nbt = seg[T + 1 + t + 1] - seg[T + 1 + t];
        let nat = seg[t + 1] - seg[t];
        let p0 = seg[2 * (T + 1) + t] + (r - seg[T + 1 + t]);
        let a0 = seg[t];
        for (var i = 0; i < nat; i++) { s += x[p0 + i * nbt] * y[(a0 + i) * k + col]; }`,
    }[this.mode];
    return `
      // the last task t with seg[base + t] <= v (empty tasks share their start with the next one)
      fn findTask(base : i32, v : i32) -> i32 {
        var lo = 0;
        var hi = uniforms.tasks - 1;
        loop {
          if (lo >= hi) { break; }
          let mid = (lo + hi + 1) / 2;
          if (seg[base + mid] <= v) { lo = mid; } else { hi = mid - 1; }
        }
        return lo;
      }
      fn main(index : i32) {
        if (index < uniforms.size) {
          let T = uniforms.tasks;
          let k = uniforms.width;
          var s = 0.0;
          ${body}
          setOutputAtIndex(index, s);
        }
      }`;
  }
}

/** The kernelFunc of the 'webgpu' registration (shapes already checked by the caller). */
export function segmentWebgpu(
  mode: SegmentMode,
  x: tf.TensorInfo,
  y: tf.TensorInfo,
  na: readonly number[],
  nb: readonly number[],
  outShape: number[],
  backend: unknown,
): tf.TensorInfo {
  const gpu = backend as WebGPUBackend;
  const seg = gpu.makeTensorInfo([3 * (na.length + 1)], 'int32', segmentTable(na, nb));
  const width = mode === 'gram' ? x.shape[x.shape.length - 1]! : y.shape[y.shape.length - 1]!;
  try {
    return gpu.runWebGPUProgram(new SegmentProgram(mode, outShape), [x, y, seg], 'float32', [
      { type: 'int32', data: [Math.max(1, na.length)] },
      { type: 'int32', data: [width] },
    ]);
  } finally {
    gpu.disposeData(seg.dataId);
  }
}
