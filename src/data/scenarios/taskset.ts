/**
 * Building blocks of every protocol: ratings grouped by user in time order, a TaskSet builder, the
 * seeded query sampling, and the summaries that every split reports.
 */
import type { Dataset } from '../dataset';
import { createRng, type Rng } from '../../lib/rng';
import {
  SCENARIOS,
  type Scenario,
  type ScenarioTasks,
  type SizeStats,
  type TaskSet,
  type TaskSetSummary,
} from './types';

/** Ratings grouped by user: rows of user u are order[offsets[u] .. offsets[u+1]), sorted by time (stable). */
export interface UserGroups {
  readonly offsets: Int32Array;
  readonly order: Int32Array;
}

export function groupByUser(dataset: Dataset): UserGroups {
  const { ratings, users } = dataset;
  const offsets = new Int32Array(users.count + 1);
  for (let r = 0; r < ratings.count; r++) offsets[ratings.user[r]! + 1]!++;
  for (let u = 0; u < users.count; u++) offsets[u + 1]! += offsets[u]!;
  const fill = offsets.slice(0, users.count);
  const order = new Int32Array(ratings.count);
  for (let r = 0; r < ratings.count; r++) order[fill[ratings.user[r]!]!++] = r;
  // time order within each user; ties keep file order (rows are in file order before sorting)
  const time = ratings.time;
  for (let u = 0; u < users.count; u++) {
    const group = order.subarray(offsets[u]!, offsets[u + 1]!);
    let sorted = true;
    for (let k = 1; k < group.length && sorted; k++) sorted = time[group[k - 1]!]! <= time[group[k]!]!;
    if (!sorted) group.set(Array.from(group).sort((a, b) => time[a]! - time[b]! || a - b));
  }
  return { offsets, order };
}

export interface PendingTask {
  readonly user: number;
  readonly supportItems: ArrayLike<number>;
  readonly supportValues: ArrayLike<number>;
  readonly queryItems: ArrayLike<number>;
  readonly queryValues: ArrayLike<number>;
}

/** Packs tasks into a TaskSet, sorted by user index (stable), so output does not depend on loop order. */
export function packTasks(tasks: readonly PendingTask[]): TaskSet {
  const sorted = [...tasks].sort((a, b) => a.user - b.user);
  const count = sorted.length;
  const supportOffsets = new Int32Array(count + 1);
  const queryOffsets = new Int32Array(count + 1);
  sorted.forEach((t, k) => {
    supportOffsets[k + 1] = supportOffsets[k]! + t.supportItems.length;
    queryOffsets[k + 1] = queryOffsets[k]! + t.queryItems.length;
  });
  const supportItems = new Int32Array(supportOffsets[count]!);
  const supportValues = new Float32Array(supportOffsets[count]!);
  const queryItems = new Int32Array(queryOffsets[count]!);
  const queryValues = new Float32Array(queryOffsets[count]!);
  sorted.forEach((t, k) => {
    supportItems.set(t.supportItems, supportOffsets[k]!);
    supportValues.set(t.supportValues, supportOffsets[k]!);
    queryItems.set(t.queryItems, queryOffsets[k]!);
    queryValues.set(t.queryValues, queryOffsets[k]!);
  });
  return {
    count,
    users: Int32Array.from(sorted, (t) => t.user),
    supportOffsets,
    supportItems,
    supportValues,
    queryOffsets,
    queryItems,
    queryValues,
  };
}

export const EMPTY_TASKS: TaskSet = packTasks([]);

export function emptyScenarioTasks(): ScenarioTasks {
  return { warm: EMPTY_TASKS, user_cold: EMPTY_TASKS, item_cold: EMPTY_TASKS, user_item_cold: EMPTY_TASKS };
}

/**
 * Splits a user's list of (item, value) rows into support and query: `queryCount` rows drawn at random
 * (the seed, the user and the cell decide which), support = the rest in their original order.
 */
export function sampleQuery(
  items: readonly number[],
  values: readonly number[],
  queryCount: number,
  seed: number,
  key: string,
): PendingTask & { user: -1 } {
  const n = items.length;
  const rng = createRng(seed).fork(key);
  const index = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < Math.min(queryCount, n); i++) {
    const j = i + rng.int(n - i);
    [index[i], index[j]] = [index[j]!, index[i]!];
  }
  const isQuery = new Uint8Array(n);
  const query = index.slice(0, Math.min(queryCount, n)).sort((a, b) => a - b);
  for (const q of query) isQuery[q] = 1;
  const support: number[] = [];
  for (let i = 0; i < n; i++) if (!isQuery[i]) support.push(i);
  return {
    user: -1,
    supportItems: support.map((i) => items[i]!),
    supportValues: support.map((i) => values[i]!),
    queryItems: query.map((i) => items[i]!),
    queryValues: query.map((i) => values[i]!),
  };
}

