/**
 * Cold-start scenarios as data. A split turns a Dataset into tasks (one task = one user's support and
 * query ratings inside one scenario cell), packed into typed arrays so they cross to the worker as
 * transferable buffers and batch without per-rating objects.
 */
import type { ItemIndex, UserIndex } from '../ids';

export const SCENARIOS = ['warm', 'user_cold', 'item_cold', 'user_item_cold'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export const SCENARIO_LABELS: Record<Scenario, string> = {
  warm: 'warm (held-out ratings of training users)',
  user_cold: 'new user',
  item_cold: 'new item',
  user_item_cold: 'new user and new item',
};

/** Short labels for legends and tables. */
export const SCENARIO_SHORT: Record<Scenario, string> = {
  warm: 'warm',
  user_cold: 'new user',
  item_cold: 'new item',
  user_item_cold: 'new user & item',
};

export const PROTOCOLS = ['melu', 'mamo', 'published', 'sequence'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/**
 * A packed list of tasks. Task t is user users[t]; its support ratings are rows
 * supportOffsets[t] .. supportOffsets[t+1] of supportItems/supportValues, its query likewise.
 */
export interface TaskSet {
  readonly count: number;
  readonly users: Int32Array;
  readonly supportOffsets: Int32Array;
  readonly supportItems: Int32Array;
  readonly supportValues: Float32Array;
  readonly queryOffsets: Int32Array;
  readonly queryItems: Int32Array;
  readonly queryValues: Float32Array;
}

/** One task as views into a TaskSet (no copy). */
export interface Task {
  readonly user: UserIndex;
  readonly supportItems: Int32Array;
  readonly supportValues: Float32Array;
  readonly queryItems: Int32Array;
  readonly queryValues: Float32Array;
}

export type ScenarioTasks = Record<Scenario, TaskSet>;

export interface SizeStats {
  readonly min: number;
  readonly median: number;
  readonly mean: number;
  readonly max: number;
}

export interface TaskSetSummary {
  readonly tasks: number;
  readonly users: number;
  readonly items: number;
  readonly ratings: number;
  readonly supportSize: SizeStats;
  readonly querySize: SizeStats;
}

export interface SplitSummary {
  readonly protocol: Protocol;
  readonly seed: number;
  readonly train: TaskSetSummary;
  readonly validation: Record<Scenario, TaskSetSummary>;
  readonly test: Record<Scenario, TaskSetSummary>;
  /** Rules and numbers a reader needs, e.g. "new items: year >= 1998 (412 items)". */
  readonly notes: readonly string[];
}

export interface ScenarioSplit {
  readonly protocol: Protocol;
  readonly seed: number;
  /** Meta-training tasks (existing users, existing items; never a test or validation query rating). */
  readonly train: TaskSet;
  /**
   * Held-out users for model selection; never used for the reported test numbers. The same users and
   * tasks for every seed (tuning.ts), never a training or test user in any seed.
   */
  readonly validation: ScenarioTasks;
  /** Test cells. warm = held-out ratings of training users (their support is training data too). */
  readonly test: ScenarioTasks;
  /** 1 for users the protocol treats as new (unseen in training), by UserIndex. */
  readonly newUsers: Uint8Array;
  /** 1 for items the protocol treats as new (unseen in training), by ItemIndex. */
  readonly newItems: Uint8Array;
  /** 1 for the fixed validation (tuning) users, by UserIndex: the same for every seed. */
  readonly validationUsers: Uint8Array;
  readonly summary: SplitSummary;
}

/** Task t of a set as zero-copy views. */
export function taskAt(set: TaskSet, t: number): Task {
  const s0 = set.supportOffsets[t]!;
  const s1 = set.supportOffsets[t + 1]!;
  const q0 = set.queryOffsets[t]!;
  const q1 = set.queryOffsets[t + 1]!;
  return {
    user: set.users[t]! as UserIndex,
    supportItems: set.supportItems.subarray(s0, s1),
    supportValues: set.supportValues.subarray(s0, s1),
    queryItems: set.queryItems.subarray(q0, q1),
    queryValues: set.queryValues.subarray(q0, q1),
  };
}

/** Item indices of a task as branded values (for code that must not confuse them with users). */
export function itemAt(items: Int32Array, i: number): ItemIndex {
  return items[i]! as ItemIndex;
}
