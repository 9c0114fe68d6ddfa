/**
 * Per-task ("segmented") matrix products on ragged, task-contiguous rows, as one custom kernel for the
 * tfjs-wasm and cpu backends. Rows of task t are the contiguous block of na[t] rows of A (nb[t] rows of
 * B); a per-task block P_t [na_t, nb_t] is stored flat, task after task (sum_t na_t nb_t floats).
 *
 *   mode 'gram'   (a [Ra, k], b [Rb, k])      -> p [sum na nb],  P_t = A_t B_t^T
 *   mode 'apply'  (p [sum na nb], b [Rb, h])  -> c [Ra, h],      C_t = P_t B_t
 *   mode 'applyT' (p [sum na nb], a [Ra, h])  -> c [Rb, h],      C_t = P_t^T A_t
 * Operands are read flat, so any shape of the right size and last dimension serves (p [Ra, k] when
 * every nb_t = k; b [T, k, h]), and attr `shape` sets the output's shape (same size): no reshapes.
 *
 * Why: MeLU's one-step correction products x_q X_s^T D are per task. tfjs-wasm runs a 3-D (batched)
 * matMul on its naive loop (~3 GFLOP/s, on rows padded to the longest task) and only a 2-D untransposed
 * one through XNNPACK (~35 GFLOP/s). On wasm this kernel runs every task's product in ONE call of the
 * project's SIMD module (kernels/simdWasm.ts: per task a product register-blocked as 4 rows x 8 columns,
 * on the operands in place in tfjs-wasm's heap). Where that module cannot run it calls tfjs-wasm's own
 * BatchMatMul entry once per task, on views of the operands registered in place (no copies, no padding):
 * every call a 2-D untransposed product, i.e. XNNPACK, the one operand XNNPACK needs transposed copied
 * per block in JS (the smaller side of a 'gram'; the small P blocks of 'applyT'). That costs ~10 us per
 * task and product (XNNPACK builds and packs an operator per call): ~3x less than the padded 3-D product
 * at MeLU sizes, and what the SIMD module removes (docs/findings.md section 10).
 * On cpu the same products run as plain JS loops (no padding either); on webgpu as one WGSL program
 * per product (kernels/segmentMatMulWebgpu.ts: a thread per output element, its task by binary search).
 */
import * as tf from '@tensorflow/tfjs';
import { segmentWebgpu } from './segmentMatMulWebgpu';
import { heapOffset, simdKernelsFor, type SimdKernels } from './simdWasm';

export const SEGMENT_MATMUL_KERNEL = 'MetaRecSegmentMatMul';
export type SegmentMode = 'gram' | 'apply' | 'applyT';

interface SegmentAttrs {
  mode: SegmentMode;
  na: number[];
  nb: number[];
  /** the output's shape when not the default (same size) */
  shape?: number[];
}

const sizeOf = (shape: readonly number[]) => shape.reduce((s, n) => s * n, 1);
const last = (shape: readonly number[]) => shape[shape.length - 1]!;

/** Output shape of a segmented product for inputs of shapes x, y (see the file comment). */
export function segmentOutShape(mode: SegmentMode, x: number[], y: number[], na: number[], nb: number[]) {
  if (mode === 'gram') return [na.reduce((s, n, t) => s + n * nb[t]!, 0)];
  const rows = (mode === 'apply' ? na : nb).reduce((s, n) => s + n, 0);
  return [rows, last(y)];
}

/** The output shape: attrs.shape (checked: same size) or the default. */
function outShapeOf(attrs: SegmentAttrs, x: number[], y: number[]): number[] {
  const shape = segmentOutShape(attrs.mode, x, y, attrs.na, attrs.nb);
  if (!attrs.shape) return shape;
  if (sizeOf(attrs.shape) !== sizeOf(shape))
    throw new RangeError(`${SEGMENT_MATMUL_KERNEL}: output shape [${attrs.shape}] does not hold [${shape}]`);
  return attrs.shape;
}

