// Protocol "sequence" (MELO's sequential cold start, sequence.ts): the frozen protocol's invariants
// (tests/helpers/splitInvariants.ts, seeds 1..5) on the synthetic demo, a seeded file of ML-10M's shape
// and, when staged, ML-100K, partial ML-1M and ML-100K as RecBole atomic files; plus the sequence rules
// themselves: time order, query = the latest positions of the latest window, windows no longer than
// sequenceWindow.
import { strToU8 } from 'fflate';
import { describe, expect, it } from 'vitest';
import { readPaths } from '../../cli/readPaths';
import type { Dataset } from '../dataset';
import { loadDataset } from '../detect';
import { readSource } from '../source';
import { groupByUser } from './taskset';
import { SCENARIOS, taskAt, type ScenarioSplit } from './types';
import { demoDataset } from '../../../tests/helpers/demo';
import { stagedDataset } from '../../../tests/helpers/datasets';
import { checkSplitInvariants } from '../../../tests/helpers/splitInvariants';

/** Every task's support ++ query is a contiguous-in-time run ending at the user's latest kept rows. */
function checkSequenceRules(dataset: Dataset, split: ScenarioSplit, window: number, query: number) {
  const groups = groupByUser(dataset);
  const timeOf = new Map<number, number>();
  for (let u = 0; u < dataset.users.count; u++)
    for (let k = groups.offsets[u]!; k < groups.offsets[u + 1]!; k++) {
      const r = groups.order[k]!;
      timeOf.set(u * dataset.items.count + dataset.ratings.item[r]!, dataset.ratings.time[r]!);
    }
  const sets = [...SCENARIOS.map((s) => split.test[s]), ...SCENARIOS.map((s) => split.validation[s])];
  for (const set of [split.train, ...sets])
    for (let t = 0; t < set.count; t++) {
      const task = taskAt(set, t);
      const times = [...task.supportItems, ...task.queryItems].map((i) =>
        timeOf.get(task.user * dataset.items.count + i)!,
      );
      for (let k = 1; k < times.length; k++) expect(times[k]!).toBeGreaterThanOrEqual(times[k - 1]!);
      expect(task.queryItems.length).toBeGreaterThan(0);
      expect(task.queryItems.length).toBeLessThanOrEqual(query);
      if (set !== split.train) expect(task.supportItems.length + query).toBeLessThanOrEqual(window);
      expect(task.supportItems.length).toBeGreaterThan(0);
    }
  // new-user cells hold unseen users; the warm cell's query items are old items
  for (const i of split.test.warm.queryItems) expect(split.newItems[i]).toBe(0);
  for (const i of split.test.item_cold.queryItems) expect(split.newItems[i]).toBe(1);
  for (const i of split.test.user_item_cold.queryItems) expect(split.newItems[i]).toBe(1);
}

const load = (...folders: string[]) => loadDataset(readSource(readPaths(folders)));

