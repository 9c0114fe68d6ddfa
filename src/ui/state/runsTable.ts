/**
 * What the runs table shows about stored runs, as pure functions (tested alone): each run's final
 * metrics, duration and status, the settings that differ between the listed runs, and for selected
 * runs that differ only by seed, the mean ± spread of each scenario's MAE and the paired 95% interval
 * of MAE(model) − MAE(baseline) over test users (experiment/stats.ts: a bootstrap stratified by seed).
 */
import { CONFIG_KEYS, CONFIG_TABLE, type ConfigKey } from '../../config/experiment';
import { SCENARIOS, type Scenario } from '../../data/scenarios/types';
import { pairedInterval, type PairedInterval, type UserErrors } from '../../experiment/stats';
import type { BaselineName, ScenarioRecord, TrainEvent } from '../../worker/protocol';
import { statusOf, type SavedRun } from '../store/storedRun';

type Evaluated = Extract<TrainEvent, { type: 'evaluated' }>;
type SeedErrors = NonNullable<Evaluated['userErrors']>;

/** 'interrupted': stored as running, but no page is running it any more (the page was reloaded). */
export type RunRowStatus = 'running' | 'interrupted' | 'finished' | 'stopped' | 'failed';

export function rowStatus(run: SavedRun, liveRunId: string | null): RunRowStatus {
  const s = statusOf(run);
  if (s !== 'running') return s;
  return run.id === liveRunId ? 'running' : 'interrupted';
}

const lastEvaluated = (run: SavedRun): Evaluated | null => {
  for (let i = run.events.length - 1; i >= 0; i--) {
    const e = run.events[i]!;
    if (e.type === 'evaluated') return e;
  }
  return null;
};

/** Test metrics of the last evaluation (the summary's when it ended, else the last evaluated event). */
export function finalMetrics(run: SavedRun): ScenarioRecord {
  return run.summary?.scenarios ?? lastEvaluated(run)?.test ?? {};
}

/** The last evaluation's per-user errors (model, noAdaptation, baselines), or null. */
export const finalUserErrors = (run: SavedRun): SeedErrors | null => lastEvaluated(run)?.userErrors ?? null;

/** Seconds the run took: the summary's, else from its start to its last save. */
export function durationOf(run: SavedRun): number | null {
  if (run.summary) return run.summary.seconds;
  return run.startedAt === undefined ? null : (run.savedAt - run.startedAt) / 1000;
}

/** The backend it ran on (from the summary or the 'started' event), '' when unknown. */
export function backendOf(run: SavedRun): string {
  if (run.summary) return run.summary.backend;
  const started = run.events.find((e) => e.type === 'started');
  return started?.type === 'started' ? started.backend.name : '';
}

/** Settings whose values are not all equal among `runs` (table order). */
export function differingSettings(runs: readonly SavedRun[]): ConfigKey[] {
  if (runs.length < 2) return [];
  return CONFIG_KEYS.filter((k) => new Set(runs.map((r) => String(r.config[k]))).size > 1);
}

export const settingLabel = (k: ConfigKey): string => CONFIG_TABLE[k].label;

/** The data a run names: its content hash, else (older records) its dataset name. */
const dataKey = (r: SavedRun) => r.data?.hash ?? `name:${r.dataset}`;

/**
 * Null when `runs` can be pooled over seeds (two or more, the same data and every setting the same
 * but the seed, distinct seeds, each with per-user errors); otherwise why not, in words.
 */
export function whyNotSeedGroup(runs: readonly SavedRun[]): string | null {
  if (runs.length < 2) return 'Select two or more runs that differ only by seed to pool them.';
  const differ = differingSettings(runs).filter((k) => k !== 'seed');
  if (differ.length)
    return `The selected runs differ in more than the seed: ${differ.map(settingLabel).join(', ')}.`;
  if (new Set(runs.map(dataKey)).size > 1) return 'The selected runs trained on different data.';
  if (new Set(runs.map((r) => r.config.seed)).size < runs.length)
    return 'Two selected runs have the same seed; pick one run per seed.';
  if (runs.some((r) => !finalUserErrors(r)))
    return 'Some selected runs have no per-user errors (stored before they were recorded, or never evaluated).';
  return null;
}

export interface ScenarioPool {
  readonly scenario: Scenario;
  /** mean and sample standard deviation over seeds of the test MAE */
  readonly mean: number;
  readonly spread: number;
  readonly seeds: number;
  /** MAE(model) − MAE(baseline), null when the baseline has no rows for this scenario */
  readonly interval: PairedInterval | null;
}

/** The rows pairedInterval takes: per seed and test user, the model (A) and the baseline (B). */
export function pairedRows(
  runs: readonly SavedRun[],
  scenario: Scenario,
  baseline: BaselineName,
): UserErrors[] | null {
  const rows: UserErrors[] = [];
  for (const run of runs) {
    const e = finalUserErrors(run)?.[scenario];
    const a = e?.predictors.model;
    const b = e?.predictors[baseline];
    if (!e || !a || !b) return null;
    e.users.forEach((_, i) =>
      rows.push({
        seed: run.config.seed,
        n: e.n[i]!,
        absA: a.abs[i]!,
        absB: b.abs[i]!,
        sqA: a.sq[i]!,
        sqB: b.sq[i]!,
      }),
    );
  }
  return rows;
}

/** Per scenario: mean ± spread of MAE over the seeds and the paired interval against `baseline`. */
export function poolSeeds(
  runs: readonly SavedRun[],
  baseline: BaselineName,
  resamples = 10_000,
): ScenarioPool[] {
  const out: ScenarioPool[] = [];
  for (const scenario of SCENARIOS) {
    const maes = runs.map((r) => finalMetrics(r)[scenario]?.mae).filter((x): x is number => x !== undefined);
    if (maes.length !== runs.length) continue;
    const mean = maes.reduce((a, b) => a + b, 0) / maes.length;
    const spread = Math.sqrt(maes.reduce((a, x) => a + (x - mean) ** 2, 0) / Math.max(1, maes.length - 1));
    const rows = pairedRows(runs, scenario, baseline);
    const interval = rows && rows.length ? pairedInterval(rows, 'mae', { resamples }) : null;
    out.push({ scenario, mean, spread, seeds: maes.length, interval });
  }
  return out;
}
