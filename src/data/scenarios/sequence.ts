/**
 * Protocol "sequence": MELO's sequential cold-start tasks (peers.md A.2), in the four cells.
 * - Items with fewer than `sequenceMinItemRatings` ratings (MELO's min_item, 50) are dropped; each
 *   user's remaining ratings in time order (ties: file order) are the user's sequence; with
 *   `sequenceMaxRatings` only the latest that many are kept; users with fewer than
 *   `sequenceMinRatings` (MELO's min_sequence, 5) are not eligible.
 * - New items: MeLU's release-year rule (melu.ts resolveNewItemYear: 1998 on ML-1M, else the year
 *   putting ~20% of dated items in the new set). Why not "first rated after a time cut": on ML-100K
 *   at most 5 items with >= 10 ratings are first rated after the 80th-percentile time, none with >= 50.
 * - Users (eligible only): a FIXED `validationFraction` are validation users (tuning.ts, the same for
 *   every seed), then a seeded `newUserFraction` are new (test) users (with `sequenceNewUsers`
 *   'arrival', MML's rule: the users whose first kept rating is latest, the same in every seed) and a
 *   seeded `warmTestFraction` of the others warm-test users; every other eligible user trains. Validation and new users are
 *   unseen (never in a training task).
 * - Task of an unseen user (test or validation): the latest window of `sequenceWindow` (MELO's
 *   max_seq_len, 30) positions; query = its latest `sequenceQuery` positions, support = the window
 *   without them (MELO: "support = the window minus its last item"; its 3 query suffixes all end at
 *   the last item, we score the latest 3 positions, each with its full causal context). The query
 *   rows of old items are the user-cold cell, those of new items the user-and-item-cold cell (each
 *   with the whole support).
 * - Training user: its sequence without new items is its training sequence (new items never train).
 *   A warm-test user whose training sequence keeps >= sequenceMinRatings after losing its latest
 *   `sequenceQuery` positions holds them out: they are its warm test query (support = the window
 *   before them), and are in no training task. The training task is the training sequence, support =
 *   all but its latest `sequenceQuery`, query = those (the runner draws a random window of it per
 *   epoch, MELO's random-start training windows, never crossing into held-out rows).
 * - Item-cold cell of a training user: the latest window of its full sequence; query = the new-item
 *   rows among its latest `sequenceQuery` positions, support = the window before them.
 * Support and query of every task are in time order (a task's sequence is support ++ query).
 */
import type { Dataset } from '../dataset';
import { createRng, permutation } from '../../lib/rng';
import { resolveNewItemYear } from './melu';
import type { SplitOptions } from './options';
import { groupByUser, packTasks, type PendingTask } from './taskset';
import { drawTuningUsers, userFlags } from './tuning';
import type { ScenarioTasks } from './types';

/** Each user's kept rating rows in time order (items with enough ratings; the latest max, if any). */
function userSequences(dataset: Dataset, o: SplitOptions): number[][] {
  const { ratings, users, items } = dataset;
  const itemCount = new Int32Array(items.count);
  for (let r = 0; r < ratings.count; r++) itemCount[ratings.item[r]!]!++;
  const groups = groupByUser(dataset);
  const out: number[][] = [];
  for (let u = 0; u < users.count; u++) {
    const rows: number[] = [];
    for (let k = groups.offsets[u]!; k < groups.offsets[u + 1]!; k++) {
      const r = groups.order[k]!;
      if (itemCount[ratings.item[r]!]! >= o.sequenceMinItemRatings) rows.push(r);
    }
    out.push(o.sequenceMaxRatings > 0 ? rows.slice(-o.sequenceMaxRatings) : rows);
  }
  return out;
}

/** The earliest rating time among a user's kept rows. */
function firstTime(dataset: Dataset, rows: readonly number[]): number {
  let t = Infinity;
  for (const r of rows) t = Math.min(t, dataset.ratings.time[r]!);
  return t;
}

