/**
 * The `step` event of one committed meta-step, shared by every runner (epochs.ts, meloRun.ts,
 * mmlRun.ts): its loss, the tasks of its meta-batch and its wall time since `t0` (performance.now()
 * ms), with tfjs's live tensor count and bytes so the page can show a leak as it happens.
 */
import * as tf from '@tensorflow/tfjs';
import type { TrainEvent } from './events';

export function stepEvent(
  epoch: number,
  step: number,
  loss: number,
  tasks: number,
  t0: number,
): Extract<TrainEvent, { type: 'step' }> {
  const seconds = (performance.now() - t0) / 1000;
  const memory = tf.memory();
  return {
    type: 'step',
    epoch,
    step,
    loss,
    tasks,
    seconds,
    tasksPerSecond: tasks / seconds,
    numTensors: memory.numTensors,
    numBytes: memory.numBytes,
  };
}
