/**
 * Row gather and row scatter-add as custom kernels of the tfjs-wasm backend, over tfjs-wasm's heap: by
 * the project's SIMD module (kernels/simdWasm.ts, its 'bag') where it runs, else in JS over views of the
 * heap (TypedArray.set per row = a memcpy); indices are checked in JS either way.
 *
 * Why: tfjs-wasm 4.22's GatherV2 first reads every index back and bounds-checks it in JS with a closure
 * per index, then runs a generic strided gather: ~30 M floats/s, 18 ms for one MeLU-sized embedding
 * lookup (bench). These move rows at memory speed. Index -1 reads (or drops) a zero row, which serves as
 * padding without an appended zero row.
 *
 *   gatherRowsKernel(x [V, e], idx [n]) -> out [n, e],   out[r] = x[idx[r]] (zeros for idx[r] = -1)
 *   scatterRowsKernel(v [n, e], idx [n], V) -> out [V, e], out[i] = sum_{r: idx[r] = i} v[r]
 *
 * And the weighted embedding bag of the multi-hot fields, with its adjoint (its gradient):
 *   bagKernel(x [V, e], idx [n, G W], w [n, G W]) -> out [n, G e],
 *       out[r, g] = sum_j w[r, g W + j] x[idx[r, g W + j]]
 *   bagTKernel(dy [n, G e], idx, w, V) -> out [V, e],  out[i] = sum_{(r, g, j): idx = i} w dy[r, g]
 * Fused, they never form the [n G W, e] gathered rows (17,136 x 32 for a MeLU batch of ML-1M items)
 * that a gather, a weighted product and a sum (whose gradient fills a ones tensor of that size in JS)
 * would, and they skip the padding slots (weight 0).
 */
import * as tf from '@tensorflow/tfjs';
import { registerSharedIdentity } from './identityWasm';
import { heapOffset, simdKernelsFor } from './simdWasm';
import { bagWebgpu, gatherRowsWebgpu, scatterRowsWebgpu } from './rowsWebgpu';

export const GATHER_ROWS_KERNEL = 'MetaRecGatherRows';
export const SCATTER_ROWS_KERNEL = 'MetaRecScatterRows';
export const BAG_KERNEL = 'MetaRecEmbeddingBag';
export const BAG_T_KERNEL = 'MetaRecEmbeddingBagT';
export const EMBED_SIDE_KERNEL = 'MetaRecEmbedSide';
export const EMBED_SIDE_T_KERNEL = 'MetaRecEmbedSideT';

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

function checkIndex(i: number, rows: number, kernel: string): void {
  if (i < -1 || i >= rows) throw new RangeError(`${kernel}: expected an index in -1..${rows - 1}, got ${i}`);
}

/** checkIndex over every slot that is read (weight not 0), before the SIMD module reads them unchecked. */
function checkIndices(index: Int32Array, weight: Float32Array | null, rows: number, kernel: string): void {
  for (let s = 0; s < index.length; s++) if (!weight || weight[s] !== 0) checkIndex(index[s]!, rows, kernel);
}

const offsetOf = heapOffset;

let registered = false;