function checkShapes(mode: SegmentMode, x: number[], y: number[], na: number[], nb: number[]): void {
  const ra = na.reduce((s, n) => s + n, 0);
  const rb = nb.reduce((s, n) => s + n, 0);
  const blocks = na.reduce((s, n, t) => s + n * nb[t]!, 0);
  const ok =
    na.length === nb.length &&
    (mode === 'gram'
      ? last(x) === last(y) && sizeOf(x) === ra * last(x) && sizeOf(y) === rb * last(y)
      : sizeOf(x) === blocks && sizeOf(y) === (mode === 'apply' ? rb : ra) * last(y));
  if (!ok)
    throw new RangeError(
      `${SEGMENT_MATMUL_KERNEL} ${mode}: shapes [${x}] and [${y}] do not match segments of ${ra} and ${rb} rows`,
    );
}

/** Plain-JS reference of every mode (the cpu kernel; tests compare the wasm kernel with it). */
export function segmentProductJs(
  mode: SegmentMode,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  width: number,
  na: ArrayLike<number>,
  nb: ArrayLike<number>,
): Float32Array {
  let size = 0;
  for (let t = 0; t < na.length; t++)
    size += mode === 'gram' ? na[t]! * nb[t]! : (mode === 'apply' ? na[t]! : nb[t]!) * width;
  const out = new Float32Array(size);
  let ra = 0;
  let rb = 0;
  let pOff = 0;
  for (let t = 0; t < na.length; t++) {
    const m = na[t]!;
    const n = nb[t]!;
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        if (mode === 'gram') {
          let s = 0;
          for (let c = 0; c < width; c++) s += x[(ra + i) * width + c]! * y[(rb + j) * width + c]!;
          out[pOff + i * n + j] = s;
        } else {
          const pij = x[pOff + i * n + j]!;
          const [o, src] = mode === 'apply' ? [ra + i, rb + j] : [rb + j, ra + i];
          for (let c = 0; c < width; c++) out[o * width + c]! += pij * y[src * width + c]!;
        }
      }
    ra += m;
    rb += n;
    pOff += m * n;
  }
  return out;
}

