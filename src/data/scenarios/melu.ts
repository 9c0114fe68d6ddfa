/**
 * Protocol "melu" (MeLU, mamo-spec.md 1.2): items released in or after the new-item year are new; a
 * share of the users with ratings are new. Cells: warm = existing user x existing item, user_cold =
 * new x existing, item_cold = existing x new, user_item_cold = new x new. Per user and cell, the list is
 * all of the user's ratings in the cell, kept when 13 <= length <= 100 (MeLU's per-state filter);
 * query = 10 random ratings, support = the rest.
 * Users, in this order (tuning.ts):
 *   1. validation: a FIXED set (same for every seed) of round(validationFraction x E) raters, E =
 *      raters - round(newUserFraction x raters) the number of existing users;
 *   2. new users: round(newUserFraction x raters) of the other raters (seeded);
 *   3. the remaining existing users all train; round(warmTestFraction x E) of them (seeded) are
 *      warm-test users, whose held-out warm ratings are the warm test (tuning.ts heldOutWarm).
 *   train      = training users' warm cells, minus the held-out warm-test ratings
 *   test       = warm: held-out ratings of warm-test users (support = the rest of their warm cell);
 *                item_cold: training users (existing users meeting new items); user_cold,
 *                user_item_cold: new users
 *   validation = validation users' warm and item_cold cells, fixed query draws (user-cold validation
 *                stays empty: the validation users are unseen users themselves)
 */
import type { Dataset } from '../dataset';
import { createRng, permutation } from '../../lib/rng';
import type { SplitOptions } from './options';
import { emptyScenarioTasks, groupByUser, packTasks, sampleQuery, type PendingTask } from './taskset';
import { TUNING_SEED, VALIDATION_KEY, drawTuningUsers, heldOutWarm, userFlags } from './tuning';
import type { ScenarioTasks, TaskSet } from './types';

/** The new-item year: the option, 1998 on ML-1M, else the year that makes ~20% of dated items new. */
export function resolveNewItemYear(dataset: Dataset, option: number, notes: string[]): number {
  if (option > 0) return option;
  if (dataset.format === 'ml-1m') {
    notes.push("new items: released in or after 1998 (MeLU's rule for MovieLens 1M)");
    return 1998;
  }
  const years = Array.from(dataset.items.year).filter((y) => y > 0);
  const distinct = [...new Set(years)].sort((a, b) => a - b);
  let best = distinct[distinct.length - 1] ?? 0;
  let bestGap = Infinity;
  for (const y of distinct) {
    const share = years.filter((v) => v >= y).length / years.length;
    if (share <= 0.3 && Math.abs(share - 0.2) < bestGap) {
      bestGap = Math.abs(share - 0.2);
      best = y;
    }
  }
  const share = years.filter((v) => v >= best).length / Math.max(1, years.length);
  notes.push(
    `new items: released in or after ${best} (${(100 * share).toFixed(1)}% of dated items; auto rule, ~20%)`,
  );
  return best;
}

export interface CellLists {
  /** cell (0 warm, 1 user_cold, 2 item_cold, 3 user_item_cold) -> user -> items/values */
  readonly items: number[][][];
  readonly values: number[][][];
}

/** All of every user's ratings, split by cell (time order kept). */
export function cellLists(dataset: Dataset, newUsers: Uint8Array, newItems: Uint8Array): CellLists {
  const groups = groupByUser(dataset);
  const items: number[][][] = [[], [], [], []];
  const values: number[][][] = [[], [], [], []];
  for (let u = 0; u < dataset.users.count; u++) {
    for (let c = 0; c < 4; c++) {
      items[c]![u] = [];
      values[c]![u] = [];
    }
    for (let k = groups.offsets[u]!; k < groups.offsets[u + 1]!; k++) {
      const r = groups.order[k]!;
      const i = dataset.ratings.item[r]!;
      const cell = (newUsers[u]! ? 1 : 0) + (newItems[i]! ? 2 : 0);
      items[cell]![u]!.push(i);
      values[cell]![u]!.push(dataset.ratings.value[r]!);
    }
  }
  return { items, values };
}

