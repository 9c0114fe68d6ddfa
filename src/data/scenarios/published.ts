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
 *   on existing items, same filter and query. Existing users: 80% train, 10% warm test, 10% validation.
 * - Validation: the validation users' warm cells and their item-cold lists (never in the test set).
 */
import type { Dataset, PublishedState } from '../dataset';
import { DataError } from '../errors';
import { createRng, permutation } from '../../lib/rng';
import { cellLists, cellTasks, resolveNewItemYear } from './melu';
import type { SplitOptions } from './options';
import { emptyScenarioTasks, packTasks, sampleQuery, splitFractions, type PendingTask } from './taskset';
import type { ScenarioTasks, TaskSet } from './types';

function stateTasks(
  dataset: Dataset,
  state: PublishedState,
  cell: string,
  o: SplitOptions,
  seed: number,
  allowUser: (u: number) => boolean,
  counts: { unknownUsers: number; unknownItems: number; dropped: number },
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
    tasks.push({ ...sampleQuery(items, values, o.queryCount, seed, `query:${u}:${cell}`), user: u });
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
  const shuffled = permutation(existing.length, createRng(seed).fork('published').fork('users')).map(
    (k) => existing[k]!,
  );
  const [validationUsers, warmTestUsers, trainUsers] = splitFractions(shuffled, [
    o.validationFraction,
    o.warmTestFraction,
  ]) as [Int32Array, Int32Array, Int32Array];
  const isValidation = new Uint8Array(dataset.users.count);
  for (const u of validationUsers) isValidation[u] = 1;
  const lists = cellLists(dataset, newUsers, newItems);
  const counts = { unknownUsers: 0, unknownItems: 0, dropped: 0 };
  const itemColdAllowed = (u: number) => !isValidation[u] && (o.itemColdUsers === 'all' || rated[u] === 1);
  const test: ScenarioTasks = {
    warm: cellTasks(lists, 0, warmTestUsers, o, seed),
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
    warm: cellTasks(lists, 0, validationUsers, o, seed),
    item_cold: stateTasks(dataset, published.item_cold, 'item_cold', o, seed, (u) => isValidation[u] === 1, {
      unknownUsers: 0,
      unknownItems: 0,
      dropped: 0,
    }),
  };
  notes.push(
    `test sets: MeLU's published split files (${o.minRatings}..${o.maxRatings} ratings per list, ${o.queryCount} random query ratings)`,
    `item-cold users: ${o.itemColdUsers === 'all' ? 'every list' : 'users with ratings in the loaded ratings file'}; ${counts.dropped} lists not in the test set (validation users' lists validate new items; the rest have no warm data)`,
    `warm data rebuilt from the ratings: ${existing.length} existing users (${trainUsers.length} training, ${warmTestUsers.length} warm-test, ${validationUsers.length} validation)`,
  );
  if (counts.unknownUsers)
    notes.push(`${counts.unknownUsers} split lists name users missing from the users file and were skipped`);
  if (counts.unknownItems)
    notes.push(
      `${counts.unknownItems} split ratings name movies missing from the item files and were skipped`,
    );
  if (dataset.ratings.count === 0)
    notes.push('no ratings loaded: the training and warm sets are empty (load the ratings too to train)');
  return { train: cellTasks(lists, 0, trainUsers, o, seed), validation, test, newUsers, newItems };
}
