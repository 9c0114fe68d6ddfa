/**
 * Protocol "published": MeLU's own cold-start test sets (splits/*_state.json) with the warm training
 * set rebuilt from the loaded ratings (mamo-spec.md 6.2).
 * - Test cells from the JSON lists: user_cold_state -> user_cold, user_and_item_cold_state ->
 *   user_item_cold, item_cold_state -> item_cold (by default only users with ratings in the loaded
 *   ratings file, i.e. ids <= 2999 for the partial ML-1M, so every item-cold user is an existing user
 *   with warm data; option itemColdUsers 'all' keeps every list). MeLU's 13..100 filter and a seeded
 *   10-rating query per list.
 * - Warm data: existing users = users with ratings who are not keys of the user-cold states; existing
 *   items = released before the new-item year (1998); each existing user's warm cell = all its ratings
 *   on existing items, same filter and query. Existing users: a FIXED 10% validation (the same for every
 *   seed, tuning.ts), the other 90% train; a seeded 10% of all existing users are warm-test users whose
 *   held-out warm ratings are the warm test and are removed from their training task (tuning.ts
 *   heldOutWarm).
 * - Validation: the validation users' warm cells and their item-cold lists (never in the test set),
 *   with fixed query draws (identical in every seed).
 */
import type { Dataset, PublishedState } from '../dataset';
import { DataError } from '../errors';
import { createRng, permutation } from '../../lib/rng';
import { cellLists, cellTasks, resolveNewItemYear } from './melu';
import type { SplitOptions } from './options';
import { emptyScenarioTasks, packTasks, sampleQuery, type PendingTask } from './taskset';
import { TUNING_SEED, VALIDATION_KEY, drawTuningUsers, heldOutWarm, userFlags } from './tuning';
import type { ScenarioTasks, TaskSet } from './types';

function stateTasks(
  dataset: Dataset,
  state: PublishedState,
  cell: string,
  o: SplitOptions,
  seed: number,
  allowUser: (u: number) => boolean,
  counts: { unknownUsers: number; unknownItems: number; dropped: number },
  keyPrefix = 'query',
): TaskSet {
  const userOf = new Map(Array.from(dataset.users.rawIds, (id, u) => [id, u]));
  const itemOf = new Map(Array.from(dataset.items.rawIds, (id, i) => [id, i]));
  const tasks: PendingTask[] = [];
  for (let k = 0; k < state.users.length; k++) {
    const u = userOf.get(state.users[k]!);
    if (u === undefined) {
      counts.unknownUsers++;
      continue;
    }
    if (!allowUser(u)) {
      counts.dropped++;
      continue;
    }
    const items: number[] = [];
    const values: number[] = [];
    for (let j = state.offsets[k]!; j < state.offsets[k + 1]!; j++) {
      const i = itemOf.get(state.items[j]!);
      if (i === undefined) {
        counts.unknownItems++;
        continue;
      }
      items.push(i);
      values.push(state.values[j]!);
    }
    if (items.length < o.minRatings || items.length > o.maxRatings) continue;
    tasks.push({ ...sampleQuery(items, values, o.queryCount, seed, `${keyPrefix}:${u}:${cell}`), user: u });
  }
  return packTasks(tasks);
}

