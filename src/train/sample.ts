/**
 * Which tasks a seed evaluates: the one place that turns (seed, evalUsers) into the sorted task indices
 * of every evaluated cell. Three roles draw independent samples of at most `limit` tasks per scenario:
 * - 'test': the test scenarios, the same for the model (run.ts), the constant baselines and the non-meta
 *   model (baselines.ts), and every checkpoint of src/experiment, so all are measured on the same users
 *   and paired comparisons are possible;
 * - 'validation': the validation cells the model's local rates and checkpoints are chosen on;
 * - 'nonMetaValidation': the validation cells of the non-meta baseline's choices (with evalUsers 0, the
 *   default, every role takes every task and the roles coincide).
 * Each sample is rng(seed).fork('evaluation').fork(`${role}:${scenario}`) through sampleTasks, so it
 * depends on nothing drawn before it.
 */
import type { Scenario } from '../data/scenarios/types';
import { createRng, type Rng } from '../lib/rng';
import { sampleTasks } from './evaluate';

export type SampleRole = 'test' | 'validation' | 'nonMetaValidation';

/** Picks the evaluated tasks of one scenario's set of `count` tasks. */
export type TaskPicker = (scenario: Scenario, count: number) => Int32Array;

export interface EvaluationSample {
  readonly seed: number;
  /** at most this many tasks per scenario (0: all) */
  readonly limit: number;
  /** Sorted indices of the tasks `role` evaluates in a set of `count` tasks. */
  tasks(role: SampleRole, scenario: Scenario, count: number): Int32Array;
  /** tasks() of one role, as validationAtRates and chooseLocalRate take it. */
  picker(role: SampleRole): TaskPicker;
  /** The generator behind a role's sample of a scenario (for callers that draw their own). */
  rng(role: SampleRole, scenario: Scenario): Rng;
}

export function evaluationSample(seed: number, limit: number): EvaluationSample {
  const root = createRng(seed).fork('evaluation');
  const rng = (role: SampleRole, scenario: Scenario) => root.fork(`${role}:${scenario}`);
  const tasks = (role: SampleRole, scenario: Scenario, count: number) =>
    sampleTasks(count, limit, rng(role, scenario));
  return {
    seed,
    limit,
    tasks,
    picker: (role) => (scenario, count) => tasks(role, scenario, count),
    rng,
  };
}
