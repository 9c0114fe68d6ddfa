/**
 * MAMO's memory attention fused into one WebGPU kernel: Y[b, k] = softmax_k(s cos(Q[b], M[k])),
 * Q [B, d], M [K, d] -> Y [B, K]. One workgroup per row b; threads stride over the slots k; workgroup
 * reductions for the max and the sum. On other backends (and as the reference) the same value comes
 * from the composite ops of models/memory.ts.
 *
 * Gradient (analytic, from the inputs, recomputing Y through this op so a second derivative exists):
 *   qn = Q/|Q|, mn = M/|M|, C = qn mn^T, G = s Y (dY - rowsum(dY Y))
 *   dQ = (G mn - rowsum(G C) qn) / |Q|,   dM = (G^T qn - colsum(G C)^T mn) / |M|
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';

export const COSINE_SOFTMAX_KERNEL = 'MetaRecCosineSoftmax';
const EPS = 1e-12;
const WORKGROUP = 64;

class CosineSoftmaxProgram implements WebGPUProgram {
  variableNames = ['q', 'm'];
  outputShape: number[];
  uniforms = 'scale : f32,';
  workgroupSize: [number, number, number] = [WORKGROUP, 1, 1];
  dispatchLayout = { x: [0, 1] };
  dispatch: [number, number, number];
  shaderKey = 'metarecCosineSoftmax';

  constructor(rows: number, slots: number) {
    this.outputShape = [rows, slots];
    this.dispatch = [rows, 1, 1];
  }

  getUserCode(): string {
    return `
    var<workgroup> partial : array<f32, ${WORKGROUP}>;
    var<workgroup> rowMax : f32;
    var<workgroup> rowSum : f32;
    fn main(index : i32) {
      let row = index / ${WORKGROUP};
      let tid = i32(localId.x);
      let slots = uniforms.outShape[1];
      let width = uniforms.qShape[1];
      var qq = 0.0;
      for (var j = 0; j < width; j++) { let v = getQ(row, j); qq += v * v; }
      let qNorm = max(sqrt(qq), ${EPS});
      var localMax = -3.402823e+38f;
      for (var k = tid; k < slots; k += ${WORKGROUP}) {
        var dotProduct = 0.0;
        var mm = 0.0;
        for (var j = 0; j < width; j++) { let mv = getM(k, j); dotProduct += getQ(row, j) * mv; mm += mv * mv; }
        let logit = uniforms.scale * dotProduct / (qNorm * max(sqrt(mm), ${EPS}));
        setOutputAtCoords(row, k, logit);
        localMax = max(localMax, logit);
      }
      partial[tid] = localMax;
      workgroupBarrier();
      for (var s = ${WORKGROUP / 2}; s > 0; s = s >> 1) {
        if (tid < s) { partial[tid] = max(partial[tid], partial[tid + s]); }
        workgroupBarrier();
      }
      if (tid == 0) { rowMax = partial[0]; }
      workgroupBarrier();
      var localSum = 0.0;
      for (var k = tid; k < slots; k += ${WORKGROUP}) {
        let i = getOutputIndexFromCoords(vec2<i32>(row, k));
        let e = exp(result[i] - rowMax);
        result[i] = e;
        localSum += e;
      }
      partial[tid] = localSum;
      workgroupBarrier();
      for (var s = ${WORKGROUP / 2}; s > 0; s = s >> 1) {
        if (tid < s) { partial[tid] = partial[tid] + partial[tid + s]; }
        workgroupBarrier();
      }
      if (tid == 0) { rowSum = partial[0]; }
      workgroupBarrier();
      for (var k = tid; k < slots; k += ${WORKGROUP}) {
        let i = getOutputIndexFromCoords(vec2<i32>(row, k));
        result[i] = result[i] / rowSum;
      }
    }`;
  }
}

let registered = false;

/** Registers the fused kernel for the webgpu backend (idempotent; harmless where webgpu is absent). */
export function registerCosineSoftmax(): void {
  if (registered) return;
  registered = true;
  tf.registerKernel({
    kernelName: COSINE_SOFTMAX_KERNEL,
    backendName: 'webgpu',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { q, m } = inputs as { q: tf.TensorInfo; m: tf.TensorInfo };
      if (q.shape[1] !== m.shape[1])
        throw new Error(`Expected q and m of the same width, got ${q.shape} and ${m.shape}`);
      const program = new CosineSoftmaxProgram(q.shape[0]!, m.shape[0]!);
      const scale = (attrs as unknown as { scale: number }).scale;
      return (backend as WebGPUBackend).runWebGPUProgram(program, [q, m], 'float32', [
        { type: 'float32', data: [scale] },
      ]);
    },
  });
}

const norm = (x: tf.Tensor2D) => tf.maximum(tf.sqrt(tf.sum(tf.square(x), 1, true)), EPS);

/** The fused op: forward by the WebGPU kernel, gradient analytic and itself differentiable. */
const fused = (scale: number) => {
  const op: (q: tf.Tensor2D, m: tf.Tensor2D) => tf.Tensor2D = tf.customGrad((q, m, save) => {
    (save as tf.GradSaveFunc)([q as tf.Tensor, m as tf.Tensor]);
    const value = tf.engine().runKernel(COSINE_SOFTMAX_KERNEL, { q: q as tf.Tensor, m: m as tf.Tensor }, {
      scale,
    } as unknown as tf.NamedAttrMap) as tf.Tensor2D;
    return {
      value,
      gradFunc: (dy, [qs, ms]) => {
        const qv = qs as tf.Tensor2D;
        const mv = ms as tf.Tensor2D;
        const qNorm = norm(qv);
        const mNorm = norm(mv);
        const qn = tf.div(qv, qNorm) as tf.Tensor2D;
        const mn = tf.div(mv, mNorm) as tf.Tensor2D;
        const c = tf.matMul(qn, mn, false, true);
        const y = op(qv, mv);
        const g = tf.mul(scale, tf.mul(y, tf.sub(dy, tf.sum(tf.mul(dy, y), 1, true))));
        const gc = tf.mul(g, c);
        const dq = tf.div(tf.sub(tf.matMul(g, mn), tf.mul(tf.sum(gc, 1, true), qn)), qNorm);
        const dm = tf.div(
          tf.sub(tf.matMul(g, qn, true, false), tf.mul(tf.reshape(tf.sum(gc, 0), [-1, 1]), mn)),
          mNorm,
        );
        return [dq, dm];
      },
    };
  }) as (q: tf.Tensor2D, m: tf.Tensor2D) => tf.Tensor2D;
  return op;
};

/**
 * softmax(scale cos(q, m)) through the fused kernel when the active backend is webgpu, or null
 * elsewhere (callers then use the composite ops).
 */
export function fusedCosineSoftmax(q: tf.Tensor2D, m: tf.Tensor2D, scale: number): tf.Tensor2D | null {
  if (tf.getBackend() !== 'webgpu') return null;
  registerCosineSoftmax();
  return fused(scale)(q, m);
}