export function splitPublished(dataset: Dataset, seed: number, o: SplitOptions, notes: string[]) {
  const published = dataset.published;
  if (!published) {
    throw new DataError(
      'protocol',
      "Protocol 'published' needs MeLU's split files user_cold_state.json, item_cold_state.json and user_and_item_cold_state.json (with their _y.json files); load them together with the ratings (e.g. the ml-1m and ml-1m-melu folders).",
    );
  }
  const newUsers = new Uint8Array(dataset.users.count);
  const userOf = new Map(Array.from(dataset.users.rawIds, (id, u) => [id, u]));
  for (const state of [published.user_cold, published.user_item_cold]) {
    for (const raw of state.users) {
      const u = userOf.get(raw);
      if (u !== undefined) newUsers[u] = 1;
    }
  }
  const year = resolveNewItemYear(dataset, o.newItemYear, notes);
  const newItems = Uint8Array.from(dataset.items.year, (y) => (y >= year ? 1 : 0));
  const rated = new Uint8Array(dataset.users.count);
  for (const u of dataset.ratings.user) rated[u] = 1;
  const existing = Int32Array.from({ length: dataset.users.count }, (_, u) => u).filter(
    (u) => rated[u] && !newUsers[u],
  );
  const { tuning: validationUsers, rest } = drawTuningUsers(
    existing,
    Math.round(o.validationFraction * existing.length),
    'published',
  );
  const shuffled = permutation(rest.length, createRng(seed).fork('published').fork('users')).map(
    (k) => rest[k]!,
  );
  const warmTestUsers = shuffled.slice(0, Math.round(o.warmTestFraction * existing.length));
  const trainUsers = rest;
  const isValidation = userFlags(dataset.users.count, validationUsers);
  const lists = cellLists(dataset, newUsers, newItems);
  const counts = { unknownUsers: 0, unknownItems: 0, dropped: 0 };
  const itemColdAllowed = (u: number) => !isValidation[u] && (o.itemColdUsers === 'all' || rated[u] === 1);
  const { train, warm } = heldOutWarm(
    lists,
    trainUsers,
    userFlags(dataset.users.count, warmTestUsers),
    o,
    seed,
  );
  const test: ScenarioTasks = {
    warm,
    user_cold: stateTasks(dataset, published.user_cold, 'user_cold', o, seed, () => true, counts),
    item_cold: stateTasks(dataset, published.item_cold, 'item_cold', o, seed, itemColdAllowed, counts),
    user_item_cold: stateTasks(
      dataset,
      published.user_item_cold,
      'user_item_cold',
      o,
      seed,
      () => true,
      counts,
    ),
  };
  // Validation users' item-cold lists are never test data: they validate generalisation to new items
  // (tuning reads them with the warm validation cell; the test scenarios are never looked at).
  const validation: ScenarioTasks = {
    ...emptyScenarioTasks(),
    warm: cellTasks(lists, 0, validationUsers, o, TUNING_SEED, VALIDATION_KEY),
    item_cold: stateTasks(
      dataset,
      published.item_cold,
      'item_cold',
      o,
      TUNING_SEED,
      (u) => isValidation[u] === 1,
      { unknownUsers: 0, unknownItems: 0, dropped: 0 },
      VALIDATION_KEY,
    ),
  };
  notes.push(
    `test sets: MeLU's published split files (${o.minRatings}..${o.maxRatings} ratings per list, ${o.queryCount} random query ratings)`,
    `item-cold users: ${o.itemColdUsers === 'all' ? 'every list' : 'users with ratings in the loaded ratings file'}; ${counts.dropped} lists not in the test set (validation users' lists validate new items; the rest have no warm data)`,
    `warm data rebuilt from the ratings: ${existing.length} existing users (${trainUsers.length} training, ${validationUsers.length} validation: the same users and tasks for every seed)`,
    `warm test: held-out ratings of training users: ${warmTestUsers.length} warm-test users drawn, ${warm.count} with a warm list long enough (>= ${2 * o.queryCount + 1}) to lose ${o.queryCount} ratings and still train; those ${o.queryCount} are in no training task`,
  );
  if (counts.unknownUsers)
    notes.push(`${counts.unknownUsers} split lists name users missing from the users file and were skipped`);
  if (counts.unknownItems)
    notes.push(
      `${counts.unknownItems} split ratings name movies missing from the item files and were skipped`,
    );
  if (dataset.ratings.count === 0)
    notes.push('no ratings loaded: the training and warm sets are empty (load the ratings too to train)');
  return { train, validation, test, newUsers, newItems, validationUsers: isValidation };
}
