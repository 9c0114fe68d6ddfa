/**
 * Protocol "mamo": the time split of the MAMO code (mamo-spec.md 1.1, 6.1 B).
 * - Each user's ratings in time order; users with >= 20 ratings keep their first 20.
 * - T80 = the timestamp at index round(0.8 N) of all N rating times sorted; on ML-1M the authors' own
 *   T80 (975768738); or the splitTime option. A user is new when its first rating is >= T80.
 * - An item is new when it has <= 10 ratings inside the 20-per-user table.
 * - Support = the first 15 of the 20, query = the last 5. Users: a FIXED 10% validation (the same for
 *   every seed, drawn first: tuning.ts), then a seeded 10% test, the rest train.
 * - Validation and test: a user's query rows are grouped by (user state, item state) into the four
 *   cells, one task per non-empty cell, all with the user's full 15-rating support.
 * - Warm means warm: an existing (not new) test user is a TRAINING user too. Its warm test query is its
 *   warm-item rows among its last 5 (its latest ratings: tasks are time-ordered), held out; it trains on
 *   its first 15 rows in the same time-ordered shape, support = the first 10, query = rows 11..15
 *   (warm-item rows only). When that leaves no warm-item training query (or nothing is held out) it has
 *   no warm test task and trains like any training user (15/5). Its item-cold cell stays a test cell
 *   (new items never train); new test users stay unseen (user-cold cells).
 * - Training: existing users only, and only their warm-item rows, so new users and new items
 *   are really unseen in training. (The authors' code trains on every training user and item, cold ones
 *   included; we keep the cold-start scenarios honest instead. Said in the notes.)
 */
import type { Dataset } from '../dataset';
import { createRng, permutation } from '../../lib/rng';
import type { SplitOptions } from './options';
import { groupByUser, packTasks, type PendingTask } from './taskset';
import { drawTuningUsers, userFlags } from './tuning';
import { SCENARIOS, type ScenarioTasks } from './types';

/** The 80th-percentile rating time: times sorted, index round(0.8 N) clamped to N - 1. */
export function percentileTime(times: Float64Array, fraction = 0.8): number {
  if (times.length === 0) return 0;
  const sorted = Float64Array.from(times).sort();
  return sorted[Math.min(sorted.length - 1, Math.round(fraction * sorted.length))]!;
}

/**
 * The MAMO authors' T80 for MovieLens 1M (their comment: "mid_time 2000-12-03 01:52:18", Sydney time =
 * Unix 975768738). Computed on the full ratings file, so it is the right split time for the partial
 * file too, where the 80th percentile of the ratings present would be biased (mamo-spec.md 1.1, 6.2).
 */
export const MAMO_ML1M_SPLIT_TIME = 975768738;