export function splitSequence(dataset: Dataset, seed: number, o: SplitOptions, notes: string[]) {
  const { ratings, users } = dataset;
  const sequences = userSequences(dataset, o);
  const eligible = Int32Array.from({ length: users.count }, (_, u) => u).filter(
    (u) => sequences[u]!.length >= o.sequenceMinRatings,
  );
  const year = resolveNewItemYear(dataset, o.newItemYear, notes);
  const newItems = Uint8Array.from(dataset.items.year, (y) => (y >= year ? 1 : 0));
  // 1. fixed validation users; 2. seeded new (test) users and warm-test users; 3. the others train
  const { tuning: validationUsers, rest } = drawTuningUsers(
    eligible,
    Math.round(o.validationFraction * eligible.length),
    'sequence',
  );
  const rng = createRng(seed).fork('sequence');
  let shuffled = permutation(rest.length, rng.fork('users')).map((k) => rest[k]!);
  const freshCount = Math.round(o.newUserFraction * eligible.length);
  if (o.sequenceNewUsers === 'arrival') {
    // MML: the latest arrivals are new; the rest keep the seeded order (the warm-test draw below)
    const first = new Map(Array.from(rest, (u) => [u, firstTime(dataset, sequences[u]!)]));
    const byArrival = Array.from(rest).sort((a, b) => first.get(b)! - first.get(a)! || b - a);
    const latest = new Set(byArrival.slice(0, freshCount));
    shuffled = Int32Array.from([
      ...byArrival.slice(0, freshCount),
      ...shuffled.filter((u) => !latest.has(u)),
    ]);
  }
  const fresh = shuffled.slice(0, freshCount).sort();
  const warmTest = userFlags(
    users.count,
    shuffled.slice(freshCount, freshCount + Math.round(o.warmTestFraction * eligible.length)),
  );
  const trainUsers = shuffled.slice(freshCount).sort();
  const q = o.sequenceQuery;
  const task = (u: number, support: number[], query: number[]): PendingTask => ({
    user: u,
    supportItems: support.map((r) => ratings.item[r]!),
    supportValues: support.map((r) => ratings.value[r]!),
    queryItems: query.map((r) => ratings.item[r]!),
    queryValues: query.map((r) => ratings.value[r]!),
  });
  /** The latest window of rows: [support, query] with query = its latest q rows. */
  const latest = (rows: number[]) => {
    const window = rows.slice(-o.sequenceWindow);
    return [window.slice(0, -q), window.slice(-q)] as const;
  };
  const unseen = (group: ArrayLike<number>): ScenarioTasks => {
    const oldCell: PendingTask[] = [];
    const newCell: PendingTask[] = [];
    for (const u of Array.from(group)) {
      const [support, query] = latest(sequences[u]!);
      const oldRows = query.filter((r) => !newItems[ratings.item[r]!]);
      const newRows = query.filter((r) => newItems[ratings.item[r]!]);
      if (oldRows.length) oldCell.push(task(u, support, oldRows));
      if (newRows.length) newCell.push(task(u, support, newRows));
    }
    return {
      warm: packTasks([]),
      user_cold: packTasks(oldCell),
      item_cold: packTasks([]),
      user_item_cold: packTasks(newCell),
    };
  };
  const train: PendingTask[] = [];
  const warm: PendingTask[] = [];
  const itemCold: PendingTask[] = [];
  for (const u of trainUsers) {
    const all = sequences[u]!;
    let rows = all.filter((r) => !newItems[ratings.item[r]!]);
    if (warmTest[u] && rows.length - q >= o.sequenceMinRatings) {
      const [support, query] = latest(rows);
      warm.push(task(u, support, query));
      rows = rows.slice(0, -q);
    }
    if (rows.length >= q + 2) train.push(task(u, rows.slice(0, -q), rows.slice(-q)));
    const [support, query] = latest(all);
    const newRows = query.filter((r) => newItems[ratings.item[r]!]);
    if (newRows.length) itemCold.push(task(u, support, newRows));
  }
  const test = unseen(fresh);
  test.warm = packTasks(warm);
  test.item_cold = packTasks(itemCold);
  const newItemCount = Array.from(newItems).filter((x) => x).length;
  notes.push(
    `sequences: items with >= ${o.sequenceMinItemRatings} ratings; users with >= ${o.sequenceMinRatings} of them: ${eligible.length}${o.sequenceMaxRatings ? ` (latest ${o.sequenceMaxRatings} kept)` : ''}`,
    `users: ${validationUsers.length} validation (unseen, the same for every seed), ${fresh.length} new (test${o.sequenceNewUsers === 'arrival' ? ': the latest to arrive, by first rating time' : ', a seeded draw'}), ${trainUsers.length} training; new items (${newItemCount}) never train`,
    `tasks: the latest window of ${o.sequenceWindow} positions; query = its latest ${q} (split by item state into cells), support = the rest of the window; warm test = the latest ${q} old-item positions of ${warm.length} warm-test users, held out of their training sequence`,
    'validation has user-cold and user-and-item-cold cells only: its users are unseen users',
  );
  return {
    train: packTasks(train),
    validation: unseen(validationUsers),
    test,
    newUsers: userFlags(users.count, fresh, validationUsers),
    newItems,
    validationUsers: userFlags(users.count, validationUsers),
  };
}
