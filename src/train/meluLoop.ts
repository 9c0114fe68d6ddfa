/**
 * MeLU's meta-gradient as the reference loop: each task's local adaptation and query loss on its own
 * slice of the flat rows, summed in a JS loop (strategy 'loop'). Slow, and the plainest form of the
 * math: the other strategies are tested against it (meluMeta.grad.test.ts).
 */
import * as tf from '@tensorflow/tfjs';
import {
  meluForward,
  meluLocal,
  sharedRows,
  type MeluDims,
  type MeluLocal,
  type MeluParams,
} from '../models/melu';
import { gatherRows } from '../models/ops';
import type { BatchTensors, RowTensors } from './batch';
import { embed, gradOfParams, meluRates, type Embedded } from './meluCommon';
import {
  diffRecord,
  localGrads,
  sgdStep,
  withLiveRates,
  type InnerConfig,
  type MetaGradient,
  type StepSizes,
} from './meta';

/** Rows of task t of a block, as a slice of the flat layout. */
function taskRows(block: RowTensors, t: number): { item: tf.Tensor1D; y: tf.Tensor1D; n: number } {
  const start = block.starts[t]!;
  const n = block.counts[t]!;
  return { item: tf.slice(block.item, start, n), y: tf.slice(block.value, start, n), n };
}

/** Mean squared error of task t with shared-shaped local weights w. */
function taskLoss(w: MeluLocal, e: Embedded, block: RowTensors, t: number): tf.Scalar {
  const { item, y, n } = taskRows(block, t);
  if (n === 0) return tf.scalar(0);
  const x = gatherRows(e.itemVecs, item);
  const pred = meluForward(sharedRows(tf.zeros([n], 'int32')), w, x, tf.slice(e.userVecs, t, 1));
  return tf.mean(tf.square(tf.sub(pred, y)));
}

/** Reference: per-task local adaptation and query loss, summed in a JS loop. */
export function meluMetaGradLoop(
  params: MeluParams,
  dims: MeluDims,
  b: BatchTensors,
  inner: InnerConfig,
): MetaGradient<MeluParams> {
  const t = b.tasks;
  const adapt = (w0: MeluLocal, e: Embedded, task: number, lr: StepSizes): MeluLocal => {
    let w = w0;
    for (let k = 0; k < inner.steps; k++)
      w = sgdStep(
        w,
        localGrads(w, (v) => taskLoss(v, e, b.support, task)),
        lr,
      );
    return w;
  };
  if (inner.order === 'second-order') {
    return gradOfParams(params, (p) => {
      const e = embed(p, dims, b);
      const lr = meluRates(p, inner.lr);
      const losses: tf.Scalar[] = [];
      for (let task = 0; task < t; task++)
        losses.push(taskLoss(adapt(meluLocal(p), e, task, lr), e, b.query, task));
      return tf.div(tf.addN(losses), t);
    });
  }
  // 1. local adaptation outside the meta-gradient: delta_t = theta - theta'_t is a constant.
  const deltas: MeluLocal[] = [];
  const e0 = embed(params, dims, b);
  const frozen = meluRates(params, inner.lr);
  for (let task = 0; task < t; task++)
    deltas.push(diffRecord(meluLocal(params), adapt(meluLocal(params), e0, task, frozen)));
  // 2. query loss at theta'_t = theta - delta_t, differentiated w.r.t. theta, the embeddings (and
  // the learned rates, through delta's scale).
  return gradOfParams(params, (p) => {
    const e = embed(p, dims, b);
    const live = meluRates(p, inner.lr);
    const losses: tf.Scalar[] = [];
    for (let task = 0; task < t; task++) {
      const delta = withLiveRates(deltas[task]!, live, frozen);
      losses.push(taskLoss(diffRecord(meluLocal(p), delta), e, b.query, task));
    }
    return tf.div(tf.addN(losses), t);
  });
}
