/**
 * Differentiable per-task ("segmented") products on ragged, task-contiguous rows; the kernel is
 * kernels/segmentMatMul.ts (wasm: one XNNPACK 2-D product per task; cpu: JS loops). Task t owns the
 * next seg.a[t] rows of the A-side operand and the next seg.b[t] rows of the B-side one; a block
 * P_t [a_t, b_t] is stored flat, task after task (a tensor [sum_t a_t b_t]).
 *
 *   segmentGram(A [Ra, k], B [Rb, k])     -> P [sum a_t b_t],  P_t = A_t B_t^T
 *   segmentApply(P, B [Rb, h])            -> C [Ra, h],        C_t = P_t B_t
 *   segmentApplyT(P, A [Ra, h])           -> C [Rb, h],        C_t = P_t^T A_t
 *
 * The three are linear in each operand and their gradients are the other two:
 *   gram:   dA = apply(dP, B),   dB = applyT(dP, A)
 *   apply:  dP = gram(dC, B),    dB = applyT(P, dC)
 *   applyT: dP = gram(A, dC),    dA = apply(P, dC)
 * so gradients of any order stay on the same kernel (second-order safe; the gradients use save()d
 * operands, which are on the tape, ops.ts). `constB` (gram, apply) treats the B operand as a constant
 * (not an input of the op, so no gradient is computed for it: first-order MAML's support-pass values).
 *
 * And the one-row-per-task products (the user path under per-task weights), a family closed under
 * differentiation in the same way: taskRowProduct (u_t w_t), taskRowProductT (d_t w_t^T), taskOuter.
 */
import * as tf from '@tensorflow/tfjs';
import { hasSegmentKernel, segmentProduct, type SegmentMode } from '../kernels/segmentMatMul';
import { gatherRowsValue, scatterRows } from './ops';

/** Rows per task of the A side and of the B side (host numbers; both of length T). */
export interface Segments {
  readonly a: readonly number[];
  readonly b: readonly number[];
}

/** shape: the output's shape when not the default (same size; gradients take their operand's shape). */
type Op = (x: tf.Tensor, y: tf.Tensor, seg: Segments, constY?: boolean, shape?: number[]) => tf.Tensor;

function segmented(
  mode: SegmentMode,
  grads: (dy: tf.Tensor, x: tf.Tensor, y: tf.Tensor, seg: Segments, constY: boolean) => tf.Tensor[],
): Op {
  return (x, y, seg, constY = false, shape) => {
    const value = () => segmentProduct(mode, x, y, seg.a, seg.b, shape);
    if (constY) {
      // y is not an input (no gradient), but it is saved too: an intermediate of the forward pass
      // would be disposed before the backward one otherwise
      const f = tf.customGrad((xx, save) => {
        (save as tf.GradSaveFunc)([xx as tf.Tensor, y]);
        return {
          value: segmentProduct(mode, xx as tf.Tensor, y, seg.a, seg.b, shape),
          gradFunc: (dy, [xs, ys]) => grads(dy as tf.Tensor, xs!, ys!, seg, true).slice(0, 1),
        };
      });
      return f(x);
    }
    const f = tf.customGrad((xx, yy, save) => {
      (save as tf.GradSaveFunc)([xx as tf.Tensor, yy as tf.Tensor]);
      return {
        value: value(),
        gradFunc: (dy, [xs, ys]) => grads(dy as tf.Tensor, xs!, ys!, seg, false),
      };
    });
    return f(x, y);
  };
}

// each gradient in its operand's shape
const gramOp: Op = segmented('gram', (dp, a, b, seg, constB) =>
  constB
    ? [applyOp(dp, b, seg, true, a.shape)]
    : [applyOp(dp, b, seg, false, a.shape), applyTOp(dp, a, seg, false, b.shape)],
);
const applyOp: Op = segmented('apply', (dc, p, b, seg, constB) =>
  constB
    ? [gramOp(dc, b, seg, true, p.shape)]
    : [gramOp(dc, b, seg, false, p.shape), applyTOp(p, dc, seg, false, b.shape)],
);
const applyTOp: Op = segmented('applyT', (dc, p, a, seg) => [
  gramOp(a, dc, seg, false, p.shape),
  applyOp(p, dc, seg, false, a.shape),
]);

/** P_t = A_t B_t^T per task: a [Ra, k], b [Rb, k] -> [sum_t a_t b_t] (or `shape`). */
export function segmentGram(
  a: tf.Tensor2D | tf.Tensor,
  b: tf.Tensor,
  seg: Segments,
  constB = false,
  shape?: number[],
): tf.Tensor1D {
  return gramOp(a, b, seg, constB, shape) as tf.Tensor1D;
}

/** C_t = P_t B_t per task: p [sum_t a_t b_t], b [Rb, h] -> [Ra, h]. */
export function segmentApply(p: tf.Tensor, b: tf.Tensor, seg: Segments, constB = false): tf.Tensor2D {
  return applyOp(p, b, seg, constB) as tf.Tensor2D;
}

/** C_t = P_t^T A_t per task: p [sum_t a_t b_t], a [Ra, h] -> [Rb, h] (or `shape`; both operands differentiable). */
export function segmentApplyT(p: tf.Tensor, a: tf.Tensor, seg: Segments, shape?: number[]): tf.Tensor2D {
  return applyTOp(p, a, seg, false, shape) as tf.Tensor2D;
}

/** Ragged rows: task-contiguous flat rows, `counts[t]` of them for task t, `task` [R] the task of each. */
export interface RaggedRows {
  readonly counts: ArrayLike<number>;
  readonly task: tf.Tensor1D;
}