function stats(sizes: number[]): SizeStats {
  if (sizes.length === 0) return { min: 0, median: 0, mean: 0, max: 0 };
  const sorted = [...sizes].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return {
    min: sorted[0]!,
    median: sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2,
    mean: sizes.reduce((a, b) => a + b, 0) / sizes.length,
    max: sorted[sorted.length - 1]!,
  };
}

/** Tasks, distinct users and items, ratings and the support/query size distributions of a set. */
export function summarizeTasks(set: TaskSet): TaskSetSummary {
  const users = new Set<number>();
  const items = new Set<number>();
  const support: number[] = [];
  const query: number[] = [];
  for (let t = 0; t < set.count; t++) {
    users.add(set.users[t]!);
    support.push(set.supportOffsets[t + 1]! - set.supportOffsets[t]!);
    query.push(set.queryOffsets[t + 1]! - set.queryOffsets[t]!);
  }
  for (const i of set.supportItems) items.add(i);
  for (const i of set.queryItems) items.add(i);
  return {
    tasks: set.count,
    users: users.size,
    items: items.size,
    ratings: set.supportItems.length + set.queryItems.length,
    supportSize: stats(support),
    querySize: stats(query),
  };
}

export function summarizeScenarios(tasks: ScenarioTasks): Record<Scenario, TaskSetSummary> {
  return Object.fromEntries(SCENARIOS.map((s) => [s, summarizeTasks(tasks[s])])) as Record<
    Scenario,
    TaskSetSummary
  >;
}

/**
 * Task augmentation: the same tasks with each user's support and query ratings re-drawn from their
 * pooled ratings (seeded Fisher-Yates shuffle of the pool). Sizes are kept (task t keeps its support
 * and query sizes) unless `queryShare` is given: then task t's query gets max(1, round(share * n_t))
 * of its n_t ratings and the support the rest (at least 1). Why: 1 fixed partition per user gives few
 * distinct meta-training tasks (about 1,100 on the partial ML-1M, 290 on ML-100K), and a meta-gradient
 * that only ever sees each user's 10 query ratings uses a fifth of the training ratings.
 */
export function redrawSupportQuery(set: TaskSet, rng: Rng, queryShare?: number): TaskSet {
  const supportOffsets = new Int32Array(set.count + 1);
  const queryOffsets = new Int32Array(set.count + 1);
  for (let t = 0; t < set.count; t++) {
    const ns = set.supportOffsets[t + 1]! - set.supportOffsets[t]!;
    const nq = set.queryOffsets[t + 1]! - set.queryOffsets[t]!;
    const n = ns + nq;
    const q =
      queryShare === undefined || n < 2 ? nq : Math.min(n - 1, Math.max(1, Math.round(queryShare * n)));
    supportOffsets[t + 1] = supportOffsets[t]! + n - q;
    queryOffsets[t + 1] = queryOffsets[t]! + q;
  }
  const supportItems = new Int32Array(supportOffsets[set.count]!);
  const supportValues = new Float32Array(supportOffsets[set.count]!);
  const queryItems = new Int32Array(queryOffsets[set.count]!);
  const queryValues = new Float32Array(queryOffsets[set.count]!);
  for (let t = 0; t < set.count; t++) {
    const s0 = set.supportOffsets[t]!;
    const ns = set.supportOffsets[t + 1]! - s0;
    const q0 = set.queryOffsets[t]!;
    const nq = set.queryOffsets[t + 1]! - q0;
    const pool = new Int32Array(ns + nq); // k < ns: support row s0+k; else query row q0+k-ns
    for (let k = 0; k < pool.length; k++) pool[k] = k;
    for (let k = pool.length - 1; k > 0; k--) {
      const j = rng.int(k + 1);
      const tmp = pool[k]!;
      pool[k] = pool[j]!;
      pool[j] = tmp;
    }
    const newS0 = supportOffsets[t]!;
    const newNs = supportOffsets[t + 1]! - newS0;
    const newQ0 = queryOffsets[t]!;
    for (let k = 0; k < pool.length; k++) {
      const src = pool[k]!;
      const item = src < ns ? set.supportItems[s0 + src]! : set.queryItems[q0 + src - ns]!;
      const value = src < ns ? set.supportValues[s0 + src]! : set.queryValues[q0 + src - ns]!;
      if (k < newNs) {
        supportItems[newS0 + k] = item;
        supportValues[newS0 + k] = value;
      } else {
        queryItems[newQ0 + k - newNs] = item;
        queryValues[newQ0 + k - newNs] = value;
      }
    }
  }
  return {
    count: set.count,
    users: set.users,
    supportOffsets,
    supportItems,
    supportValues,
    queryOffsets,
    queryItems,
    queryValues,
  };
}
