/**
 * Paired comparison of two predictors A and B evaluated on the same test users over several seeds, with a
 * percentile-bootstrap interval a researcher can cite. Plain JS over typed arrays: no tfjs, React or Node
 * module, so the notebook in the browser and the Node scripts share it.
 *
 * Statistic. For seed s with users U_s, every user u contributing n_u query ratings and the sums of
 * absolute and squared errors of A and B over them,
 *   MAE_s(X)  = Σ_u abs_u(X) / Σ_u n_u,        RMSE_s(X) = sqrt(Σ_u sq_u(X) / Σ_u n_u)   (rating-weighted),
 *   d_s       = metric_s(A) − metric_s(B),     diff = (1/S) Σ_s d_s                       (negative: A better).
 * Interval. R resamples; in each, every seed's users are drawn |U_s| times with replacement from U_s
 * (stratified by seed, so a seed with many users weighs as much as one with few), d_s and diff are
 * recomputed; [low, high] are the (1 − level)/2 and (1 + level)/2 quantiles of the R values (linear
 * interpolation between order statistics). The draws come from a seeded Rng, so a call is deterministic.
 */
import { createRng } from '../lib/rng';

/** One test user of one seed: sums over their query ratings for predictor A and B. */
export interface UserErrors {
  readonly seed: number;
  readonly n: number;
  readonly absA: number;
  readonly absB: number;
  readonly sqA: number;
  readonly sqB: number;
}

export interface PairedInterval {
  readonly metric: 'mae' | 'rmse';
  /** mean over seeds of metric(A) − metric(B) */
  readonly diff: number;
  readonly low: number;
  readonly high: number;
  readonly level: number;
  /** seeds where metric(A) < metric(B) */
  readonly seedsWon: number;
  readonly seeds: number;
  /** low > 0 or high < 0 */
  readonly excludesZero: boolean;
  readonly users: number;
  readonly resamples: number;
}

export interface IntervalOptions {
  /** bootstrap resamples (default 10,000) */
  readonly resamples?: number;
  /** coverage of the interval, in (0, 1) (default 0.95) */
  readonly level?: number;
  /** seed of the resampling Rng (default 1) */
  readonly seed?: number;
}

/** metric_s(A) − metric_s(B) from the seed's sums (n, errA, errB): MAE or RMSE. */
function seedDiff(metric: 'mae' | 'rmse', n: number, errA: number, errB: number): number {
  return metric === 'mae' ? (errA - errB) / n : Math.sqrt(errA / n) - Math.sqrt(errB / n);
}

/** The q-quantile of sorted values, linear between order statistics (R's type 7). */
function quantile(sorted: Float64Array, q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/**
 * diff = mean over seeds of metric(A) − metric(B), and its stratified percentile-bootstrap interval
 * (see the file comment). Throws on no rows, a seed without ratings or a level outside (0, 1).
 */
export function pairedInterval(
  rows: readonly UserErrors[],
  metric: 'mae' | 'rmse',
  options: IntervalOptions = {},
): PairedInterval {
  const resamples = options.resamples ?? 10_000;
  const level = options.level ?? 0.95;
  if (rows.length === 0) throw new Error('Expected at least one user row, got none');
  if (!(level > 0 && level < 1)) throw new Error(`Expected a level in (0, 1), got ${level}`);
  if (!(Number.isInteger(resamples) && resamples >= 1))
    throw new Error(`Expected a positive integer number of resamples, got ${resamples}`);
  // 1. Group the users by seed (seeds in increasing order) into flat arrays: n, error of A, error of B.
  const seedValues = [...new Set(rows.map((r) => r.seed))].sort((a, b) => a - b);
  const seedIndex = new Map(seedValues.map((s, i) => [s, i]));
  const S = seedValues.length;
  const start = new Int32Array(S + 1);
  for (const r of rows) start[seedIndex.get(r.seed)! + 1]!++;
  for (let s = 0; s < S; s++) start[s + 1]! += start[s]!;
  const fill = start.slice(0, S);
  const count = new Float64Array(rows.length);
  const errA = new Float64Array(rows.length);
  const errB = new Float64Array(rows.length);
  for (const r of rows) {
    const k = fill[seedIndex.get(r.seed)!]!++;
    count[k] = r.n;
    errA[k] = metric === 'mae' ? r.absA : r.sqA;
    errB[k] = metric === 'mae' ? r.absB : r.sqB;
  }
  // 2. The observed statistic and the seeds A wins.
  let diff = 0;
  let seedsWon = 0;
  for (let s = 0; s < S; s++) {
    let n = 0;
    let a = 0;
    let b = 0;
    for (let k = start[s]!; k < start[s + 1]!; k++) {
      n += count[k]!;
      a += errA[k]!;
      b += errB[k]!;
    }
    if (!(n > 0)) throw new Error(`Expected query ratings for seed ${seedValues[s]}, got ${n}`);
    const d = seedDiff(metric, n, a, b);
    diff += d / S;
    if (d < 0) seedsWon++;
  }
  // 3. Bootstrap: users redrawn with replacement within each seed; no allocation per resample.
  const rng = createRng(options.seed ?? 1);
  const values = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let total = 0;
    for (let s = 0; s < S; s++) {
      const first = start[s]!;
      const size = start[s + 1]! - first;
      let n = 0;
      let a = 0;
      let b = 0;
      for (let j = 0; j < size; j++) {
        const k = first + rng.int(size);
        n += count[k]!;
        a += errA[k]!;
        b += errB[k]!;
      }
      // A resample can draw only users without ratings (n = 0): that seed then adds no difference.
      total += n > 0 ? seedDiff(metric, n, a, b) : 0;
    }
    values[r] = total / S;
  }
  values.sort();
  const low = quantile(values, (1 - level) / 2);
  const high = quantile(values, (1 + level) / 2);
  return {
    metric,
    diff,
    low,
    high,
    level,
    seedsWon,
    seeds: S,
    excludesZero: low > 0 || high < 0,
    users: rows.length,
    resamples,
  };
}