/** Registers the four kernels for the 'wasm' backend and their WGSL versions for 'webgpu' (idempotent). */
export function registerRowKernels(): void {
  // the project's wasm kernels come together: with them, the Identity that shares data (once the wasm
  // backend is loaded: the row kernels may first run on webgpu)
  registerSharedIdentity();
  if (registered) return;
  registered = true;
  tf.registerKernel({
    kernelName: GATHER_ROWS_KERNEL,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) => {
      const { x, indices } = inputs as { x: tf.TensorInfo; indices: tf.TensorInfo };
      const wasm = backend as unknown as WasmBackendLike;
      const [rows, width] = x.shape as [number, number];
      const n = indices.shape[0]!;
      const out = wasm.makeOutput([n, width], 'float32');
      // views after makeOutput: allocating may grow (and move) the heap
      const source = wasm.typedArrayFromHeap(x) as Float32Array;
      const index = wasm.typedArrayFromHeap(indices) as Int32Array;
      const target = wasm.typedArrayFromHeap(out) as Float32Array;
      // wide rows (tileTasks' one row of a whole weight tensor) as a memcpy; narrow ones by the SIMD
      // module's bag (one slot per row, weight 1) or element by element (a subarray per row costs more
      // than copying 32 floats)
      const wide = width >= 256;
      const simd = wide ? null : simdKernelsFor(backend);
      if (simd) {
        checkIndices(index, null, rows, GATHER_ROWS_KERNEL);
        target.fill(0);
        simd.bag(
          offsetOf(wasm, x),
          offsetOf(wasm, indices),
          0,
          offsetOf(wasm, out),
          n,
          1,
          1,
          width,
          0,
          width,
          0,
        );
        return out;
      }
      for (let r = 0; r < n; r++) {
        const i = index[r]!;
        checkIndex(i, rows, GATHER_ROWS_KERNEL);
        const o = r * width;
        if (i < 0) {
          target.fill(0, o, o + width);
        } else if (wide) {
          target.set(source.subarray(i * width, (i + 1) * width), o);
        } else {
          const s = i * width;
          for (let k = 0; k < width; k++) target[o + k] = source[s + k]!;
        }
      }
      return out;
    },
  });
  tf.registerKernel({
    kernelName: SCATTER_ROWS_KERNEL,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { values, indices } = inputs as { values: tf.TensorInfo; indices: tf.TensorInfo };
      const rows = (attrs as unknown as { rows: number }).rows;
      const wasm = backend as unknown as WasmBackendLike;
      const width = values.shape[1]!;
      const n = indices.shape[0]!;
      const out = wasm.makeOutput([rows, width], 'float32');
      const source = wasm.typedArrayFromHeap(values) as Float32Array;
      const index = wasm.typedArrayFromHeap(indices) as Int32Array;
      const target = wasm.typedArrayFromHeap(out) as Float32Array;
      target.fill(0);
      const simd = simdKernelsFor(backend);
      if (simd) {
        // the bag's adjoint with one slot per row, weight 1
        checkIndices(index, null, rows, SCATTER_ROWS_KERNEL);
        simd.bag(
          offsetOf(wasm, values),
          offsetOf(wasm, indices),
          0,
          offsetOf(wasm, out),
          n,
          1,
          1,
          width,
          1,
          width,
          0,
        );
        return out;
      }
      for (let r = 0; r < n; r++) {
        const i = index[r]!;
        checkIndex(i, rows, SCATTER_ROWS_KERNEL);
        if (i < 0) continue;
        const o = i * width;
        const s = r * width;
        for (let k = 0; k < width; k++) target[o + k]! += source[s + k]!;
      }
      return out;
    },
  });
  // the bag and its adjoint: the same walk over the slots, rows read and written the other way round;
  // `side`: a side's whole embedding, [index fields | multi-hot fields] per row, and its adjoint
  // (embedding.ts): the index fields walked as one-slot bags of weight 1 into the first columns
  const bagKernel = (kernelName: string, adjoint: boolean, side: boolean): tf.KernelConfig => ({
    kernelName,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const named = inputs as Record<string, tf.TensorInfo | undefined>;
      const { values, weights } = named as Record<'values' | 'weights', tf.TensorInfo>;
      const multi = (side ? named.multi : named.indices)!;
      const index = side ? named.index! : null;
      const { groups, rows } = attrs as unknown as { groups: number; rows: number };
      const wasm = backend as unknown as WasmBackendLike;
      const n = multi.shape[0]!;
      const fields = index ? index.shape[1]! : 0;
      const width = multi.shape[1]! / groups;
      const e = adjoint ? values.shape[1]! / (fields + groups) : values.shape[1]!;
      const rowStride = (fields + groups) * e;
      const tableRows = adjoint ? rows : values.shape[0]!;
      const out = wasm.makeOutput(adjoint ? [rows, e] : [n, rowStride], 'float32');
      const target = wasm.typedArrayFromHeap(out) as Float32Array;
      // the adjoint may start from acc (a table of the same shape: the index fields' scatter) instead of 0
      if (named.acc) target.set(wasm.typedArrayFromHeap(named.acc) as Float32Array);
      else target.fill(0);
      const common = { n, e, adjoint, rowStride, tableRows, kernelName };
      if (index)
        bagWalk(
          backend,
          { values, indices: index, weights: null, out },
          { ...common, groups: fields, width: 1, col: 0 },
        );
      bagWalk(
        backend,
        { values, indices: multi, weights, out },
        { ...common, groups, width, col: fields * e },
      );
      return out;
    },
  });
  tf.registerKernel(bagKernel(BAG_KERNEL, false, false));
  tf.registerKernel(bagKernel(BAG_T_KERNEL, true, false));
  tf.registerKernel(bagKernel(EMBED_SIDE_KERNEL, false, true));
  tf.registerKernel(bagKernel(EMBED_SIDE_T_KERNEL, true, true));
  registerWebgpuRowKernels();
}

