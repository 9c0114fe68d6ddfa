/**
 * Protocol "melu" (MeLU, mamo-spec.md 1.2): a seeded 20% of the users with ratings are new; items
 * released in or after the new-item year are new. Cells: warm = existing user x existing item,
 * user_cold = new x existing, item_cold = existing x new, user_item_cold = new x new. Per user and
 * cell, the list is all of the user's ratings in the cell, kept when 13 <= length <= 100 (MeLU's
 * per-state filter); query = 10 random ratings, support = the rest.
 * Existing users: 80% train, 10% warm test, 10% validation (seeded).
 *   train      = training users' warm cells
 *   test       = warm: warm-test users; item_cold: training and warm-test users (existing users meeting
 *                new items); user_cold, user_item_cold: new users
 *   validation = validation users' warm and item_cold cells (user-cold validation stays empty: the
 *                validation users are unseen users themselves)
 */
import type { Dataset } from '../dataset';
import { createRng, permutation } from '../../lib/rng';
import type { SplitOptions } from './options';
import {
  emptyScenarioTasks,
  groupByUser,
  packTasks,
  sampleQuery,
  splitFractions,
  type PendingTask,
} from './taskset';
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

/** Tasks of `users` in `cell`, with MeLU's length filter and seeded query sampling. */
export function cellTasks(
  lists: CellLists,
  cell: number,
  users: Iterable<number>,
  o: SplitOptions,
  seed: number,
): TaskSet {
  const tasks: PendingTask[] = [];
  for (const u of users) {
    const items = lists.items[cell]![u]!;
    if (items.length < o.minRatings || items.length > o.maxRatings) continue;
    tasks.push({
      ...sampleQuery(items, lists.values[cell]![u]!, o.queryCount, seed, `query:${u}:${cell}`),
      user: u,
    });
  }
  return packTasks(tasks);
}

export function splitMelu(dataset: Dataset, seed: number, o: SplitOptions, notes: string[]) {
  const rng = createRng(seed).fork('melu');
  const rated = new Uint8Array(dataset.users.count);
  for (const u of dataset.ratings.user) rated[u] = 1;
  const raters = Int32Array.from({ length: dataset.users.count }, (_, u) => u).filter((u) => rated[u]);
  const shuffled = permutation(raters.length, rng.fork('users')).map((k) => raters[k]!);
  const [fresh, existing] = splitFractions(shuffled, [o.newUserFraction]) as [Int32Array, Int32Array];
  const newUsers = new Uint8Array(dataset.users.count);
  for (const u of fresh) newUsers[u] = 1;
  const year = resolveNewItemYear(dataset, o.newItemYear, notes);
  const newItemFlags = Uint8Array.from(dataset.items.year, (y) => (y >= year ? 1 : 0));
  const [validationUsers, warmTestUsers, trainUsers] = splitFractions(existing, [
    o.validationFraction,
    o.warmTestFraction,
  ]) as [Int32Array, Int32Array, Int32Array];
  const lists = cellLists(dataset, newUsers, newItemFlags);
  const test: ScenarioTasks = {
    warm: cellTasks(lists, 0, warmTestUsers, o, seed),
    user_cold: cellTasks(lists, 1, fresh, o, seed),
    item_cold: cellTasks(lists, 2, [...trainUsers, ...warmTestUsers], o, seed),
    user_item_cold: cellTasks(lists, 3, fresh, o, seed),
  };
  const validation: ScenarioTasks = {
    ...emptyScenarioTasks(),
    warm: cellTasks(lists, 0, validationUsers, o, seed),
    item_cold: cellTasks(lists, 2, validationUsers, o, seed),
  };
  notes.push(
    `users: ${fresh.length} new (${Math.round(100 * o.newUserFraction)}%), ${trainUsers.length} training, ${warmTestUsers.length} warm-test, ${validationUsers.length} validation`,
    `tasks keep a user's cell list when it has ${o.minRatings}..${o.maxRatings} ratings; ${o.queryCount} random ratings are the query`,
    'validation has no user-cold cells in this protocol: its users are unseen users themselves',
  );
  return {
    train: cellTasks(lists, 0, trainUsers, o, seed),
    validation,
    test,
    newUsers,
    newItems: newItemFlags,
  };
}
