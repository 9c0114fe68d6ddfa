/**
 * Each evaluated test user's errors: in a job's stored output (src/experiment/job.ts) and in every
 * `evaluated` event of a run (run.ts), so that paired confidence intervals (src/experiment/stats.ts) can
 * be computed when parts are merged or saved runs compared. Lives in train/ (not experiment/) because
 * run.ts emits it and train may not import experiment; experiment/userErrors.ts re-exports it. Per user u of a scenario's test
 * sample: n_u query ratings, Σ|ŷ − y| and Σ(ŷ − y)² over them, with ŷ clipped to the prediction set's
 * range exactly as train/metrics.ts errorMetrics clips (so Σ_u abs_u / Σ_u n_u is the scenario's MAE and
 * sqrt(Σ_u sq_u / Σ_u n_u) its RMSE). A user with several tasks in a cell is summed over them.
 */
import type { Scenario, TaskSet } from '../data/scenarios/types';
import type { BaselineName, ScenarioRecord } from './events';
import { clippedError, type PredictionSet } from './metrics';

/** Who is compared: the model after local adaptation, or a baseline row (noAdaptation: the model before). */
export type Predictor = 'model' | BaselineName;

/** Per user of one predictor, aligned with ScenarioErrors.users. */
export interface PredictorErrors {
  readonly abs: readonly number[];
  readonly sq: readonly number[];
}

/**
 * One test scenario of one seed: its users (UserIndex, ascending), their query counts, each predictor;
 * in a run's events also each user's support ratings summed over their tasks (`support`, aligned with
 * `users`: how much the adaptation had to go on). Job parts omit it (their files stay as they were).
 */
export interface ScenarioErrors {
  readonly users: readonly number[];
  readonly n: readonly number[];
  readonly support?: readonly number[];
  readonly predictors: Partial<Record<Predictor, PredictorErrors>>;
}

export type SeedErrors = Partial<Record<Scenario, ScenarioErrors>>;

/** Per-user n, Σ|e|, Σe² of predictions of the tasks `taskIds` of `set` (clipped to p.range). */
export function userErrorsOf(
  set: TaskSet,
  taskIds: Int32Array,
  p: PredictionSet,
): { users: number[]; n: number[]; abs: number[]; sq: number[] } {
  const [low, high] = p.range ?? [-Infinity, Infinity];
  const byUser = new Map<number, { n: number; abs: number; sq: number }>();
  taskIds.forEach((t, k) => {
    const u = set.users[t]!;
    const row = byUser.get(u) ?? { n: 0, abs: 0, sq: 0 };
    for (let r = p.offsets[k]!; r < p.offsets[k + 1]!; r++) {
      const d = clippedError(p.predicted[r]!, p.truth[r]!, low, high);
      row.n++;
      row.abs += Math.abs(d);
      row.sq += d * d;
    }
    byUser.set(u, row);
  });
  const users = [...byUser.keys()].sort((a, b) => a - b);
  return {
    users,
    n: users.map((u) => byUser.get(u)!.n),
    abs: users.map((u) => byUser.get(u)!.abs),
    sq: users.map((u) => byUser.get(u)!.sq),
  };
}

/** Support ratings per user of `users` (ascending, from userErrorsOf), summed over the tasks `taskIds`. */
export function supportOf(set: TaskSet, taskIds: Int32Array, users: readonly number[]): number[] {
  const byUser = new Map<number, number>();
  for (const t of taskIds) {
    const u = set.users[t]!;
    byUser.set(u, (byUser.get(u) ?? 0) + set.supportOffsets[t + 1]! - set.supportOffsets[t]!);
  }
  return users.map((u) => byUser.get(u) ?? 0);
}

/** Sets a scenario's `support` column (after its first predictor is added). */
export function addSupport(into: SeedErrors, scenario: Scenario, support: readonly number[]): void {
  const have = into[scenario];
  if (!have || have.users.length !== support.length)
    throw new Error(
      `Expected ${have?.users.length ?? 0} support counts on ${scenario}, got ${support.length}`,
    );
  into[scenario] = { ...have, support };
}

/** Adds one predictor's errors to a seed's record; the users and counts must match earlier predictors. */
export function addPredictor(
  into: Partial<Record<Scenario, ScenarioErrors>>,
  scenario: Scenario,
  predictor: Predictor,
  errors: { users: number[]; n: number[]; abs: number[]; sq: number[] },
): void {
  const have = into[scenario];
  if (
    have &&
    (have.users.length !== errors.users.length ||
      have.users.some((u, i) => u !== errors.users[i] || have.n[i] !== errors.n[i]))
  )
    throw new Error(
      `Expected ${predictor} on ${scenario} to be evaluated on the same test users as the others`,
    );
  into[scenario] = {
    users: have?.users ?? errors.users,
    n: have?.n ?? errors.n,
    ...(have?.support ? { support: have.support } : {}),
    predictors: { ...have?.predictors, [predictor]: { abs: errors.abs, sq: errors.sq } },
  };
}

/**
 * `into` with every predictor of `from` added, scenario by scenario (a copy; `into` is unchanged). A
 * scenario of `from` whose users or counts differ from `into`'s is left out: the predictors were not
 * evaluated on the same users, so they cannot be paired. Used to attach the baselines' rows, computed
 * once after the first epoch, to evaluations made before them.
 */
export function withPredictors(into: SeedErrors, from: SeedErrors): SeedErrors {
  const out: SeedErrors = { ...into };
  for (const [s, f] of Object.entries(from) as [Scenario, ScenarioErrors][]) {
    const have = out[s];
    if (!have) continue;
    const same =
      have.users.length === f.users.length &&
      have.users.every((u, i) => u === f.users[i] && have.n[i] === f.n[i]);
    if (same) out[s] = { ...have, predictors: { ...f.predictors, ...have.predictors } };
  }
  return out;
}

/**
 * Throws when a predictor's per-user errors do not give back its reported metrics: Σ abs / Σ n = MAE and
 * sqrt(Σ sq / Σ n) = RMSE (to 1e-9), i.e. the stored rows and the tables disagree (a bug, never noise).
 */
export function checkErrors(errors: SeedErrors, records: Partial<Record<Predictor, ScenarioRecord>>): void {
  const wrong: string[] = [];
  for (const [s, e] of Object.entries(errors) as [Scenario, ScenarioErrors][]) {
    const n = e.n.reduce((a, b) => a + b, 0);
    for (const [predictor, rows] of Object.entries(e.predictors) as [Predictor, PredictorErrors][]) {
      const m = records[predictor]?.[s];
      if (!m) continue;
      const mae = rows.abs.reduce((a, b) => a + b, 0) / n;
      const rmse = Math.sqrt(rows.sq.reduce((a, b) => a + b, 0) / n);
      if (!(Math.abs(mae - m.mae) <= 1e-9 && Math.abs(rmse - m.rmse) <= 1e-9))
        wrong.push(`${predictor} on ${s}: MAE ${mae} vs ${m.mae}, RMSE ${rmse} vs ${m.rmse}`);
    }
  }
  if (wrong.length)
    throw new Error(`Expected the per-user errors to give the reported metrics, got ${wrong.join('; ')}`);
}
