/**
 * The row kernels of kernels/rowsWasm.ts as WGSL programs for tfjs-webgpu (same kernel names, same
 * inputs and attrs, registered for the 'webgpu' backend). Index -1 reads (or drops) a zero row.
 *
 *   gather   x [V, e], idx [n]            -> out [n, e]    out[r, c] = x[idx[r], c]          (thread per out)
 *   scatter  v [n, e], idx [n], rows = V  -> out [V, e]    out[i, c] = sum_{idx[r] = i} v[r, c]
 *   bag      x [V, e], idx, w [n, G W]    -> out [n, G e]  out[r, g e + c] = sum_j w[r, gW+j] x[idx[r, gW+j], c]
 *   bagT     dy [n, G e], idx, w, rows = V -> out [V, e]   out[i, c] = sum_{(r,g,j): idx = i} w dy[r, g e + c]
 *
 * The two scatters (many rows may add into one output row) zero the output, then add with a float
 * atomic (compare-and-swap on the bits, as tfjs-webgpu's own ScatterNd): one thread per source
 * element. Summation order is therefore not fixed: results may differ from run to run in the last bits.
 * Out-of-range indices (>= V) read zeros / are dropped (no host check: that would read indices back).
 */
import type * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';

const WORKGROUP = 64;

/** One thread per element of `shape`, flat; `size` bounds the dispatch. */
abstract class FlatProgram implements WebGPUProgram {
  abstract variableNames: string[];
  outputShape: number[];
  workgroupSize: [number, number, number] = [WORKGROUP, 1, 1];
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  size: boolean;
  abstract shaderKey: string;

  /** atomic programs (the scatters) bound the dispatch by their own `sources` uniform instead of size */
  constructor(outShape: number[], threads: number, atomic = false) {
    this.size = !atomic;
    this.outputShape = outShape;
    this.dispatchLayout = { x: outShape.map((_, i) => i) };
    this.dispatch = [Math.max(1, Math.ceil(threads / WORKGROUP)), 1, 1];
  }
  abstract getUserCode(): string;
}

class ZeroProgram extends FlatProgram {
  variableNames: string[] = [];
  shaderKey = 'metarecZero';
  getUserCode(): string {
    return `fn main(index : i32) { if (index < uniforms.size) { setOutputAtIndex(index, 0.0); } }`;
  }
}

class CopyProgram extends FlatProgram {
  variableNames = ['x'];
  shaderKey = 'metarecCopy';
  getUserCode(): string {
    return `fn main(index : i32) { if (index < uniforms.size) { setOutputAtIndex(index, x[index]); } }`;
  }
}

class GatherProgram extends FlatProgram {
  variableNames = ['x', 'indices'];
  shaderKey = 'metarecGatherRows';
  uniforms = 'rows : i32, width : i32,';
  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index < uniforms.size) {
          let i = indices[index / uniforms.width];
          var v = 0.0;
          if (i >= 0 && i < uniforms.rows) { v = x[i * uniforms.width + index % uniforms.width]; }
          setOutputAtIndex(index, v);
        }
      }`;
  }
}

const ATOMIC_ADD = (ptr: string, value: string) => `
  {
    var old = atomicLoad(${ptr});
    loop {
      let next = bitcast<i32>(bitcast<f32>(old) + ${value});
      let res = atomicCompareExchangeWeak(${ptr}, old, next);
      if (res.exchanged) { break; }
      old = res.old_value;
    }
  }`;

/** Adds v [n, e] into the zeroed output rows idx[r] (size: the source elements, n e). */
class ScatterProgram extends FlatProgram {
  variableNames = ['values', 'indices'];
  shaderKey = 'metarecScatterRows';
  uniforms = 'rows : i32, width : i32, sources : i32,';
  atomic = true;
  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index < uniforms.sources) {
          let i = indices[index / uniforms.width];
          if (i >= 0 && i < uniforms.rows) {
            let v = values[index];
            ${ATOMIC_ADD('&result[i * uniforms.width + index % uniforms.width]', 'v')}
          }
        }
      }`;
  }
}