interface WasmModule {
  HEAPF32: Float32Array;
  _malloc(bytes: number): number;
  _free(offset: number): void;
  cwrap(name: string, ret: null, args: string[]): (...args: unknown[]) => void;
  tfjs: { registerTensor(id: number, size: number, offset: number): void; disposeData(id: number): void };
}
interface WasmBackendLike {
  wasm: WasmModule;
  dataIdNextNumber: number;
  dataIdMap: { get(dataId: object): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

/** Copies block [rows, cols] at src (float index) transposed to dst: dst[j * rows + i] = src[i * cols + j]. */
function transposeBlock(heap: Float32Array, src: number, dst: number, rows: number, cols: number): void {
  for (let i = 0; i < rows; i++) {
    const s = src + i * cols;
    for (let j = 0; j < cols; j++) heap[dst + j * rows + i] = heap[s + j]!;
  }
}

const entries = new WeakMap<WasmModule, (...args: unknown[]) => void>();
/** tfjs-wasm's BatchMatMul(a_id, a_shape, a_rank, b_id, b_shape, b_rank, trans_a, trans_b, out_id). */
function batchMatMulOf(wasm: WasmModule): (...args: unknown[]) => void {
  let f = entries.get(wasm);
  if (!f) {
    const n = 'number';
    f = wasm.cwrap('BatchMatMul', null, [n, 'array', n, n, 'array', n, n, n, n]);
    entries.set(wasm, f);
  }
  return f;
}

/**
 * Every task's product in one call of the SIMD module (kernels/simdWasm.ts: a register-blocked product
 * per task) on tfjs-wasm's heap: the row counts are copied in as i32 [2T], next to a scratch for the one
 * operand block it transposes (B_t for 'gram', P_t for 'applyT'); nothing else moves.
 */
function simdKernel(
  k: SimdKernels,
  x: tf.TensorInfo,
  y: tf.TensorInfo,
  attrs: SegmentAttrs,
  be: WasmBackendLike,
) {
  const { mode, na, nb } = attrs;
  const wasm = be.wasm;
  const out = be.makeOutput(outShapeOf(attrs, x.shape, y.shape), 'float32');
  const width = mode === 'gram' ? last(x.shape) : last(y.shape);
  const tasks = na.length;
  let scratchFloats = 0;
  for (let t = 0; t < tasks; t++)
    scratchFloats = Math.max(
      scratchFloats,
      mode === 'gram' ? nb[t]! * width : mode === 'applyT' ? na[t]! * nb[t]! : 0,
    );
  const counts = wasm._malloc((2 * tasks + scratchFloats + 1) * 4);
  try {
    // offsets after the allocations: they may grow the heap (the views of it are re-read)
    const heap = new Int32Array(k.memory.buffer);
    heap.set(na, counts >> 2);
    heap.set(nb, (counts >> 2) + tasks);
    const [xo, yo, oo] = [x, y, out].map((t) => heapOffset(be, t)) as [number, number, number];
    const code = mode === 'gram' ? 0 : mode === 'apply' ? 1 : 2;
    k.segment(code, xo, yo, oo, width, counts, counts + 4 * tasks, tasks, counts + 8 * tasks);
  } finally {
    wasm._free(counts);
  }
  return out;
}

/** Per task, one XNNPACK call through tfjs-wasm's BatchMatMul entry (where the SIMD module cannot run). */
function wasmKernel(x: tf.TensorInfo, y: tf.TensorInfo, attrs: SegmentAttrs, be: WasmBackendLike) {
  const { mode, na, nb } = attrs;
  const wasm = be.wasm;
  const bmm = batchMatMulOf(wasm);
  const out = be.makeOutput(outShapeOf(attrs, x.shape, y.shape), 'float32');
  const width = mode === 'gram' ? last(x.shape) : last(y.shape);
  const ra = na.reduce((s, n) => s + n, 0);
  const rb = nb.reduce((s, n) => s + n, 0);
  const blocks = na.reduce((s, n, t) => s + n * nb[t]!, 0);
  // gram: transpose the smaller side's blocks (A: then P^T is computed and transposed back)
  const transA = mode === 'gram' && ra * width + blocks < rb * width;
  // scratch: transposed blocks (A^T and P^T, or B^T for gram; P^T for applyT)
  const scratchFloats =
    mode === 'gram' ? (transA ? ra * width + blocks : rb * width) : mode === 'applyT' ? blocks : 0;
  const scratch = scratchFloats > 0 ? wasm._malloc(scratchFloats * 4) : 0;
  const xo = be.dataIdMap.get(x.dataId).memoryOffset;
  const yo = be.dataIdMap.get(y.dataId).memoryOffset;
  const oo = be.dataIdMap.get(out.dataId).memoryOffset;
  const outSize = out.shape.reduce((s, n) => s * n, 1);
  wasm.HEAPF32.fill(0, oo >> 2, (oo >> 2) + outSize);
  const views: number[] = [];
  const view = (offsetFloats: number, size: number): number => {
    const id = be.dataIdNextNumber++;
    wasm.tfjs.registerTensor(id, size, offsetFloats * 4);
    views.push(id);
    return id;
  };
  const shape = (r: number, c: number) => new Uint8Array(new Int32Array([1, r, c]).buffer);
  /** out[m, n] = in[m, k] w[k, n] on floats at the given offsets (one XNNPACK call). */
  const product = (inOff: number, wOff: number, outOff: number, m: number, k: number, n: number) => {
    if (m === 0 || k === 0 || n === 0) return;
    bmm(
      view(inOff, m * k),
      shape(m, k),
      3,
      view(wOff, k * n),
      shape(k, n),
      3,
      false,
      false,
      view(outOff, m * n),
    );
  };
  try {
    const X = xo >> 2;
    const Y = yo >> 2;
    const O = oo >> 2;
    const S = scratch >> 2;
    let a = 0; // first row of task t in A (gram / apply output / applyT input)
    let b = 0; // first row of task t in B
    let p = 0; // first float of block t
    for (let t = 0; t < na.length; t++) {
      const m = na[t]!;
      const n = nb[t]!;
      if (mode === 'gram') {
        if (transA) {
          // P_t^T [n, m] = B_t A_t^T into scratch (after A^T), then transposed into the output
          const at = S + a * width;
          const pt = S + ra * width + p;
          transposeBlock(wasm.HEAPF32, X + a * width, at, m, width);
          product(Y + b * width, at, pt, n, width, m);
          transposeBlock(wasm.HEAPF32, pt, O + p, n, m);
        } else {
          const bt = S + b * width;
          transposeBlock(wasm.HEAPF32, Y + b * width, bt, n, width);
          product(X + a * width, bt, O + p, m, width, n);
        }
      } else if (mode === 'apply') {
        product(X + p, Y + b * width, O + a * width, m, n, width);
      } else {
        transposeBlock(wasm.HEAPF32, X + p, S + p, m, n);
        product(S + p, Y + a * width, O + b * width, n, m, width);
      }
      a += m;
      b += n;
      p += m * n;
    }
  } finally {
    for (const id of views) wasm.tfjs.disposeData(id);
    if (scratch) wasm._free(scratch);
  }
  return out;
}

let registered = false;

/** Registers the kernel for 'wasm', 'cpu' and 'webgpu' (idempotent). */
export function registerSegmentKernel(): void {
  if (registered) return;
  registered = true;
  tf.registerKernel({
    kernelName: SEGMENT_MATMUL_KERNEL,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, y } = inputs as { x: tf.TensorInfo; y: tf.TensorInfo };
      const a = attrs as unknown as SegmentAttrs;
      checkShapes(a.mode, x.shape, y.shape, a.na, a.nb);
      const simd = simdKernelsFor(backend);
      const be = backend as unknown as WasmBackendLike;
      return simd ? simdKernel(simd, x, y, a, be) : wasmKernel(x, y, a, be);
    },
  });
  tf.registerKernel({
    kernelName: SEGMENT_MATMUL_KERNEL,
    backendName: 'cpu',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, y } = inputs as { x: tf.TensorInfo; y: tf.TensorInfo };
      const a = attrs as unknown as SegmentAttrs;
      const { mode, na, nb } = a;
      checkShapes(mode, x.shape, y.shape, na, nb);
      const cpu = backend as unknown as {
        data: { get(id: object): { values: Float32Array } };
        makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
      };
      const width = mode === 'gram' ? last(x.shape) : last(y.shape);
      const values = segmentProductJs(
        mode,
        cpu.data.get(x.dataId).values,
        cpu.data.get(y.dataId).values,
        width,
        na,
        nb,
      );
      return cpu.makeTensorInfo(outShapeOf(a, x.shape, y.shape), 'float32', values);
    },
  });
  tf.registerKernel({
    kernelName: SEGMENT_MATMUL_KERNEL,
    backendName: 'webgpu',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, y } = inputs as { x: tf.TensorInfo; y: tf.TensorInfo };
      const a = attrs as unknown as SegmentAttrs;
      checkShapes(a.mode, x.shape, y.shape, a.na, a.nb);
      return segmentWebgpu(a.mode, x, y, a.na, a.nb, outShapeOf(a, x.shape, y.shape), backend);
    },
  });
}