export function splitMamo(dataset: Dataset, seed: number, o: SplitOptions, notes: string[]) {
  const { ratings, users, items } = dataset;
  const groups = groupByUser(dataset);
  const auto = dataset.format === 'ml-1m' ? MAMO_ML1M_SPLIT_TIME : percentileTime(ratings.time);
  const t80 = o.splitTime > 0 ? o.splitTime : auto;
  const timeRule =
    o.splitTime > 0
      ? 'given split time'
      : dataset.format === 'ml-1m'
        ? "the MAMO authors' T80 for ML-1M"
        : '80th percentile of rating times';
  const kept: number[] = [];
  const newUsers = new Uint8Array(users.count);
  const itemCount = new Int32Array(items.count);
  for (let u = 0; u < users.count; u++) {
    const start = groups.offsets[u]!;
    const n = groups.offsets[u + 1]! - start;
    if (n < o.historyLength) continue;
    kept.push(u);
    if (ratings.time[groups.order[start]!]! >= t80) newUsers[u] = 1;
    for (let k = 0; k < o.historyLength; k++) itemCount[ratings.item[groups.order[start + k]!]!]!++;
  }
  const newItems = Uint8Array.from(itemCount, (c) => (c <= o.coldItemMaxCount ? 1 : 0));
  // 1. fixed validation users; 2. seeded test users among the rest; 3. the others train
  const { tuning: validationUsers, rest } = drawTuningUsers(
    kept,
    Math.round(o.mamoValidationFraction * kept.length),
    'mamo',
  );
  const rng = createRng(seed).fork('mamo');
  const shuffled = permutation(rest.length, rng.fork('users')).map((k) => rest[k]!);
  const testCount = Math.round(o.mamoTestFraction * kept.length);
  const testUsers = shuffled.slice(0, testCount).sort();
  const rowsOf = (u: number) =>
    Array.from({ length: o.historyLength }, (_, k) => groups.order[groups.offsets[u]! + k]!);
  const warmRows = (rows: number[]) => rows.filter((r) => !newItems[ratings.item[r]!]);
  function task(u: number, support: number[], query: number[]): PendingTask {
    return {
      user: u,
      supportItems: support.map((r) => ratings.item[r]!),
      supportValues: support.map((r) => ratings.value[r]!),
      queryItems: query.map((r) => ratings.item[r]!),
      queryValues: query.map((r) => ratings.value[r]!),
    };
  }
  // Training tasks, warm-item rows only, of every existing user outside validation. An existing test
  // user holds out its warm-item rows among its last 5 (its warm test query) when its first 15 still
  // give a warm-item training query in the same time-ordered shape (support the first 10, query rows
  // 11..15: `inner` = 5); otherwise nothing is held out and it trains like the others (15/5).
  const inner = Math.min(o.historyLength - o.supportSize, o.supportSize - 1);
  const isTest = userFlags(users.count, testUsers);
  const heldOut = new Uint8Array(users.count);
  const train: PendingTask[] = [];
  for (const u of rest) {
    if (newUsers[u]) continue;
    const rows = rowsOf(u);
    const query = warmRows(rows.slice(o.supportSize));
    const innerQuery = warmRows(rows.slice(o.supportSize - inner, o.supportSize));
    if (isTest[u] && query.length && innerQuery.length) {
      heldOut[u] = 1;
      train.push(task(u, warmRows(rows.slice(0, o.supportSize - inner)), innerQuery));
    } else if (query.length) train.push(task(u, warmRows(rows.slice(0, o.supportSize)), query));
  }
  const evaluation = (group: Int32Array, isTest: boolean): ScenarioTasks => {
    const cells: PendingTask[][] = [[], [], [], []];
    for (const u of group) {
      const rows = rowsOf(u);
      const support = rows.slice(0, o.supportSize);
      const byCell: number[][] = [[], [], [], []];
      for (const r of rows.slice(o.supportSize))
        byCell[(newUsers[u]! ? 1 : 0) + (newItems[ratings.item[r]!]! ? 2 : 0)]!.push(r);
      // a test user's warm rows are a test cell only when held out of its training task
      if (isTest && !heldOut[u]) byCell[0] = [];
      byCell.forEach((query, c) => query.length && cells[c]!.push(task(u, support, query)));
    }
    // cell index: 0 warm, 1 new user, 2 new item, 3 both (SCENARIOS order)
    return Object.fromEntries(SCENARIOS.map((s, c) => [s, packTasks(cells[c]!)])) as ScenarioTasks;
  };
  const trainUsers = rest.filter((u) => !newUsers[u]).length;
  const existingTest = testUsers.filter((u) => !newUsers[u]).length;
  const heldOutCount = heldOut.reduce((n, x) => n + x, 0);
  const coldUsers = kept.filter((u) => newUsers[u]).length;
  const coldItems = Array.from(itemCount).filter((c, i) => c > 0 && newItems[i]).length;
  const warmItems = Array.from(itemCount).filter((c) => c > o.coldItemMaxCount).length;
  notes.push(
    `users with >= ${o.historyLength} ratings: ${kept.length}; their first ${o.historyLength} ratings in time order are kept (${o.supportSize} support, ${o.historyLength - o.supportSize} query)`,
    `new users: first rating at or after ${t80} (${timeRule}, ${new Date(t80 * 1000).toISOString().slice(0, 10)}): ${coldUsers} new, ${kept.length - coldUsers} existing`,
    `new items: <= ${o.coldItemMaxCount} ratings in the ${o.historyLength}-per-user table: ${coldItems} new, ${warmItems} existing (rated items)`,
    `users: ${validationUsers.length} validation (the same users and tasks for every seed), ${testUsers.length} test (${testUsers.length - existingTest} new, ${existingTest} existing: these train too), ${trainUsers} training users in all (only existing users and existing items train, unlike the MAMO code)`,
    `warm test: held-out ratings of training users: ${heldOutCount} existing test users hold out their warm-item rows among their last ${o.historyLength - o.supportSize} ratings and train on their first ${o.supportSize} (${o.supportSize - inner} support, ${inner} query, time order); the others have no warm test task`,
  );
  return {
    train: packTasks(train),
    validation: evaluation(validationUsers, false),
    test: evaluation(testUsers, true),
    newUsers,
    newItems,
    validationUsers: userFlags(users.count, validationUsers),
  };
}