class BagProgram extends FlatProgram {
  variableNames = ['values', 'indices', 'weights'];
  shaderKey = 'metarecEmbeddingBag';
  uniforms = 'rows : i32, width : i32, groups : i32, slots : i32,';
  getUserCode(): string {
    // out [n, G e]: element (r, g, c); slots W per group; idx and w [n, G W]
    return `
      fn main(index : i32) {
        if (index < uniforms.size) {
          let e = uniforms.width;
          let c = index % e;
          let rg = index / e;
          let first = rg * uniforms.slots;
          var s = 0.0;
          for (var j = 0; j < uniforms.slots; j++) {
            let w = weights[first + j];
            let i = indices[first + j];
            if (w != 0.0 && i >= 0 && i < uniforms.rows) { s += w * values[i * e + c]; }
          }
          setOutputAtIndex(index, s);
        }
      }`;
  }
}

/** The bag's adjoint: thread per dy element (r, g, c), atomic adds into the zeroed table rows. */
class BagTProgram extends FlatProgram {
  variableNames = ['values', 'indices', 'weights'];
  shaderKey = 'metarecEmbeddingBagT';
  uniforms = 'rows : i32, width : i32, groups : i32, slots : i32, sources : i32,';
  atomic = true;
  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index < uniforms.sources) {
          let e = uniforms.width;
          let c = index % e;
          let first = (index / e) * uniforms.slots;
          let d = values[index];
          for (var j = 0; j < uniforms.slots; j++) {
            let w = weights[first + j];
            let i = indices[first + j];
            if (w != 0.0 && i >= 0 && i < uniforms.rows) {
              ${ATOMIC_ADD('&result[i * e + c]', 'w * d')}
            }
          }
        }
      }`;
  }
}

const int = (v: number) => ({ type: 'int32', data: [v] });
const sizeOf = (shape: readonly number[]) => shape.reduce((s, n) => s * n, 1);

/** A zeroed [rows, width] output for the atomic scatters. */
function zeros(gpu: WebGPUBackend, shape: number[]): tf.TensorInfo {
  return gpu.runWebGPUProgram(new ZeroProgram(shape, sizeOf(shape)), [], 'float32');
}

function copy(gpu: WebGPUBackend, x: tf.TensorInfo): tf.TensorInfo {
  return gpu.runWebGPUProgram(new CopyProgram(x.shape, sizeOf(x.shape)), [x], 'float32');
}

export function gatherRowsWebgpu(x: tf.TensorInfo, indices: tf.TensorInfo, backend: unknown): tf.TensorInfo {
  const [rows, width] = x.shape as [number, number];
  const shape = [indices.shape[0]!, width];
  return (backend as WebGPUBackend).runWebGPUProgram(
    new GatherProgram(shape, sizeOf(shape)),
    [x, indices],
    'float32',
    [int(rows), int(width)],
  );
}

export function scatterRowsWebgpu(
  values: tf.TensorInfo,
  indices: tf.TensorInfo,
  rows: number,
  backend: unknown,
): tf.TensorInfo {
  const gpu = backend as WebGPUBackend;
  const width = values.shape[1]!;
  const out = zeros(gpu, [rows, width]);
  const sources = sizeOf(values.shape);
  if (sources === 0) return out;
  return gpu.runWebGPUProgram(
    new ScatterProgram([rows, width], sources, true),
    [values, indices],
    'float32',
    [int(rows), int(width), int(sources)],
    out,
  );
}

/** The bag (adjoint = false: values = table) or its adjoint (values = dy, rows = table rows). */
export function bagWebgpu(
  adjoint: boolean,
  values: tf.TensorInfo,
  indices: tf.TensorInfo,
  weights: tf.TensorInfo,
  groups: number,
  rows: number,
  backend: unknown,
  acc?: tf.TensorInfo,
): tf.TensorInfo {
  const gpu = backend as WebGPUBackend;
  const [n, slotsAll] = indices.shape as [number, number];
  const slots = slotsAll / groups;
  if (!adjoint) {
    const [tableRows, e] = values.shape as [number, number];
    const shape = [n, groups * e];
    return gpu.runWebGPUProgram(new BagProgram(shape, sizeOf(shape)), [values, indices, weights], 'float32', [
      int(tableRows),
      int(e),
      int(groups),
      int(slots),
    ]);
  }
  const e = values.shape[1]! / groups;
  // the adjoint adds into a copy of acc (the index fields' scatter) where there is one, else into zeros
  const out = acc ? copy(gpu, acc) : zeros(gpu, [rows, e]);
  const sources = sizeOf(values.shape);
  if (sources === 0) return out;
  return gpu.runWebGPUProgram(
    new BagTProgram([rows, e], sources, true),
    [values, indices, weights],
    'float32',
    [int(rows), int(e), int(groups), int(slots), int(sources)],
    out,
  );
}