/**
 * True when the segmented kernel (and the row kernels the ragged plan uses with it) can run on the
 * backend `name` (default: the active one): cpu, webgpu (WGSL), or tfjs-wasm exposing the internals the
 * kernel uses (checked on the active backend, so another tfjs version falls back instead of failing).
 */
export function hasSegmentKernel(name: string = tf.getBackend()): boolean {
  if (name === 'cpu' || name === 'webgpu') return true;
  if (name !== 'wasm') return false;
  if (tf.getBackend() !== 'wasm') return true;
  const be = tf.backend() as unknown as Partial<WasmBackendLike>;
  return (
    typeof be.dataIdNextNumber === 'number' &&
    typeof be.dataIdMap?.get === 'function' &&
    typeof be.wasm?.cwrap === 'function' &&
    typeof be.wasm.tfjs?.registerTensor === 'function' &&
    typeof be.wasm.tfjs.disposeData === 'function'
  );
}

/** The raw (non-differentiable) kernel call; models/segment.ts wraps it with gradients. */
export function segmentProduct(
  mode: SegmentMode,
  x: tf.Tensor,
  y: tf.Tensor,
  na: readonly number[],
  nb: readonly number[],
  shape?: readonly number[],
): tf.Tensor {
  registerSegmentKernel();
  return tf.engine().runKernel(SEGMENT_MATMUL_KERNEL, { x, y }, {
    mode,
    na: [...na],
    nb: [...nb],
    ...(shape ? { shape: [...shape] } : {}),
  } as unknown as tf.NamedAttrMap) as tf.Tensor;
}