/** Tasks of `users` in `cell`, with MeLU's length filter and seeded query sampling (key `prefix:u:cell`). */
export function cellTasks(
  lists: CellLists,
  cell: number,
  users: Iterable<number>,
  o: SplitOptions,
  seed: number,
  keyPrefix = 'query',
): TaskSet {
  const tasks: PendingTask[] = [];
  for (const u of users) {
    const items = lists.items[cell]![u]!;
    if (items.length < o.minRatings || items.length > o.maxRatings) continue;
    tasks.push({
      ...sampleQuery(items, lists.values[cell]![u]!, o.queryCount, seed, `${keyPrefix}:${u}:${cell}`),
      user: u,
    });
  }
  return packTasks(tasks);
}

export function splitMelu(dataset: Dataset, seed: number, o: SplitOptions, notes: string[]) {
  const count = dataset.users.count;
  const rated = new Uint8Array(count);
  for (const u of dataset.ratings.user) rated[u] = 1;
  const raters = Int32Array.from({ length: count }, (_, u) => u).filter((u) => rated[u]);
  const freshCount = Math.round(o.newUserFraction * raters.length);
  const existingCount = raters.length - freshCount;
  // 1. fixed validation users, drawn before anything seeded
  const { tuning: validationUsers, rest } = drawTuningUsers(
    raters,
    Math.round(o.validationFraction * existingCount),
    'melu',
  );
  // 2. seeded new users among the rest; 3. the others train, some holding out warm-test ratings
  const rng = createRng(seed).fork('melu');
  const shuffled = permutation(rest.length, rng.fork('users')).map((k) => rest[k]!);
  const fresh = shuffled.slice(0, freshCount);
  const warmTestUsers = shuffled.slice(
    freshCount,
    freshCount + Math.round(o.warmTestFraction * existingCount),
  );
  const trainUsers = shuffled.slice(freshCount).sort();
  const newUsers = userFlags(count, fresh);
  const year = resolveNewItemYear(dataset, o.newItemYear, notes);
  const newItemFlags = Uint8Array.from(dataset.items.year, (y) => (y >= year ? 1 : 0));
  const lists = cellLists(dataset, newUsers, newItemFlags);
  const { train, warm } = heldOutWarm(lists, trainUsers, userFlags(count, warmTestUsers), o, seed);
  const test: ScenarioTasks = {
    warm,
    user_cold: cellTasks(lists, 1, fresh, o, seed),
    item_cold: cellTasks(lists, 2, trainUsers, o, seed),
    user_item_cold: cellTasks(lists, 3, fresh, o, seed),
  };
  const validation: ScenarioTasks = {
    ...emptyScenarioTasks(),
    warm: cellTasks(lists, 0, validationUsers, o, TUNING_SEED, VALIDATION_KEY),
    item_cold: cellTasks(lists, 2, validationUsers, o, TUNING_SEED, VALIDATION_KEY),
  };
  notes.push(
    `users: ${fresh.length} new (${Math.round(100 * o.newUserFraction)}%), ${trainUsers.length} training, ${validationUsers.length} validation (the same users and tasks for every seed)`,
    `warm test: held-out ratings of training users: ${warmTestUsers.length} warm-test users drawn, ${warm.count} with a warm list long enough (>= ${2 * o.queryCount + 1}) to lose ${o.queryCount} ratings and still train; those ${o.queryCount} are in no training task`,
    `tasks keep a user's cell list when it has ${o.minRatings}..${o.maxRatings} ratings; ${o.queryCount} random ratings are the query`,
    'validation has no user-cold cells in this protocol: its users are unseen users themselves',
  );
  return {
    train,
    validation,
    test,
    newUsers,
    newItems: newItemFlags,
    validationUsers: userFlags(count, validationUsers),
  };
}
