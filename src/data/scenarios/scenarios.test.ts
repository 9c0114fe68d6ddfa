// Invariants of every cold-start protocol, on the synthetic demo data (and a fabricated published split).
import { describe, expect, it } from 'vitest';
import type { Dataset } from '../dataset';
import { splitScenarios } from './split';
import { SCENARIOS, type ScenarioSplit, type TaskSet } from './types';
import { demoDataset } from '../../../tests/helpers/demo';

function pairs(set: TaskSet, side: 'support' | 'query' | 'both'): string[] {
  const out: string[] = [];
  for (let t = 0; t < set.count; t++) {
    const u = set.users[t]!;
    if (side !== 'query')
      for (let k = set.supportOffsets[t]!; k < set.supportOffsets[t + 1]!; k++)
        out.push(`${u}:${set.supportItems[k]}`);
    if (side !== 'support')
      for (let k = set.queryOffsets[t]!; k < set.queryOffsets[t + 1]!; k++)
        out.push(`${u}:${set.queryItems[k]}`);
  }
  return out;
}

function checkInvariants(split: ScenarioSplit, queryCount: number | null) {
  const train = split.train;
  // new users never train; new items never in a training support or query
  for (const u of train.users) expect(split.newUsers[u]).toBe(0);
  for (const i of [...train.supportItems, ...train.queryItems]) expect(split.newItems[i]).toBe(0);
  // scenario cells: user and item states match the cell
  for (const s of SCENARIOS) {
    const set = split.test[s];
    for (let t = 0; t < set.count; t++) {
      const u = set.users[t]!;
      expect(split.newUsers[u]).toBe(s === 'user_cold' || s === 'user_item_cold' ? 1 : 0);
      for (let k = set.queryOffsets[t]!; k < set.queryOffsets[t + 1]!; k++) {
        expect(split.newItems[set.queryItems[k]!]).toBe(s === 'item_cold' || s === 'user_item_cold' ? 1 : 0);
      }
      const q = set.queryOffsets[t + 1]! - set.queryOffsets[t]!;
      if (queryCount !== null) expect(q).toBe(queryCount);
      else expect(q).toBeGreaterThan(0);
    }
    // no rating both in support and query of a task; cells disjoint in query ratings
    const sq = new Set(pairs(set, 'support'));
    for (const p of pairs(set, 'query')) expect(sq.has(p)).toBe(false);
  }
  const queries = SCENARIOS.flatMap((s) => pairs(split.test[s], 'query'));
  expect(new Set(queries).size).toBe(queries.length);
  // training users are not test users of the user-cold cells, nor validation users; warm test users
  // are training users (warm = held-out ratings of users the model trains on)
  const trainUsers = new Set(train.users);
  for (const s of ['user_cold', 'user_item_cold'] as const)
    for (const u of split.test[s].users) expect(trainUsers.has(u)).toBe(false);
  for (const u of split.test.warm.users) expect(trainUsers.has(u)).toBe(true);
  for (const s of SCENARIOS) for (const u of split.validation[s].users) expect(trainUsers.has(u)).toBe(false);
  const validationUsers = new Set(SCENARIOS.flatMap((s) => Array.from(split.validation[s].users)));
  for (const s of SCENARIOS) for (const u of split.test[s].users) expect(validationUsers.has(u)).toBe(false);
}

