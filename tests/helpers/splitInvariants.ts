// The disjointness invariants of the frozen results protocol, for any protocol and dataset: splits of
// seeds 1..5 are checked together (fixed validation users, no test or validation query rating in any
// training task, also after re-drawn epochs). Violations are counted, then asserted to be 0 with the
// first few examples, so a large dataset costs one assertion per rule.
import { expect } from 'vitest';
import type { Dataset } from '../../src/data/dataset';
import { createRng } from '../../src/lib/rng';
import type { SplitOptions } from '../../src/data/scenarios/options';
import { splitScenarios } from '../../src/data/scenarios/split';
import { redrawSupportQuery } from '../../src/data/scenarios/taskset';
import { SCENARIOS, type Protocol, type ScenarioSplit, type TaskSet } from '../../src/data/scenarios/types';

export const INVARIANT_SEEDS = [1, 2, 3, 4, 5] as const;

/** (user, item) pairs of a set's support, query or both, as numbers u * items + i. */
export function pairSet(set: TaskSet, side: 'support' | 'query' | 'both', items: number): Set<number> {
  const out = new Set<number>();
  for (let t = 0; t < set.count; t++) {
    const u = set.users[t]!;
    if (side !== 'query')
      for (let k = set.supportOffsets[t]!; k < set.supportOffsets[t + 1]!; k++)
        out.add(u * items + set.supportItems[k]!);
    if (side !== 'support')
      for (let k = set.queryOffsets[t]!; k < set.queryOffsets[t + 1]!; k++)
        out.add(u * items + set.queryItems[k]!);
  }
  return out;
}

/** Collects violations of one rule; `done()` asserts there are none (showing the first five). */
function rule(name: string) {
  const found: string[] = [];
  return {
    fail: (what: string) => found.push(what),
    done: () => expect(found.slice(0, 5), `${name}: ${found.length} violations`).toEqual([]),
  };
}

const setArrays = (set: TaskSet): number[][] =>
  [
    set.users,
    set.supportOffsets,
    set.supportItems,
    set.supportValues,
    set.queryOffsets,
    set.queryItems,
    set.queryValues,
  ].map((a) => Array.from(a));

/** Splits of seeds 1..5 and every invariant of the frozen protocol on them; returns the splits. */
export function checkSplitInvariants(
  dataset: Dataset,
  protocol: Protocol,
  options: Partial<SplitOptions> = {},
): ScenarioSplit[] {
  const splits = INVARIANT_SEEDS.map((seed) => splitScenarios(dataset, protocol, seed, options));
  const items = dataset.items.count;
  const first = splits[0]!;
  // 1. validation users and tasks identical across seeds
  for (const split of splits.slice(1)) {
    expect(Array.from(split.validationUsers)).toEqual(Array.from(first.validationUsers));
    for (const s of SCENARIOS) expect(setArrays(split.validation[s])).toEqual(setArrays(first.validation[s]));
  }
  const validation = first.validationUsers;
  expect(validation.reduce((n, x) => n + x, 0)).toBeGreaterThan(0);
  for (const s of SCENARIOS) for (const u of first.validation[s].users) expect(validation[u]).toBe(1);
  const disjoint = rule('validation users vs training and test users of every seed');
  const leaks = rule('test or validation query pairs in training tasks (also re-drawn)');
  const cold = rule('new users or new items in training tasks');
  const warm = rule('warm test users that are not training users');
  const itemCold = rule('old items in the item-cold cells of training users');
  const newUserCells = rule('training users in the new-user test cells');
  for (const split of splits) {
    const train = split.train;
    const trainUsers = new Set(train.users);
    const trained = pairSet(train, 'both', items);
    // 2. validation users are never training or test users, in any seed
    for (const u of train.users) if (validation[u]) disjoint.fail(`seed ${split.seed}: training user ${u}`);
    for (const s of SCENARIOS)
      for (const u of split.test[s].users)
        if (validation[u]) disjoint.fail(`seed ${split.seed}: ${s} user ${u}`);
    // 3. no test or validation query pair in a training task, also after re-drawn epochs
    const held = [
      ...SCENARIOS.map((s) => pairSet(split.test[s], 'query', items)),
      ...SCENARIOS.map((s) => pairSet(split.validation[s], 'query', items)),
    ];
    const redrawn = [1, 2, 3].flatMap((epoch) => [
      redrawSupportQuery(train, createRng(split.seed).fork(`redraw${epoch}`)),
      redrawSupportQuery(train, createRng(split.seed).fork(`share${epoch}`), 0.5),
    ]);
    for (const set of redrawn) {
      const pairs = pairSet(set, 'both', items);
      if (pairs.size !== trained.size) leaks.fail(`seed ${split.seed}: a re-draw changed the training pairs`);
      for (const p of pairs) if (!trained.has(p)) leaks.fail(`seed ${split.seed}: re-drawn pair ${p}`);
    }
    for (const pairs of held)
      for (const p of pairs)
        if (trained.has(p))
          leaks.fail(`seed ${split.seed}: user ${Math.floor(p / items)} item ${p % items} is trained on`);
    // 4. new users and new items never train
    for (const u of train.users) if (split.newUsers[u]) cold.fail(`seed ${split.seed}: new user ${u}`);
    for (const i of [...train.supportItems, ...train.queryItems])
      if (split.newItems[i]) cold.fail(`seed ${split.seed}: new item ${i}`);
    // 5. every warm test user trains; item-cold cells of training users hold only new items
    for (const u of split.test.warm.users) if (!trainUsers.has(u)) warm.fail(`seed ${split.seed}: user ${u}`);
    const ic = split.test.item_cold;
    for (let t = 0; t < ic.count; t++) {
      if (!trainUsers.has(ic.users[t]!)) continue;
      for (let k = ic.queryOffsets[t]!; k < ic.queryOffsets[t + 1]!; k++)
        if (!split.newItems[ic.queryItems[k]!]) itemCold.fail(`seed ${split.seed}: task ${t}`);
    }
    for (const s of ['user_cold', 'user_item_cold'] as const)
      for (const u of split.test[s].users)
        if (trainUsers.has(u) || !split.newUsers[u]) newUserCells.fail(`seed ${split.seed}: ${s} user ${u}`);
  }
  for (const r of [disjoint, leaks, cold, warm, itemCold, newUserCells]) r.done();
  return splits;
}