/** One walk of the bag's slots (see the file comment) on the [n, .] side's columns col.., rows rowStride apart. */
interface Walk {
  readonly n: number;
  readonly groups: number;
  readonly width: number;
  readonly e: number;
  readonly adjoint: boolean;
  readonly rowStride: number;
  readonly col: number;
  readonly tableRows: number;
  readonly kernelName: string;
}

/**
 * Accumulates the bag (or its adjoint) into `target`: by the SIMD module where it runs, else in JS. A
 * null weight tensor: every slot weighs 1 (the index fields, one slot per group).
 */
function bagWalk(
  backend: unknown,
  t: { values: tf.TensorInfo; indices: tf.TensorInfo; weights: tf.TensorInfo | null; out: tf.TensorInfo },
  w: Walk,
): void {
  const wasm = backend as WasmBackendLike;
  const a = {
    source: wasm.typedArrayFromHeap(t.values) as Float32Array,
    index: wasm.typedArrayFromHeap(t.indices) as Int32Array,
    weight: t.weights ? (wasm.typedArrayFromHeap(t.weights) as Float32Array) : null,
    target: wasm.typedArrayFromHeap(t.out) as Float32Array,
  };
  const simd = simdKernelsFor(backend);
  if (simd) {
    checkIndices(a.index, a.weight, w.tableRows, w.kernelName);
    const [src, idx, out] = [t.values, t.indices, t.out].map((x) => offsetOf(wasm, x)) as [
      number,
      number,
      number,
    ];
    const wts = t.weights ? offsetOf(wasm, t.weights) : 0;
    simd.bag(src, idx, wts, out, w.n, w.groups, w.width, w.e, w.adjoint ? 1 : 0, w.rowStride, w.col);
    return;
  }
  const slots = w.groups * w.width;
  for (let r = 0; r < w.n; r++) {
    for (let g = 0; g < w.groups; g++) {
      const bagRow = r * w.rowStride + w.col + g * w.e;
      for (let j = 0; j < w.width; j++) {
        const slot = r * slots + g * w.width + j;
        const wt = a.weight ? a.weight[slot]! : 1;
        if (wt === 0) continue;
        const i = a.index[slot]!;
        checkIndex(i, w.tableRows, w.kernelName);
        if (i < 0) continue;
        const o = w.adjoint ? i * w.e : bagRow;
        const s = w.adjoint ? bagRow : i * w.e;
        for (let k = 0; k < w.e; k++) a.target[o + k]! += wt * a.source[s + k]!;
      }
    }
  }
}

/** The same kernel names on 'webgpu', as WGSL programs (kernels/rowsWebgpu.ts). */
function registerWebgpuRowKernels(): void {
  type Inputs = Record<string, tf.TensorInfo>;
  const attr = (attrs: unknown) => attrs as { rows: number; groups: number };
  tf.registerKernel({
    kernelName: GATHER_ROWS_KERNEL,
    backendName: 'webgpu',
    kernelFunc: ({ inputs, backend }) =>
      gatherRowsWebgpu((inputs as Inputs).x!, (inputs as Inputs).indices!, backend),
  });
  tf.registerKernel({
    kernelName: SCATTER_ROWS_KERNEL,
    backendName: 'webgpu',
    kernelFunc: ({ inputs, backend, attrs }) =>
      scatterRowsWebgpu((inputs as Inputs).values!, (inputs as Inputs).indices!, attr(attrs).rows, backend),
  });
  for (const [kernelName, adjoint] of [
    [BAG_KERNEL, false],
    [BAG_T_KERNEL, true],
  ] as const)
    tf.registerKernel({
      kernelName,
      backendName: 'webgpu',
      kernelFunc: ({ inputs, backend, attrs }) => {
        const { values, indices, weights, acc } = inputs as Inputs;
        const { groups, rows } = attr(attrs);
        return bagWebgpu(adjoint, values!, indices!, weights!, groups, rows, backend, acc);
      },
    });
}