describe('cold-start protocols on the synthetic demo', () => {
  it('melu: invariants, MeLU filter and 10-rating queries; every cell has tasks', async () => {
    const split = splitScenarios(await demoDataset(), 'melu', 1);
    checkInvariants(split, 10);
    for (const s of SCENARIOS) expect(split.test[s].count).toBeGreaterThanOrEqual(20);
    // not ML-1M, so the new-item year is the one that makes about 20% of the dated items new
    const dataset = await demoDataset();
    const dated = Array.from(dataset.items.year, (y, i) => (y > 0 ? i : -1)).filter((i) => i >= 0);
    const share = dated.filter((i) => split.newItems[i]).length / dated.length;
    expect(share).toBeGreaterThan(0.1);
    expect(share).toBeLessThan(0.3);
    // training tasks: MeLU's 13..100, except warm-test users, who train on what is left of theirs once
    // 10 ratings are held out (at least 11 ratings, at most 90)
    const warmTest = new Set(split.test.warm.users);
    for (let t = 0; t < split.train.count; t++) {
      const n = split.train.supportOffsets[t + 1]! - split.train.supportOffsets[t]! + 10;
      const heldOut = warmTest.has(split.train.users[t]!);
      expect(n).toBeGreaterThanOrEqual(heldOut ? 11 : 13);
      expect(n).toBeLessThanOrEqual(heldOut ? 90 : 100);
    }
    expect(warmTest.size).toBeGreaterThan(0);
  });

  it('mamo: invariants, 15 support ratings before the query in time, every cell has tasks', async () => {
    const dataset = await demoDataset();
    const split = splitScenarios(dataset, 'mamo', 1);
    checkInvariants(split, null);
    // every cell has tasks (seed 1: 50 warm, 18 new user, 28 new item, 6 new user and item)
    for (const s of SCENARIOS) expect(split.test[s].count).toBeGreaterThanOrEqual(5);
    const set = split.test.warm;
    for (let t = 0; t < set.count; t++) expect(set.supportOffsets[t + 1]! - set.supportOffsets[t]!).toBe(15);
  });

  it('is deterministic per seed (every array of the split) and differs across seeds', async () => {
    const dataset = await demoDataset();
    // every typed array of a split, in a fixed order, as plain numbers
    const arrays = (split: ScenarioSplit): number[][] => [
      Array.from(split.newUsers),
      Array.from(split.newItems),
      ...[split.train, ...SCENARIOS.flatMap((s) => [split.validation[s], split.test[s]])].flatMap((set) =>
        [
          set.users,
          set.supportOffsets,
          set.supportItems,
          set.supportValues,
          set.queryOffsets,
          set.queryItems,
          set.queryValues,
        ].map((a) => Array.from(a)),
      ),
    ];
    for (const protocol of ['melu', 'mamo'] as const) {
      const a = splitScenarios(dataset, protocol, 7);
      const b = splitScenarios(dataset, protocol, 7);
      const c = splitScenarios(dataset, protocol, 8);
      expect(arrays(a)).toEqual(arrays(b));
      expect(a.summary).toEqual(b.summary);
      // (mamo trains the same users in every seed, existing users outside validation: their tasks differ)
      expect(Array.from(a.train.supportItems)).not.toEqual(Array.from(c.train.supportItems));
      expect(Array.from(a.test.warm.queryItems)).not.toEqual(Array.from(c.test.warm.queryItems));
    }
  });

  it('mamo: each test user has 15 support and 5 query ratings in all, split over the cells', async () => {
    const split = splitScenarios(await demoDataset(), 'mamo', 1);
    const queryOf = new Map<number, number>();
    for (const s of SCENARIOS) {
      const set = split.test[s];
      for (let t = 0; t < set.count; t++) {
        const u = set.users[t]!;
        queryOf.set(u, (queryOf.get(u) ?? 0) + set.queryOffsets[t + 1]! - set.queryOffsets[t]!);
        expect(set.supportOffsets[t + 1]! - set.supportOffsets[t]!).toBe(15);
      }
    }
    expect(queryOf.size).toBeGreaterThan(20);
    for (const n of queryOf.values()) expect(n).toBe(5);
  });

  it('every split reports tasks, users, items, ratings and the support-size distribution per scenario', async () => {
    for (const protocol of ['melu', 'mamo'] as const) {
      const split = splitScenarios(await demoDataset(), protocol, 1);
      for (const s of SCENARIOS) {
        const set = split.test[s];
        const summary = split.summary.test[s];
        const sizes = Array.from(
          { length: set.count },
          (_, t) => set.supportOffsets[t + 1]! - set.supportOffsets[t]!,
        );
        expect(summary.tasks).toBe(set.count);
        expect(summary.users).toBe(new Set(set.users).size);
        expect(summary.ratings).toBe(set.supportItems.length + set.queryItems.length);
        expect(summary.items).toBe(new Set([...set.supportItems, ...set.queryItems]).size);
        expect([summary.supportSize.min, summary.supportSize.max]).toEqual([
          Math.min(...sizes),
          Math.max(...sizes),
        ]);
      }
      expect(split.summary.notes.length).toBeGreaterThan(0);
    }
  });

  it('published: explains what is missing, and builds cells from given lists', async () => {
    const dataset = await demoDataset();
    expect(() => splitScenarios(dataset, 'published', 1)).toThrow(/needs MeLU's split files/);
    // fabricate published lists from the demo: two users with 15 ratings each
    const pick = (u: number, n: number) => {
      const rows = Array.from({ length: dataset.ratings.count }, (_, r) => r)
        .filter((r) => dataset.ratings.user[r] === u)
        .slice(0, n);
      return {
        items: rows.map((r) => dataset.items.rawIds[dataset.ratings.item[r]!]!),
        values: rows.map((r) => dataset.ratings.value[r]!),
      };
    };
    const state = (users: number[]) => {
      const lists = users.map((u) => pick(u, 15));
      return {
        users: Int32Array.from(users, (u) => dataset.users.rawIds[u]!),
        offsets: Int32Array.from([
          0,
          ...lists.map((_, k) => lists.slice(0, k + 1).reduce((n, l) => n + l.items.length, 0)),
        ]),
        items: Int32Array.from(lists.flatMap((l) => l.items)),
        values: Float32Array.from(lists.flatMap((l) => l.values)),
      };
    };
    const withSplit: Dataset = {
      ...dataset,
      published: { user_cold: state([0, 1]), item_cold: state([2]), user_item_cold: state([3]) },
    };
    const split = splitScenarios(withSplit, 'published', 1, { itemColdUsers: 'all' });
    expect(split.test.user_cold.count).toBe(2);
    expect(split.test.user_cold.queryOffsets[1]).toBe(10);
    expect(split.newUsers[0]).toBe(1);
    expect(split.train.count).toBeGreaterThan(100);
    for (const u of split.train.users) expect(split.newUsers[u]).toBe(0);
  });

  it('rejects bad options with a sentence', async () => {
    const dataset = await demoDataset();
    expect(() => splitScenarios(dataset, 'melu', 1, { minRatings: 5 })).toThrow(
      'Expected minRatings above queryCount (10), got 5',
    );
  });
});
