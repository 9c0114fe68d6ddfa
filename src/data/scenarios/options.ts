/** Options of the cold-start protocols, with their defaults (mamo-spec.md sections 1 and 6). */
import { DataError } from '../errors';

export interface SplitOptions {
  /** melu: share of users treated as new (MeLU: 20%). */
  readonly newUserFraction: number;
  /** melu/published: items released in or after this year are new; 0 = auto (1998 on ML-1M). */
  readonly newItemYear: number;
  /** melu/published: a user's list in a cell is kept when minRatings <= length <= maxRatings (MeLU: 13..100). */
  readonly minRatings: number;
  readonly maxRatings: number;
  /** melu/published: query ratings per task (MeLU: 10; the rest is the support set). */
  readonly queryCount: number;
  /**
   * melu/published, as shares of the existing users: warm-test users (seeded training users whose
   * held-out warm ratings are the warm test, tuning.ts heldOutWarm) and validation users (fixed for
   * every seed, never training or test users, tuning.ts drawTuningUsers).
   */
  readonly warmTestFraction: number;
  readonly validationFraction: number;
  /** mamo: ratings kept per user, in time order (the MAMO code: 20), split into support / query. */
  readonly historyLength: number;
  readonly supportSize: number;
  /** mamo: new users are those whose first rating is at or after this time; 0 = auto (80th percentile; ML-1M: the authors' T80). */
  readonly splitTime: number;
  /** mamo: an item is new when it has at most this many ratings in the truncated table (the MAMO code: 10). */
  readonly coldItemMaxCount: number;
  /** mamo: shares of users for validation (fixed for every seed) and test (seeded; the rest trains, and so do existing test users). */
  readonly mamoValidationFraction: number;
  readonly mamoTestFraction: number;
  /** published: item-cold test users, only those with ratings in the loaded ratings file, or all. */
  readonly itemColdUsers: 'with-ratings' | 'all';
  /** sequence (MELO): window length (max_seq_len 30), latest positions per query, filters (sequence.ts). */
  readonly sequenceWindow: number;
  readonly sequenceQuery: number;
  readonly sequenceMinRatings: number;
  /** sequence: at most this many latest ratings per user are kept (0 = all). */
  readonly sequenceMaxRatings: number;
  readonly sequenceMinItemRatings: number;
  /** sequence: new (test) users by a seeded draw (MELO) or the latest to arrive (MML: first rating after a cut). */
  readonly sequenceNewUsers: 'random' | 'arrival';
}

export const DEFAULT_SPLIT_OPTIONS: SplitOptions = {
  newUserFraction: 0.2,
  newItemYear: 0,
  minRatings: 13,
  maxRatings: 100,
  queryCount: 10,
  warmTestFraction: 0.1,
  validationFraction: 0.1,
  historyLength: 20,
  supportSize: 15,
  splitTime: 0,
  coldItemMaxCount: 10,
  mamoValidationFraction: 0.1,
  mamoTestFraction: 0.1,
  itemColdUsers: 'with-ratings',
  sequenceWindow: 30,
  sequenceQuery: 3,
  sequenceMinRatings: 5,
  sequenceMaxRatings: 0,
  sequenceMinItemRatings: 50,
  sequenceNewUsers: 'random',
};

/** Defaults plus the given values, checked: a DataError ('protocol') names the first bad option. */
export function resolveOptions(partial: Partial<SplitOptions> = {}): SplitOptions {
  const o = { ...DEFAULT_SPLIT_OPTIONS, ...partial };
  const check = (ok: boolean, what: string, got: unknown) => {
    if (!ok) throw new DataError('protocol', `Expected ${what}, got ${String(got)}`);
  };
  check(o.newUserFraction > 0 && o.newUserFraction < 1, 'newUserFraction in (0, 1)', o.newUserFraction);
  check(Number.isInteger(o.newItemYear) && o.newItemYear >= 0, 'newItemYear >= 0 (0 = auto)', o.newItemYear);
  check(o.minRatings > o.queryCount, `minRatings above queryCount (${o.queryCount})`, o.minRatings);
  check(o.maxRatings >= o.minRatings, `maxRatings >= minRatings (${o.minRatings})`, o.maxRatings);
  check(o.queryCount >= 1, 'queryCount >= 1', o.queryCount);
  check(
    o.warmTestFraction + o.validationFraction < 1,
    'warmTestFraction + validationFraction below 1',
    o.warmTestFraction + o.validationFraction,
  );
  check(
    o.historyLength > o.supportSize && o.supportSize >= 1,
    'historyLength > supportSize >= 1',
    `${o.historyLength} and ${o.supportSize}`,
  );
  check(
    o.mamoValidationFraction + o.mamoTestFraction < 1,
    'mamo validation + test fractions below 1',
    o.mamoValidationFraction + o.mamoTestFraction,
  );
  check(
    o.sequenceQuery >= 1 && o.sequenceWindow >= o.sequenceQuery + 2,
    'sequenceQuery >= 1 and sequenceWindow >= sequenceQuery + 2',
    `${o.sequenceQuery} and ${o.sequenceWindow}`,
  );
  check(
    o.sequenceMinRatings >= o.sequenceQuery + 2,
    `sequenceMinRatings >= sequenceQuery + 2 (${o.sequenceQuery + 2})`,
    o.sequenceMinRatings,
  );
  return o;
}