/** True when the active backend has the row kernels (wasm: JS over the heap; webgpu: WGSL). */
export function hasRowKernels(): boolean {
  const name = tf.getBackend();
  return name === 'wasm' || name === 'webgpu';
}

/** The weighted embedding bag through the row kernel: [n, groups e] (caller checks hasRowKernels). */
export function kernelEmbeddingBag(
  x: tf.Tensor2D,
  indices: tf.Tensor2D,
  weights: tf.Tensor2D,
  groups: number,
): tf.Tensor2D {
  registerRowKernels();
  return tf.engine().runKernel(BAG_KERNEL, { values: x, indices, weights }, {
    groups,
    rows: 0,
  } as unknown as tf.NamedAttrMap) as tf.Tensor2D;
}

/** The bag's adjoint through the row kernel: [rows, e] (caller checks hasRowKernels). */
export function kernelEmbeddingBagT(
  dy: tf.Tensor2D,
  indices: tf.Tensor2D,
  weights: tf.Tensor2D,
  groups: number,
  rows: number,
  acc: tf.Tensor2D | null = null,
): tf.Tensor2D {
  registerRowKernels();
  const inputs: tf.NamedTensorMap = acc
    ? { values: dy, indices, weights, acc }
    : { values: dy, indices, weights };
  return tf.engine().runKernel(BAG_T_KERNEL, inputs, {
    groups,
    rows,
  } as unknown as tf.NamedAttrMap) as tf.Tensor2D;
}

/**
 * A side's embedding [n, (F + G) e] in one kernel (wasm only: the caller checks the backend): the F index
 * fields' table rows, then the G multi-hot bags, written in place (no concat).
 */
export function kernelEmbedSide(
  table: tf.Tensor2D,
  index: tf.Tensor2D,
  multi: tf.Tensor2D,
  weights: tf.Tensor2D,
  groups: number,
): tf.Tensor2D {
  registerRowKernels();
  return tf.engine().runKernel(EMBED_SIDE_KERNEL, { values: table, index, multi, weights }, {
    groups,
    rows: 0,
  } as unknown as tf.NamedAttrMap) as tf.Tensor2D;
}

/** kernelEmbedSide's adjoint: the table gradient [rows, e] of dy [n, (F + G) e] (no slices). */
export function kernelEmbedSideT(
  dy: tf.Tensor2D,
  index: tf.Tensor2D,
  multi: tf.Tensor2D,
  weights: tf.Tensor2D,
  groups: number,
  rows: number,
): tf.Tensor2D {
  registerRowKernels();
  return tf.engine().runKernel(EMBED_SIDE_T_KERNEL, { values: dy, index, multi, weights }, {
    groups,
    rows,
  } as unknown as tf.NamedAttrMap) as tf.Tensor2D;
}

/** x[indices] through the row kernel (caller checks hasRowKernels). */
export function kernelGatherRows(x: tf.Tensor2D, indices: tf.Tensor1D): tf.Tensor2D {
  registerRowKernels();
  return tf.engine().runKernel(GATHER_ROWS_KERNEL, { x, indices }, {}) as tf.Tensor2D;
}

/** Scatter-add of rows through the row kernel (caller checks hasRowKernels). */
export function kernelScatterRows(values: tf.Tensor2D, indices: tf.Tensor1D, rows: number): tf.Tensor2D {
  registerRowKernels();
  return tf.engine().runKernel(SCATTER_ROWS_KERNEL, { values, indices }, {
    rows,
  } as unknown as tf.NamedAttrMap) as tf.Tensor2D;
}