/**
 * x [R, k] (ragged rows) times the row's task's W [T, k, m] plus its b [T, m] -> [R, m], without
 * padding: C_t = X_t W_t + b_t, the segmented 'apply' with P_t = X_t (the rows of task t, [n_t, k],
 * flat) and B_t = W_t, plus a row gather of b. One op (its forward runs with the tape off: no saved
 * copies of its intermediates), gradients written with the differentiable segmented products, so it
 * stays second-order safe: dX_t = dC_t W_t^T (gram), dW_t = X_t^T dC_t (applyT), db = scatter-add by task.
 */
export function raggedAffine(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor, rows: RaggedRows): tf.Tensor2D {
  const [t, k] = w.shape as [number, number, number];
  const seg = { a: Array.from(rows.counts), b: new Array<number>(t).fill(k) };
  const f = tf.customGrad((xx, ww, bb, save) => {
    (save as tf.GradSaveFunc)([xx as tf.Tensor, ww as tf.Tensor]);
    // P_t = X_t read flat from x [R, k], B_t = W_t from w [T, k, m]: no reshapes
    const product = segmentProduct('apply', xx as tf.Tensor, ww as tf.Tensor, seg.a, seg.b);
    return {
      value: tf.add(product, gatherRowsValue(bb as tf.Tensor2D, rows.task)),
      gradFunc: (dy, [xs, ws]) => {
        const dc = dy as tf.Tensor2D;
        return [
          segmentGram(dc, ws!, seg, false, xs!.shape),
          segmentApplyT(xs!, dc, seg, ws!.shape),
          scatterRows(dc, rows.task, t),
        ];
      },
    };
  });
  return f(x, w, b) as tf.Tensor2D;
}

/** a_t (x) b_t for a [T, k], b [T, m] -> [T, k, m]: per-task outer products as a broadcast product. */
export function taskOuter(a: tf.Tensor, b: tf.Tensor): tf.Tensor3D {
  const [t, k] = a.shape as [number, number];
  return tf.mul(tf.reshape(a, [t, k, 1]), tf.reshape(b, [t, 1, -1])) as tf.Tensor3D;
}

/** One row per task against a task's [k, m] block: the segments (1, k) per task. */
const oneRowSegments = (t: number, k: number) => ({
  a: new Array<number>(t).fill(1),
  b: new Array<number>(t).fill(k),
});

/**
 * The family's value (no gradient), x one row per task, w [T, k, m]: x_t w_t for x [T, k] -> [T, m], or
 * with `transposed` x_t w_t^T for x [T, m] -> [T, k]; `shape` overrides the output shape (same size).
 * The segmented 'apply' (P_t = x_t, B_t = w_t) or 'gram' (A_t = x_t, B_t = w_t's k rows) where that
 * kernel runs (on wasm one SIMD call for all tasks), else a batched matMul (a naive loop on wasm).
 */
export function taskRowValue(x: tf.Tensor, w: tf.Tensor, transposed: boolean, shape?: number[]): tf.Tensor {
  const [t, k, m] = w.shape as [number, number, number];
  const out = shape ?? [t, transposed ? k : m];
  if (hasSegmentKernel()) {
    const seg = oneRowSegments(t, k);
    return segmentProduct(transposed ? 'gram' : 'apply', x, w, seg.a, seg.b, out);
  }
  const x3 = tf.reshape(x, [t, 1, -1]) as tf.Tensor3D;
  return tf.reshape(tf.matMul(x3, w as tf.Tensor3D, false, transposed), out);
}

const rowProductOp = tf.customGrad((u, w, save) => {
  (save as tf.GradSaveFunc)([u as tf.Tensor, w as tf.Tensor]);
  return {
    value: taskRowValue(u as tf.Tensor, w as tf.Tensor, false),
    gradFunc: (dy, [uu, ww]) => [taskRowProductT(dy as tf.Tensor, ww!), taskOuter(uu!, dy as tf.Tensor)],
  };
});

const rowProductTOp = tf.customGrad((d, w, save) => {
  (save as tf.GradSaveFunc)([d as tf.Tensor, w as tf.Tensor]);
  return {
    value: taskRowValue(d as tf.Tensor, w as tf.Tensor, true),
    gradFunc: (dy, [dd, ww]) => [taskRowProduct(dy as tf.Tensor, ww!), taskOuter(dy as tf.Tensor, dd!)],
  };
});

/**
 * One row per task times that task's matrix: u [T, k], w [T, k, m] -> [T, m] (u_t w_t; MeLU's user part
 * of the first layer under per-task weights). Gradients: du = taskRowProductT(dy, w), dw = u (x) dy
 * (taskOuter), and taskRowProductT's are taskRowProduct and an outer product again, so every order of
 * gradient stays in this family. Why: tfjs's BatchMatMul gradient is a transposed 3-D product, which
 * tfjs-wasm runs as a naive loop ([32, 1, 128]^T [32, 1, 64]: 17 ms of a ~240 ms MeLU-5 second-order
 * meta-step under load, tf.profile). The forwards are segmented products where that kernel runs (one
 * row per task; on wasm one SIMD call), else batched matMuls; MAMO's user path uses the family too.
 */
export function taskRowProduct(u: tf.Tensor, w: tf.Tensor): tf.Tensor2D {
  return rowProductOp(u, w) as tf.Tensor2D;
}

/** d_t w_t^T for d [T, m], w [T, k, m] -> [T, k] (taskRowProduct's adjoint in u; the same family). */
export function taskRowProductT(d: tf.Tensor, w: tf.Tensor): tf.Tensor2D {
  return rowProductTOp(d, w) as tf.Tensor2D;
}
