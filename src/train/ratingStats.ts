/**
 * Plain statistics behind MELO's notebook views (meloDiagnostics.ts computes the inputs on tfjs):
 * box-plot statistics of a sample, the learned loss weights grouped by the rating of their position,
 * and the MAE per true rating before and after local adaptation. No tfjs: unit-tested by hand.
 */
import type { BoxStats, RatingErrors } from './events';

/** The rating values the views group by (MovieLens stars). */
export const RATING_VALUES = [1, 2, 3, 4, 5] as const;

/**
 * The q-quantile of ascending values by linear interpolation between order statistics (numpy's default,
 * "type 7"): position h = (n - 1) q, value x[floor h] + (h - floor h) (x[floor h + 1] - x[floor h]).
 */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/** min, q1, median, q3, max (type-7 quartiles) and n of the values; null when there are none. */
export function boxStats(values: ArrayLike<number>): BoxStats | null {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  return {
    min: sorted[0]!,
    q1: quantile(sorted, 0.25),
    median: quantile(sorted, 0.5),
    q3: quantile(sorted, 0.75),
    max: sorted[sorted.length - 1]!,
    n: sorted.length,
  };
}

/** The rating value (1-5) a true rating counts under: rounded, or null outside 1..5. */
function ratingIndex(rating: number): number | null {
  const r = Math.round(rating);
  return r >= 1 && r <= 5 ? r - 1 : null;
}

/**
 * Box statistics of the weights w_i of the positions with mask_i = 1, grouped by their rating y_i
 * (entry r - 1 for rating r; null where no position has that rating). Arrays are aligned (row-major [T, S]).
 */
export function weightsByRating(
  weights: ArrayLike<number>,
  ratings: ArrayLike<number>,
  mask: ArrayLike<number>,
): (BoxStats | null)[] {
  const groups: number[][] = RATING_VALUES.map(() => []);
  for (let i = 0; i < weights.length; i++) {
    if (mask[i] !== 1) continue;
    const r = ratingIndex(ratings[i]!);
    if (r !== null) groups[r]!.push(weights[i]!);
  }
  return groups.map(boxStats);
}

/**
 * Per true rating 1..5: how many query ratings, and the MAE of the predictions before and after local
 * adaptation, each clipped to [lo, hi] as the metrics clip (null MAE where the rating never occurs).
 */
export function errorsByRating(
  truth: ArrayLike<number>,
  before: ArrayLike<number>,
  after: ArrayLike<number>,
  range: readonly [number, number] = [1, 5],
): RatingErrors[] {
  const clip = (v: number) => Math.min(range[1], Math.max(range[0], v));
  const n = RATING_VALUES.map(() => 0);
  const sumBefore = RATING_VALUES.map(() => 0);
  const sumAfter = RATING_VALUES.map(() => 0);
  for (let i = 0; i < truth.length; i++) {
    const r = ratingIndex(truth[i]!);
    if (r === null) continue;
    n[r]!++;
    sumBefore[r]! += Math.abs(clip(before[i]!) - truth[i]!);
    sumAfter[r]! += Math.abs(clip(after[i]!) - truth[i]!);
  }
  return RATING_VALUES.map((rating, r) => ({
    rating,
    n: n[r]!,
    maeBefore: n[r] ? sumBefore[r]! / n[r]! : null,
    maeAfter: n[r] ? sumAfter[r]! / n[r]! : null,
  }));
}
