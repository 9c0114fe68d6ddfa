/**
 * Differentiable building blocks whose FIRST and SECOND derivatives are right on every tfjs backend.
 *
 * Why this file exists (webgpu-feasibility.md, batched-meta-step.md):
 * - tfjs 4.22 computes second derivatives of tanh, sigmoid, exp, softmax, logSoftmax, max, elu and
 *   leakyRelu silently wrong: their gradients use a saved copy of the output that is not on the tape.
 *   Every op here computes its gradient from its INPUTS (closed over, so they stay on the tape) with
 *   ops whose own gradients are right (matMul, mul, add, relu, step, div, sqrt, ...).
 * - tf.gather's gradient (UnsortedSegmentSum) is not registered on tfjs-wasm, so embeddings could not
 *   train there: gatherRows' gradient is scatterRows (scatterND, or a row scatter-add kernel on wasm),
 *   and scatterRows' gradient is gatherRows again. On wasm both run as custom kernels
 *   (kernels/rowsWasm.ts): tfjs-wasm's own GatherV2 is ~10x slower for embedding lookups.
 * - tfjs-wasm runs matMul through XNNPACK only when neither operand is transposed, and tfjs's matMul
 *   gradient uses transposed products (~10x slower): mm transposes explicitly on wasm.
 */
import * as tf from '@tensorflow/tfjs';
import { leakyReluForward, reluBackward } from '../kernels/elementwiseWebgpu';
import {
  hasRowKernels,
  kernelEmbeddingBag,
  kernelEmbeddingBagT,
  kernelGatherRows,
  kernelScatterRows,
} from '../kernels/rowsWasm';

/** True when the active backend is tfjs-wasm (explicit transposes pay off there). */
const onWasm = (): boolean => tf.getBackend() === 'wasm';

// Every custom op below keeps what its gradient needs with `save`: tfjs records the saved copies on the
// tape (engine.clone adds a tape node), so the gradient stays differentiable (second order), and the
// copies outlive the forward pass (a closed-over intermediate would be disposed by then).

const mmOp = tf.customGrad((a, b, save) => {
  (save as tf.GradSaveFunc)([a as tf.Tensor, b as tf.Tensor]);
  return {
    value: tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
    gradFunc: (dy, [x, y]) => [
      mm(dy as tf.Tensor2D, tf.transpose(y as tf.Tensor2D)),
      mm(tf.transpose(x as tf.Tensor2D), dy as tf.Tensor2D),
    ],
  };
});

/** C = A B for A [m,k], B [k,n]; backward dA = dC B^T, dB = A^T dC with explicit transposes on wasm. */
export function mm(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return onWasm() ? (mmOp(a, b) as tf.Tensor2D) : tf.matMul(a, b);
}

/** C = A B^T for A [m,k], B [n,k] (the transposed product routed through mm). */
export function mmT(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return onWasm() ? mm(a, tf.transpose(b)) : tf.matMul(a, b, false, true);
}

/** C = A^T B for A [k,m], B [k,n]. */
export function mmTA(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return onWasm() ? mm(tf.transpose(a), b) : tf.matMul(a, b, true, false);
}

const gatherOp = tf.customGrad((table, indices, save) => {
  (save as tf.GradSaveFunc)([indices as tf.Tensor]);
  const rows = (table as tf.Tensor).shape[0]!;
  return {
    value: gatherRowsValue(table as tf.Tensor2D, indices as tf.Tensor1D),
    gradFunc: (dy, [idx]) => [scatterRows(dy as tf.Tensor2D, idx as tf.Tensor1D, rows), tf.zeros(idx!.shape)],
  };
});

/** table[indices] as a value (no gradient): the row kernel where it exists, else tf.gather. */
export function gatherRowsValue(table: tf.Tensor2D, indices: tf.Tensor1D): tf.Tensor2D {
  return hasRowKernels() ? kernelGatherRows(table, indices) : tf.gather(table, indices);
}

/**
 * rows = table[indices] for table [V, e] and int32 indices [n] -> [n, e].
 * Gradient w.r.t. the table: scatterRows(dy, indices, V) (duplicates summed). Indices get no gradient.
 */
export function gatherRows(table: tf.Tensor2D, indices: tf.Tensor1D): tf.Tensor2D {
  return gatherOp(table, indices) as tf.Tensor2D;
}

