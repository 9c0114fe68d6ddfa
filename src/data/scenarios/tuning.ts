/**
 * What every protocol's split shares since the results protocol was frozen:
 * - Fixed tuning users: the validation users are ONE set per dataset and protocol, drawn from the
 *   protocol's eligible users in ascending UserIndex order with createRng(TUNING_SEED).fork('tuning')
 *   .fork(protocol), before any seeded draw, so they are the same for every seed and never a training
 *   or test user in any seed. Their query draws are fixed too (TUNING_SEED, key 'validation:...'): a
 *   validation task is identical in every seed.
 * - Warm = held-out ratings of training users (protocols melu and published; mamo has its own
 *   time-ordered version in mamo.ts): heldOutWarm() below.
 */
import { createRng, permutation } from '../../lib/rng';
import type { CellLists } from './melu';
import type { SplitOptions } from './options';
import { packTasks, sampleQuery, type PendingTask } from './taskset';
import type { TaskSet } from './types';

/** The seed of everything tuning reads (validation users and their query draws); never a run's seed. */
export const TUNING_SEED = 0;

/** Query-draw key prefix of validation tasks (test and training tasks use 'query', held-out warm 'heldout'). */
export const VALIDATION_KEY = 'validation';

/**
 * `count` fixed tuning users out of `pool`, and the rest. Both come back in ascending order; the draw
 * depends on the pool's members, `count` and `protocol` only (not on a run's seed, not on pool order).
 */
export function drawTuningUsers(
  pool: ArrayLike<number>,
  count: number,
  protocol: string,
): { tuning: Int32Array; rest: Int32Array } {
  const canonical = Int32Array.from(pool).sort();
  const order = permutation(canonical.length, createRng(TUNING_SEED).fork('tuning').fork(protocol));
  const isTuning = new Uint8Array(canonical.length);
  for (let k = 0; k < Math.min(count, canonical.length); k++) isTuning[order[k]!] = 1;
  return {
    tuning: canonical.filter((_, k) => isTuning[k] === 1),
    rest: canonical.filter((_, k) => isTuning[k] === 0),
  };
}

/** 1 at every listed user, by UserIndex. */
export function userFlags(count: number, ...groups: ArrayLike<number>[]): Uint8Array {
  const flags = new Uint8Array(count);
  for (const group of groups) for (let k = 0; k < group.length; k++) flags[group[k]!] = 1;
  return flags;
}

/**
 * Training tasks and the warm test of protocols melu and published, from the warm cell (cell 0) of
 * the training users. Per training user u with warm list L (n ratings):
 * - n outside minRatings..maxRatings: no training task, no warm test (MeLU's per-state filter).
 * - u is a warm-test user and n - queryCount >= queryCount + 1: queryCount ratings of L drawn at random
 *   (seeded, key 'heldout:u:0') are the warm test query, the other n - queryCount ratings the warm test
 *   support AND the whole training task (its own query drawn again, key 'query:u:0'). The training task
 *   keeps at least queryCount + 1 ratings, so it trains even when it is below minRatings; the held-out
 *   ratings are in no training task.
 * - otherwise (any other training user, or a warm-test user whose list is too short to lose
 *   queryCount ratings and still train): L is the training task (query key 'query:u:0'), as before.
 * So every warm test task belongs to a user with a training task, and its query is not in it.
 */
export function heldOutWarm(
  lists: CellLists,
  trainUsers: Int32Array,
  warmTest: Uint8Array,
  o: SplitOptions,
  seed: number,
): { train: TaskSet; warm: TaskSet } {
  const train: PendingTask[] = [];
  const warm: PendingTask[] = [];
  for (const u of trainUsers) {
    const items = lists.items[0]![u]!;
    const values = lists.values[0]![u]!;
    if (items.length < o.minRatings || items.length > o.maxRatings) continue;
    if (warmTest[u] && items.length - o.queryCount >= o.queryCount + 1) {
      const test = sampleQuery(items, values, o.queryCount, seed, `heldout:${u}:0`);
      warm.push({ ...test, user: u });
      const rest = sampleQuery(
        Array.from(test.supportItems),
        Array.from(test.supportValues),
        o.queryCount,
        seed,
        `query:${u}:0`,
      );
      train.push({ ...rest, user: u });
    } else {
      train.push({ ...sampleQuery(items, values, o.queryCount, seed, `query:${u}:0`), user: u });
    }
  }
  return { train: packTasks(train), warm: packTasks(warm) };
}
