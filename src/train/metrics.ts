/**
 * Evaluation metrics, plain JS over host arrays (docs/metrics.md has the definitions):
 * - MAE and RMSE pooled over all query ratings of a scenario (RecBole-MetaRec's definition), and the
 *   per-user averages (mean over tasks of each task's MAE / RMSE);
 * - nDCG@3 per user with gain 2^r - 1, ranking the user's query items by predicted score (ties keep the
 *   query order), averaged over users; the ideal ranking sorts the true ratings;
 * - loss: mean over tasks of the task's query MSE of the raw predictions (what the meta-learner minimises).
 * MAE and RMSE (not the loss, which is the training objective) clip each prediction to the set's rating range (the training ratings' [min, max],
 * [1, 5] on MovieLens) when it has one, as a recommender shows ratings on the scale; so one user whose
 * adaptation diverges costs at most the scale's width per rating, for every model alike; a NaN
 * prediction counts as the end of the range farthest from the truth (clippedError). nDCG@3 ranks
 * by the raw predicted scores (clipping would only add ties).
 */
export interface PredictionSet {
  /** [tasks + 1] offsets into the flat arrays */
  readonly offsets: Int32Array;
  readonly truth: Float32Array;
  readonly predicted: Float32Array;
  /** [low, high] the error metrics clip predictions to; none: used as they are */
  readonly range?: readonly [number, number];
}

/**
 * ŷ − y with ŷ clipped to [low, high]. A NaN ŷ (an adaptation that overflowed) counts as the end of the
 * range farthest from y: the largest error the clipped metric allows, so a failure is never dropped
 * from a mean nor makes it NaN. Without a finite range a NaN stays NaN.
 */
export function clippedError(predicted: number, truth: number, low: number, high: number): number {
  if (Number.isNaN(predicted))
    return Number.isFinite(low) && Number.isFinite(high)
      ? truth - low >= high - truth
        ? low - truth
        : high - truth
      : NaN;
  return Math.min(high, Math.max(low, predicted)) - truth;
}

export interface ErrorMetrics {
  readonly mae: number;
  readonly rmse: number;
  readonly maeUser: number;
  readonly rmseUser: number;
  readonly ndcg3: number;
  readonly loss: number;
}

/** DCG@k of `order` (indices into truth): sum_{n<k} (2^truth - 1) / log2(n + 2). */
function dcg(truth: ArrayLike<number>, order: number[], k: number): number {
  let s = 0;
  for (let n = 0; n < Math.min(k, order.length); n++)
    s += (Math.pow(2, truth[order[n]!]!) - 1) / Math.log2(n + 2);
  return s;
}

/** nDCG@k of one user's query: predicted ranking vs the ideal one (1 when every rating is equal). */
export function ndcgAt(truth: ArrayLike<number>, predicted: ArrayLike<number>, k: number): number {
  const index = Array.from({ length: truth.length }, (_, i) => i);
  const byPrediction = [...index].sort((a, b) => predicted[b]! - predicted[a]! || a - b);
  const ideal = [...index].sort((a, b) => truth[b]! - truth[a]! || a - b);
  const best = dcg(truth, ideal, k);
  return best > 0 ? dcg(truth, byPrediction, k) / best : 1;
}

/** All error metrics of one scenario's predictions (NaN fields when there is no rating). */
export function errorMetrics(set: PredictionSet): ErrorMetrics {
  const tasks = set.offsets.length - 1;
  let absolute = 0;
  let squared = 0;
  let count = 0;
  let maeUser = 0;
  let rmseUser = 0;
  let ndcg = 0;
  let loss = 0;
  let users = 0;
  const [low, high] = set.range ?? [-Infinity, Infinity];
  for (let t = 0; t < tasks; t++) {
    const start = set.offsets[t]!;
    const end = set.offsets[t + 1]!;
    if (end === start) continue;
    let a = 0;
    let s = 0;
    let raw = 0;
    for (let r = start; r < end; r++) {
      const y = set.predicted[r]!;
      const d = clippedError(y, set.truth[r]!, low, high);
      a += Math.abs(d);
      s += d * d;
      raw += (y - set.truth[r]!) ** 2;
    }
    const n = end - start;
    absolute += a;
    squared += s;
    count += n;
    maeUser += a / n;
    rmseUser += Math.sqrt(s / n);
    loss += raw / n;
    ndcg += ndcgAt(set.truth.subarray(start, end), set.predicted.subarray(start, end), 3);
    users++;
  }
  if (count === 0) return { mae: NaN, rmse: NaN, maeUser: NaN, rmseUser: NaN, ndcg3: NaN, loss: NaN };
  return {
    mae: absolute / count,
    rmse: Math.sqrt(squared / count),
    maeUser: maeUser / users,
    rmseUser: rmseUser / users,
    ndcg3: ndcg / users,
    loss: loss / users,
  };
}