/** Per-rating predictions of A and B on the same query ratings, grouped by task (one task = one user). */
export interface PairedPredictions {
  /** [tasks + 1] offsets into the flat arrays */
  readonly offsets: ArrayLike<number>;
  readonly truth: ArrayLike<number>;
  readonly predictedA: ArrayLike<number>;
  readonly predictedB: ArrayLike<number>;
  /** [low, high] both predictions are clipped to before the errors, as the run's MAE/RMSE do */
  readonly range?: readonly [number, number];
}

/**
 * One UserErrors row per non-empty task: n = query ratings, absX = Σ |clip(ŷ_X) − r|, sqX = Σ (clip(ŷ_X) − r)².
 * Throws when the arrays disagree in length.
 */
export function userErrorsFromPredictions(seed: number, p: PairedPredictions): UserErrors[] {
  const tasks = p.offsets.length - 1;
  const total = p.offsets[tasks] ?? 0;
  if (p.truth.length !== total || p.predictedA.length !== total || p.predictedB.length !== total)
    throw new Error(
      `Expected ${total} ratings and predictions of A and B, got ${p.truth.length}, ${p.predictedA.length}, ${p.predictedB.length}`,
    );
  const [lowest, highest] = p.range ?? [-Infinity, Infinity];
  const clip = (y: number): number => Math.min(highest, Math.max(lowest, y));
  const rows: UserErrors[] = [];
  for (let t = 0; t < tasks; t++) {
    let absA = 0;
    let absB = 0;
    let sqA = 0;
    let sqB = 0;
    const from = p.offsets[t]!;
    const to = p.offsets[t + 1]!;
    if (to === from) continue;
    for (let k = from; k < to; k++) {
      const dA = clip(p.predictedA[k]!) - p.truth[k]!;
      const dB = clip(p.predictedB[k]!) - p.truth[k]!;
      absA += Math.abs(dA);
      absB += Math.abs(dB);
      sqA += dA * dA;
      sqB += dB * dB;
    }
    rows.push({ seed, n: to - from, absA, absB, sqA, sqB });
  }
  return rows;
}

/** A signed number with a true minus sign (U+2212) and `digits` decimals. */
function signed(x: number, digits: number): string {
  const text = x.toFixed(digits);
  return text.startsWith('-') ? `\u2212${text.slice(1)}` : text;
}

/** "−0.0123 [−0.0160, −0.0087]": the difference and its interval, `digits` decimals (default 4). */
export function formatInterval(interval: PairedInterval, digits = 4): string {
  return `${signed(interval.diff, digits)} [${signed(interval.low, digits)}, ${signed(interval.high, digits)}]`;
}

/** "ahead" (A better: interval below 0), "behind" (above 0), else "level (interval includes 0)". */
export function verdict(interval: PairedInterval): 'ahead' | 'behind' | 'level (interval includes 0)' {
  if (interval.high < 0) return 'ahead';
  if (interval.low > 0) return 'behind';
  return 'level (interval includes 0)';
}
