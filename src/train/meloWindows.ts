/**
 * MELO's task windows (meloRun.ts): a task's rating sequence as one window of at most `length`
 * positions, support ++ query in time order, and a batch of windows as padded [T, L] tensors.
 */
import * as tf from '@tensorflow/tfjs';
import type { TaskSet } from '../data/scenarios/types';
import type { Rng } from '../lib/rng';
import type { SequenceBatch } from './meloMeta';

/** One task's sequence (support ++ query, time order) and how many of its positions are support. */
export interface Window {
  readonly items: ArrayLike<number>;
  readonly ratings: ArrayLike<number>;
  readonly support: number;
}

/** Padded [T, L] batch tensors of windows (ItemIndex + 1; 0 = padding). */
export function sequenceBatch(windows: readonly Window[], length: number): SequenceBatch {
  const T = windows.length;
  const items = new Int32Array(T * length);
  const ratings = new Float32Array(T * length);
  const support = new Float32Array(T * length);
  const query = new Float32Array(T * length);
  windows.forEach((w, t) => {
    for (let l = 0; l < w.items.length; l++) {
      items[t * length + l] = w.items[l]! + 1;
      ratings[t * length + l] = w.ratings[l]!;
      (l < w.support ? support : query)[t * length + l] = 1;
    }
  });
  return {
    items: tf.tensor2d(items, [T, length], 'int32'),
    ratings: tf.tensor2d(ratings, [T, length]),
    support: tf.tensor2d(support, [T, length]),
    query: tf.tensor2d(query, [T, length]),
    supportLength: Math.max(1, ...windows.map((w) => w.support)),
  };
}

export const disposeBatch = (b: SequenceBatch) =>
  [b.items, b.ratings, b.support, b.query].forEach((t) => t.dispose());

/** Task t of a set as a window: support ++ query, the earliest support positions dropped beyond `length`. */
export function evaluationWindow(set: TaskSet, t: number, length: number): Window {
  const s0 = set.supportOffsets[t]!;
  const q0 = set.queryOffsets[t]!;
  const q1 = set.queryOffsets[t + 1]!;
  const keep = Math.max(0, Math.min(set.supportOffsets[t + 1]! - s0, length - (q1 - q0)));
  const s1 = set.supportOffsets[t + 1]!;
  return {
    items: [...set.supportItems.subarray(s1 - keep, s1), ...set.queryItems.subarray(q0, q1)],
    ratings: [...set.supportValues.subarray(s1 - keep, s1), ...set.queryValues.subarray(q0, q1)],
    support: keep,
  };
}

/** A random window of a training task's sequence: ends anywhere from q + 2 on, at most `length` long. */
export function trainingWindow(set: TaskSet, t: number, length: number, query: number, rng: Rng): Window {
  const items = [
    ...set.supportItems.subarray(set.supportOffsets[t]!, set.supportOffsets[t + 1]!),
    ...set.queryItems.subarray(set.queryOffsets[t]!, set.queryOffsets[t + 1]!),
  ];
  const ratings = [
    ...set.supportValues.subarray(set.supportOffsets[t]!, set.supportOffsets[t + 1]!),
    ...set.queryValues.subarray(set.queryOffsets[t]!, set.queryOffsets[t + 1]!),
  ];
  const n = items.length;
  const first = Math.min(n, query + 2);
  const end = first + rng.int(n - first + 1);
  const start = Math.max(0, end - length);
  return { items: items.slice(start, end), ratings: ratings.slice(start, end), support: end - start - query };
}