/** out[v] = sum of values[j] over j with indices[j] = v, for values [n, e] -> [rows, e]; gradient = gatherRows. */
export function scatterRows(values: tf.Tensor2D, indices: tf.Tensor1D, rows: number): tf.Tensor2D {
  const f = tf.customGrad((v, idx, save) => {
    (save as tf.GradSaveFunc)([idx as tf.Tensor]);
    return {
      value: scatterRowsValue(v as tf.Tensor2D, idx as tf.Tensor1D, rows),
      gradFunc: (dy, [i]) => [gatherRows(dy as tf.Tensor2D, i as tf.Tensor1D), tf.zeros(i!.shape)],
    };
  });
  return f(values, indices) as tf.Tensor2D;
}

/**
 * The weighted embedding bag: out[r, g] = sum_j w[r, g W + j] table[idx[r, g W + j]] for table [V, e],
 * int32 idx and float32 w [n, G W] (W slots per group) -> [n, G e]; the weights are data (no gradient).
 * A linear map of the table whose gradient is its adjoint embeddingBagT, and the adjoint's gradient
 * is the bag again (second-order safe, as gatherRows / scatterRows). On wasm both are fused kernels
 * (kernels/rowsWasm.ts); elsewhere gatherRows, a product and a sum.
 */
export function embeddingBag(
  table: tf.Tensor2D,
  indices: tf.Tensor2D,
  weights: tf.Tensor2D,
  groups: number,
): tf.Tensor2D {
  const rows = table.shape[0];
  const f = tf.customGrad((x, idx, w, save) => {
    (save as tf.GradSaveFunc)([idx as tf.Tensor, w as tf.Tensor]);
    return {
      value: embeddingBagValue(x as tf.Tensor2D, idx as tf.Tensor2D, w as tf.Tensor2D, groups),
      gradFunc: (dy, [i, ww]) => [
        embeddingBagT(dy as tf.Tensor2D, i as tf.Tensor2D, ww as tf.Tensor2D, groups, rows),
        tf.zeros(i!.shape),
        tf.zerosLike(ww!),
      ],
    };
  });
  return f(table, indices, weights) as tf.Tensor2D;
}

/** The bag's adjoint: out[i] = sum over slots (r, g, j) with idx = i of w dy[r, g]; dy [n, G e] -> [V, e]. */
export function embeddingBagT(
  dy: tf.Tensor2D,
  indices: tf.Tensor2D,
  weights: tf.Tensor2D,
  groups: number,
  rows: number,
): tf.Tensor2D {
  const f = tf.customGrad((d, idx, w, save) => {
    (save as tf.GradSaveFunc)([idx as tf.Tensor, w as tf.Tensor]);
    return {
      value: embeddingBagTValue(d as tf.Tensor2D, idx as tf.Tensor2D, w as tf.Tensor2D, groups, rows),
      gradFunc: (g, [i, ww]) => [
        embeddingBag(g as tf.Tensor2D, i as tf.Tensor2D, ww as tf.Tensor2D, groups),
        tf.zeros(i!.shape),
        tf.zerosLike(ww!),
      ],
    };
  });
  return f(dy, indices, weights) as tf.Tensor2D;
}

function composedBag(table: tf.Tensor2D, idx: tf.Tensor2D, w: tf.Tensor2D, groups: number): tf.Tensor2D {
  const [n, slots] = idx.shape;
  const e = table.shape[1];
  const rows = gatherRows(table, tf.reshape(idx, [-1]) as tf.Tensor1D);
  const weighted = tf.mul(
    tf.reshape(rows, [n, groups, slots / groups, e]),
    tf.reshape(w, [n, groups, slots / groups, 1]),
  );
  return tf.reshape(tf.sum(weighted, 2), [n, groups * e]);
}

function composedBagT(
  dy: tf.Tensor2D,
  idx: tf.Tensor2D,
  w: tf.Tensor2D,
  groups: number,
  rows: number,
): tf.Tensor2D {
  const [n, slots] = idx.shape;
  const e = dy.shape[1] / groups;
  const spread = tf.mul(tf.reshape(dy, [n, groups, 1, e]), tf.reshape(w, [n, groups, slots / groups, 1]));
  return scatterRows(
    tf.reshape(spread, [n * slots, e]) as tf.Tensor2D,
    tf.reshape(idx, [-1]) as tf.Tensor1D,
    rows,
  );
}

/** scatterRows as a value (no gradient): the row kernel where it exists, else tf.scatterND. */
export function scatterRowsValue(values: tf.Tensor2D, indices: tf.Tensor1D, rows: number): tf.Tensor2D {
  return hasRowKernels()
    ? kernelScatterRows(values, indices, rows)
    : (tf.scatterND(tf.expandDims(indices, 1), values, [rows, values.shape[1]]) as tf.Tensor2D);
}