describe('protocol sequence', () => {
  it('demo: invariants over seeds 1..5, time order, latest positions as query', async () => {
    const dataset = await demoDataset();
    const options = { sequenceMinItemRatings: 5, sequenceWindow: 12 };
    const splits = checkSplitInvariants(dataset, 'sequence', options);
    for (const split of splits) {
      checkSequenceRules(dataset, split, 12, 3);
      for (const s of SCENARIOS) expect(split.test[s].count, s).toBeGreaterThan(0);
      expect(split.train.count).toBeGreaterThan(20);
    }
    // deterministic per seed, different across seeds
    const again = checkSplitInvariants(dataset, 'sequence', options);
    expect(Array.from(again[0]!.train.supportItems)).toEqual(Array.from(splits[0]!.train.supportItems));
    expect(Array.from(splits[0]!.test.user_cold.users)).not.toEqual(
      Array.from(splits[1]!.test.user_cold.users),
    );
  });

  it("MML's arrival rule: the latest arrivals are the new users, the same in every seed", async () => {
    const dataset = await demoDataset();
    const options = { sequenceMinItemRatings: 5, sequenceWindow: 12, sequenceNewUsers: 'arrival' } as const;
    const splits = checkSplitInvariants(dataset, 'sequence', options);
    for (const split of splits) checkSequenceRules(dataset, split, 12, 3);
    // first rating time of each user (over all their ratings: the kept ones start no earlier)
    const first = new Map<number, number>();
    for (let r = 0; r < dataset.ratings.count; r++) {
      const u = dataset.ratings.user[r]!;
      first.set(u, Math.min(first.get(u) ?? Infinity, dataset.ratings.time[r]!));
    }
    const split = splits[0]!;
    const fresh = new Set(Array.from(split.test.user_cold.users));
    const trained = new Set(Array.from(split.train.users));
    expect(fresh.size).toBeGreaterThan(0);
    const latestTrain = Math.max(...[...trained].map((u) => first.get(u)!));
    const earliestNew = Math.min(...[...fresh].map((u) => first.get(u)!));
    expect(earliestNew).toBeGreaterThanOrEqual(latestTrain - 1e-9 * Math.abs(latestTrain));
    // the new users do not depend on the seed; the warm-test draw still does
    for (const other of splits.slice(1))
      expect([...new Set(Array.from(other.test.user_cold.users))].sort()).toEqual([...fresh].sort());
  });

  it('ML-10M shape (ratings.dat with "::" and half stars, movies.dat): invariants, rules, every cell', async () => {
    // a seeded file of the real shape: 400 users x 40 distinct movies of 150 (release years 1980-1999),
    // times increasing per user, ratings 0.5..5 in half stars
    let seed = 11;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
    const movies = Array.from(
      { length: 150 },
      (_, m) => `${m + 1}::Film ${m + 1} (${1980 + (m % 20)})::Drama|Comedy`,
    );
    const ratings: string[] = [];
    for (let u = 1; u <= 400; u++) {
      const seen = new Set<number>();
      let time = 800_000_000 + (next() % 100_000_000);
      while (seen.size < 40) {
        const m = 1 + (next() % 150);
        if (seen.has(m)) continue;
        seen.add(m);
        time += 1 + (next() % 5000);
        ratings.push(`${u}::${m}::${(1 + (next() % 10)) / 2}::${time}`);
      }
    }
    const dataset = await loadDataset(
      readSource([
        { path: 'ml-10M100K/ratings.dat', bytes: strToU8(ratings.join('\n')) },
        { path: 'ml-10M100K/movies.dat', bytes: strToU8(movies.join('\n')) },
      ]),
    );
    expect(dataset.ratingScale?.min).toBe(0.5);
    const options = { sequenceMinItemRatings: 20 };
    for (const split of checkSplitInvariants(dataset, 'sequence', options)) {
      checkSequenceRules(dataset, split, 30, 3);
      for (const s of SCENARIOS) expect(split.test[s].count, s).toBeGreaterThan(0);
    }
  });

  for (const [name, folders] of [
    ['ml-100k', ['ml-100k']],
    ['partial ml-1m', ['ml-1m']],
    ['ml-100k RecBole atomic files', ['ml-100k-recbole']],
  ] as const) {
    const paths = folders.map((f) => stagedDataset(f));
    it.runIf(paths.every((p) => p))(`${name}: invariants, rules, counts`, { timeout: 240_000 }, async () => {
      const dataset = await load(...paths.map((p) => p!));
      const split = checkSplitInvariants(dataset, 'sequence')[0]!;
      checkSequenceRules(dataset, split, 30, 3);
      const counts = Object.fromEntries(SCENARIOS.map((s) => [s, split.test[s].count]));
      console.log(`${name} sequence seed 1: train ${split.train.count}, test ${JSON.stringify(counts)}`);
      for (const s of SCENARIOS) expect(split.test[s].count, s).toBeGreaterThan(0);
    });
  }
});
