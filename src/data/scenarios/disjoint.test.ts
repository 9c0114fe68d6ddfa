// The frozen results protocol on the synthetic demo: fixed validation users, warm = held-out ratings of
// training users, nothing held out ever trains (tests/helpers/splitInvariants.ts), per protocol.
import { describe, expect, it } from 'vitest';
import type { Dataset, PublishedState } from '../dataset';
import { groupByUser } from './taskset';
import { resolveNewItemYear } from './melu';
import { taskAt, type ScenarioSplit } from './types';
import { demoDataset } from '../../../tests/helpers/demo';
import { checkSplitInvariants, pairSet } from '../../../tests/helpers/splitInvariants';

/** MeLU-style split files for the demo: every fifth user is new; lists = all ratings of a cell. */
function withPublished(dataset: Dataset): Dataset {
  const year = resolveNewItemYear(dataset, 0, []);
  const isNewUser = (u: number) => u % 5 === 0;
  const state = (keep: (u: number, newItem: boolean) => boolean): PublishedState => {
    const users: number[] = [];
    const offsets = [0];
    const items: number[] = [];
    const values: number[] = [];
    const groups = groupByUser(dataset);
    for (let u = 0; u < dataset.users.count; u++) {
      let n = 0;
      for (let k = groups.offsets[u]!; k < groups.offsets[u + 1]!; k++) {
        const r = groups.order[k]!;
        const i = dataset.ratings.item[r]!;
        if (!keep(u, dataset.items.year[i]! >= year)) continue;
        items.push(dataset.items.rawIds[i]!);
        values.push(dataset.ratings.value[r]!);
        n++;
      }
      if (n === 0) continue;
      users.push(dataset.users.rawIds[u]!);
      offsets.push(items.length);
    }
    return {
      users: Int32Array.from(users),
      offsets: Int32Array.from(offsets),
      items: Int32Array.from(items),
      values: Float32Array.from(values),
    };
  };
  return {
    ...dataset,
    published: {
      user_cold: state((u, newItem) => isNewUser(u) && !newItem),
      user_item_cold: state((u, newItem) => isNewUser(u) && newItem),
      item_cold: state((u, newItem) => !isNewUser(u) && newItem),
    },
  };
}

/** The training task of each user (one per user in every protocol), by user. */
function trainingTaskOf(split: ScenarioSplit): Map<number, number> {
  const out = new Map<number, number>();
  for (let t = 0; t < split.train.count; t++) {
    expect(out.has(split.train.users[t]!)).toBe(false);
    out.set(split.train.users[t]!, t);
  }
  return out;
}

describe('frozen protocol invariants on the synthetic demo (seeds 1..5)', () => {
  it('melu: fixed validation users, warm = held-out ratings of training users, no leak', async () => {
    const dataset = await demoDataset();
    const splits = checkSplitInvariants(dataset, 'melu');
    const raters = new Set(dataset.ratings.user).size;
    const existing = raters - Math.round(0.2 * raters);
    expect(splits[0]!.validationUsers.reduce((n, x) => n + x, 0)).toBe(Math.round(0.1 * existing));
    for (const split of splits) {
      expect(split.test.warm.count).toBeGreaterThan(10);
      // a warm test task: 10 held-out ratings; its support is exactly the user's training task
      const taskOf = trainingTaskOf(split);
      for (let t = 0; t < split.test.warm.count; t++) {
        const test = taskAt(split.test.warm, t);
        const train = taskAt(split.train, taskOf.get(test.user)!);
        expect(test.queryItems.length).toBe(10);
        expect(new Set([...train.supportItems, ...train.queryItems])).toEqual(new Set(test.supportItems));
        expect(train.queryItems.length).toBe(10);
      }
    }
    // the seeded parts still differ across seeds
    expect(Array.from(splits[0]!.test.warm.users)).not.toEqual(Array.from(splits[1]!.test.warm.users));
  });

  it('mamo: fixed validation users; the warm test query is the latest warm ratings of training users', async () => {
    const dataset = await demoDataset();
    const splits = checkSplitInvariants(dataset, 'mamo');
    const groups = groupByUser(dataset);
    for (const split of splits) {
      expect(split.test.warm.count).toBeGreaterThan(5);
      const taskOf = trainingTaskOf(split);
      for (let t = 0; t < split.test.warm.count; t++) {
        const test = taskAt(split.test.warm, t);
        const train = taskAt(split.train, taskOf.get(test.user)!);
        // rows in time order: the held-out query among rows 16..20, training support 1..10, query 11..15
        const row = (k: number) => dataset.ratings.item[groups.order[groups.offsets[test.user]! + k]!]!;
        const latest = new Set(Array.from({ length: 5 }, (_, k) => row(15 + k)));
        for (const i of test.queryItems) expect(latest.has(i)).toBe(true);
        expect(test.supportItems.length).toBe(15);
        const first10 = new Set(Array.from({ length: 10 }, (_, k) => row(k)));
        const next5 = new Set(Array.from({ length: 5 }, (_, k) => row(10 + k)));
        for (const i of train.supportItems) expect(first10.has(i)).toBe(true);
        for (const i of train.queryItems) expect(next5.has(i)).toBe(true);
      }
    }
  });

  it('published: fixed validation users, held-out warm ratings, validation item-cold lists never tested', async () => {
    const dataset = withPublished(await demoDataset());
    const splits = checkSplitInvariants(dataset, 'published');
    for (const split of splits) {
      expect(split.test.warm.count).toBeGreaterThan(10);
      expect(split.test.item_cold.count).toBeGreaterThan(10);
      expect(split.validation.item_cold.count).toBeGreaterThan(0);
    }
    // user-cold lists: the published new users; their pairs are in no training task
    const items = dataset.items.count;
    const trained = pairSet(splits[0]!.train, 'both', items);
    for (const p of pairSet(splits[0]!.test.user_cold, 'both', items)) expect(trained.has(p)).toBe(false);
  });
});