/**
 * The row and product ops a pass is written with: TAPED (differentiable, the custom gradients above)
 * or VALUES (plain values for passes with a hand-written backward: no tape, no saved copies, no
 * custom-gradient scopes). Same numbers either way.
 */
export interface RowOps {
  mm(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D;
  mmT(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D;
  mmTA(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D;
  gather(table: tf.Tensor2D, indices: tf.Tensor1D): tf.Tensor2D;
  scatter(values: tf.Tensor2D, indices: tf.Tensor1D, rows: number): tf.Tensor2D;
  relu(x: tf.Tensor2D): tf.Tensor2D;
}

export const TAPED: RowOps = {
  mm,
  mmT,
  mmTA,
  gather: gatherRows,
  scatter: scatterRows,
  relu: (x) => relu(x) as tf.Tensor2D,
};

export const VALUES: RowOps = {
  mm: (a, b) => tf.matMul(a, b),
  // wasm's transposed products are slow (the reason for mm above): transpose explicitly there
  mmT: (a, b) => (onWasm() ? tf.matMul(a, tf.transpose(b)) : tf.matMul(a, b, false, true)),
  mmTA: (a, b) => (onWasm() ? tf.matMul(tf.transpose(a), b) : tf.matMul(a, b, true, false)),
  gather: gatherRowsValue,
  scatter: scatterRowsValue,
  relu: (x) => leakyReluForward(x, 0) as tf.Tensor2D,
};

/** The weighted embedding bag as a value (no gradient). */
export function embeddingBagValue(
  table: tf.Tensor2D,
  indices: tf.Tensor2D,
  weights: tf.Tensor2D,
  groups: number,
): tf.Tensor2D {
  return hasRowKernels()
    ? kernelEmbeddingBag(table, indices, weights, groups)
    : composedBag(table, indices, weights, groups);
}

/** acc + the bag's adjoint as a value (no gradient); acc [rows, e] or null (zeros). */
export function embeddingBagTValue(
  dy: tf.Tensor2D,
  indices: tf.Tensor2D,
  weights: tf.Tensor2D,
  groups: number,
  rows: number,
  acc: tf.Tensor2D | null = null,
): tf.Tensor2D {
  if (hasRowKernels()) return kernelEmbeddingBagT(dy, indices, weights, groups, rows, acc);
  const adjoint = composedBagT(dy, indices, weights, groups, rows);
  return acc ? (tf.add(acc, adjoint) as tf.Tensor2D) : adjoint;
}

const leakyReluOps = new Map<number, (x: tf.Tensor) => tf.Tensor>();

/**
 * LeakyReLU(x) = x for x > 0, slope x otherwise: tfjs's forward kernel, and the gradient
 * dy * step(x, slope) (step(x, a) = 1 for x > 0, a otherwise) from the saved input. Second-order safe:
 * the gradient is linear in dy, and step's own gradient is zero, which is the true second derivative
 * away from 0 (tfjs's built-in leakyRelu gradient cannot be differentiated: webgpu-feasibility.md).
 * One kernel forward and one backward on webgpu and wasm (two elsewhere), against five and about ten
 * for relu(x) - slope relu(-x).
 */
export function leakyRelu(x: tf.Tensor, slope: number): tf.Tensor {
  let op = leakyReluOps.get(slope);
  if (!op) {
    op = tf.customGrad((v, save) => {
      (save as tf.GradSaveFunc)([v as tf.Tensor]);
      return {
        value: leakyReluForward(v as tf.Tensor, slope),
        // dy * step(x, slope): one kernel on webgpu and wasm (its registered gradient is itself in dy)
        gradFunc: (dy, [xs]) => [reluBackward(dy as tf.Tensor, xs!, slope)],
      };
    }) as (x: tf.Tensor) => tf.Tensor;
    leakyReluOps.set(slope, op);
  }
  return op(x);
}

/**
 * ReLU(x) = max(x, 0) as leakyRelu(x, 0): one kernel forward and one backward on webgpu and wasm, and
 * second-order safe. Why not tf.relu: its gradient is dy * cast(step(x), 'float32'), three kernels, and
 * tfjs-wasm's float-to-float Cast copies slowly (~0.2 ms per [R, 64]: 8.6 ms of a ~190 ms MeLU-5
 * second-order meta-step under load, tf.profile).
 */
export function relu(x: tf.Tensor): tf.Tensor {
  return leakyRelu(x, 0);
}

// tfjs's own forward kernels, used ONLY as the forward values of the customGrad ops below (their
// built-in gradients are what is wrong to second order, and these ops replace them).
const { exp: forwardExp, sigmoid: forwardSigmoid, tanh: forwardTanh, max: forwardMax } = tf;

/**
 * LeakyReLU as a value (tfjs's forward kernel, no gradient): for passes whose backward is written by
 * hand (train/mamoByHand.ts), where nothing is differentiated, so the wrong second-order gradient of
 * tfjs's op cannot be reached; the derivative there is step(x, slope).
 */
export function leakyReluValue(x: tf.Tensor, slope: number): tf.Tensor {
  return leakyReluForward(x, slope);
}

const expOp = tf.customGrad((x, save) => {
  (save as tf.GradSaveFunc)([x as tf.Tensor]);
  return { value: forwardExp(x as tf.Tensor), gradFunc: (dy, [v]) => [tf.mul(dy, exp(v!))] };
});

/** exp(x) with gradient dy * exp(x) recomputed from x (second-order safe). */
export function exp(x: tf.Tensor): tf.Tensor {
  return expOp(x);
}

const sigmoidOp = tf.customGrad((x, save) => {
  (save as tf.GradSaveFunc)([x as tf.Tensor]);
  return {
    value: forwardSigmoid(x as tf.Tensor),
    gradFunc: (dy, [v]) => {
      const s = sigmoid(v!);
      return [tf.mul(dy, tf.mul(s, tf.sub(1, s)))];
    },
  };
});

/** sigmoid(x) with gradient dy * s (1 - s), s recomputed from x (second-order safe). */
export function sigmoid(x: tf.Tensor): tf.Tensor {
  return sigmoidOp(x);
}

const tanhOp = tf.customGrad((x, save) => {
  (save as tf.GradSaveFunc)([x as tf.Tensor]);
  return {
    value: forwardTanh(x as tf.Tensor),
    gradFunc: (dy, [v]) => [tf.mul(dy, tf.sub(1, tf.square(tanh(v!))))],
  };
});

/** tanh(x) with gradient dy * (1 - tanh(x)^2) recomputed from x (second-order safe). */
export function tanh(x: tf.Tensor): tf.Tensor {
  return tanhOp(x);
}

const rowMaxOp = tf.customGrad((z) => ({
  value: forwardMax(z as tf.Tensor, -1, true),
  gradFunc: () => [tf.zeros((z as tf.Tensor).shape)],
}));

/** The row max along the last axis as a constant: value max(z), gradient zero (for stable shifts). */
export function rowMaxConstant(z: tf.Tensor): tf.Tensor {
  return rowMaxOp(z);
}

/** log softmax along the last axis: (z - m) - log sum exp(z - m), m a gradient-free max shift. */
export function logSoftmax(z: tf.Tensor): tf.Tensor {
  const shifted = tf.sub(z, rowMaxConstant(z));
  return tf.sub(shifted, tf.log(tf.sum(exp(shifted), -1, true)));
}

/** softmax along the last axis, second-order safe: exp(logSoftmax(z)). */
export function softmax(z: tf.Tensor): tf.Tensor {
  return exp(logSoftmax(z));
}

/**
 * A tensor with t's data (no copy) that the gradient tape does not connect to t: a gradient stops
 * here, and nothing computed from it is differentiated (first-order MAML's support-pass constants,
 * computed inside the tape from the same forward values). The pattern of tfjs's own Identity kernels:
 * one more reference to the data, a fresh tensor around it.
 */
export function detached<T extends tf.Tensor>(t: T): T {
  tf.backend().incRef(t.dataId);
  return tf.engine().makeTensorFromTensorInfo({ dataId: t.dataId, shape: t.shape, dtype: t.dtype }) as T;
}

/**
 * f() with the gradient tape off: what it computes is a constant of any enclosing gradient, and tfjs
 * records nothing for it (no tape nodes, no saved copies through Identity: on webgpu ~1 kernel per op
 * fewer). For first-order values computed inside a gradient's function from detached inputs. tfjs's
 * own rule: the tape is off while a kernel runs (engine.isTapeOn: kernelDepth === 0).
 */
export function withoutTape<T>(f: () => T): T {
  const state = (tf.engine() as unknown as { state: { kernelDepth: number } }).state;
  state.kernelDepth++;
  try {
    return f();
  } finally {
    state.kernelDepth--;
  }
}

/** x reshaped to `shape`, or x itself when it has that shape already (a Reshape is a kernel too). */
export function reshapeTo(x: tf.Tensor, shape: number[]): tf.Tensor {
  return x.shape.length === shape.length && x.shape.every((n, i) => n === shape[i])
    ? x
    : tf.reshape(x, shape);
}
