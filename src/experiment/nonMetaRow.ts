/**
 * The non-meta network's half of a job (job.ts): each trained configuration (NON_META_GRID_V1, or the
 * model's dropouts) trained for the budget and checkpointed, each fine-tuning a checkpoint of its own,
 * and the selection over all of them in configuration order.
 *
 * The configurations are independent (each trains from the seed's own forks), so a pool (the CLI's child
 * processes: cli/nonMetaPool.ts) may train them side by side. A configuration run elsewhere cannot see
 * the others' checkpoints, so it evaluates the test scenarios at every checkpoint that improves on ITS
 * OWN earlier ones; that is a superset of those that improve on everything offered before them (a
 * strictly lower validation MAE than the best of more checkpoints is lower than the best of fewer).
 * Replaying the candidates in configuration order through one selection then offers it exactly what the
 * sequential loop offers, with the same test numbers: the same picks, bit for bit.
 */
import type { TrainConfig } from '../config/experiment';
import { SCENARIOS, type Scenario } from '../data/scenarios/types';
import { ratingRange } from '../train/epochs';
import { predictTaskSet, scenarioMetrics } from '../train/evaluate';
import type { ScenarioRecord } from '../train/events';
import { FINE_TUNE_GRID_V1, FULL_FINE_TUNE, itemKindOf, type FineTune } from '../train/adaptation';
import type { KindSelection } from '../train/kindSelection';
import { evaluationSample } from '../train/sample';
import { nonMetaCheckpoints, type experimentInput } from './headless';
import { choosesCheckpoints, selectionFor, type Checkpoint, type SelectionRule } from './selection';
import { userErrorsOf } from './userErrors';

export type UserRows = ReturnType<typeof userErrorsOf>;
/** One checkpoint's test scenarios as per-user errors, after and before adaptation. */
export type CheckpointRows = Partial<Record<Scenario, { after: UserRows; before: UserRows }>>;
/** Per checkpoint label: each test scenario's per-user errors (after and before adaptation). */
export type ErrorsByLabel = Map<string, CheckpointRows>;

/**
 * The non-meta network's trained configurations of results protocol v1 (docs/protocol.md, section 4):
 * feature dropout {0, 0.3} x Adam rate {3e-4, 1e-3, 3e-3} x weight decay {0, 3}, each over the
 * variant's network; at evaluation FINE_TUNE_GRID_V1 (layers x clip x steps {1, 5}).
 */
export const NON_META_GRID_V1: readonly Partial<TrainConfig>[] = [0, 0.3].flatMap((featureDropout) =>
  [3e-4, 1e-3, 3e-3].flatMap((outerLr) =>
    [0, 3].map((weightDecay) => ({ featureDropout, outerLr, weightDecay })),
  ),
);

/** What the non-meta network trains and how it may fine-tune, for a grid name of a variant. */
export function nonMetaPlan(
  grid: 'model' | 'v1' | undefined,
  dropouts: readonly number[],
): { trained: readonly Partial<TrainConfig>[]; fineTunes: readonly FineTune[] } {
  return grid === 'v1'
    ? { trained: NON_META_GRID_V1, fineTunes: FINE_TUNE_GRID_V1 }
    : { trained: dropouts.map((featureDropout) => ({ featureDropout })), fineTunes: [FULL_FINE_TUNE] };
}

/** One trained configuration of a job's non-meta row: everything a process needs besides the data. */
export interface NonMetaTask {
  /** the seed's run config (job.ts seedConfig); `settings` go over it */
  readonly config: TrainConfig;
  readonly seed: number;
  readonly budget: number;
  readonly settings: Partial<TrainConfig>;
  readonly rule: SelectionRule;
  readonly fineTunes: readonly FineTune[];
  /** the model's-grid labels (dropout, epoch, rates), so stored picks read as before */
  readonly plain: boolean;
}

/** One checkpoint and fine-tuning of a configuration, in the order it was evaluated. */
export interface NonMetaCandidate {
  readonly label: string;
  readonly validation: ScenarioRecord;
  /** the test scenarios, where the checkpoint improved the selection it ran against */
  readonly test?: ScenarioRecord;
  readonly rows?: CheckpointRows;
}

/** A configuration's checkpoints and its wall time. */
export interface NonMetaOutcome {
  readonly candidates: readonly NonMetaCandidate[];
  readonly seconds: number;
}

/** Runs configurations elsewhere, at most as many at once as it has processes; out[i] is tasks[i]'s. */
export type NonMetaPool = (tasks: readonly NonMetaTask[]) => Promise<NonMetaOutcome[]>;

/**
 * Trains one configuration and offers each checkpoint to `selection` as it is evaluated: the test
 * scenarios are evaluated only where `selection.improves` (a checkpoint that cannot be reported needs
 * none). Returns every checkpoint, with its test numbers where they were evaluated.
 */
export async function nonMetaConfiguration(
  prepared: ReturnType<typeof experimentInput>,
  task: NonMetaTask,
  selection: KindSelection,
): Promise<NonMetaOutcome> {
  const t0 = performance.now();
  const { config, settings, budget, rule } = task;
  const range = ratingRange(prepared.split.train);
  const sample = evaluationSample(task.seed, config.evalUsers);
  const featureDropout = settings.featureDropout ?? config.featureDropout;
  const input = { ...prepared, config: { ...config, ...settings, featureDropout, epochs: budget } };
  const at = choosesCheckpoints(rule) ? (e: number) => e % 2 === 0 : (e: number) => e === budget;
  const candidates: NonMetaCandidate[] = [];
  await nonMetaCheckpoints(
    input,
    async (engine, epoch, rates, validation, fineTune) => {
      const checkpoint: Checkpoint = task.plain
        ? { featureDropout, epoch, rates }
        : { featureDropout, epoch, rates, trained: settings, fineTune };
      const label = JSON.stringify(checkpoint);
      // only a checkpoint that becomes a pick needs its test scenarios
      if (!selection.improves(validation)) {
        candidates.push({ label, validation });
        return;
      }
      const test: ScenarioRecord = {};
      const rows: CheckpointRows = {};
      for (const s of SCENARIOS) {
        const set = input.split.test[s];
        if (set.count === 0) continue;
        const ids = sample.tasks('test', s, set.count);
        const p = await predictTaskSet(engine, set, ids, input.layout, {
          innerLr: rates[itemKindOf(s)],
          range,
          fineTune,
        });
        test[s] = scenarioMetrics(set, p);
        rows[s] = { after: userErrorsOf(set, ids, p.after), before: userErrorsOf(set, ids, p.before) };
      }
      selection.consider(label, validation, test);
      candidates.push({ label, validation, test, rows });
    },
    at,
    task.fineTunes,
  );
  return { candidates, seconds: (performance.now() - t0) / 1000 };
}

/** A configuration run on its own: offered to a selection of its own (the module comment). */
export function nonMetaAlone(
  prepared: ReturnType<typeof experimentInput>,
  task: NonMetaTask,
): Promise<NonMetaOutcome> {
  return nonMetaConfiguration(prepared, task, selectionFor(task.rule));
}

/**
 * The non-meta network's half of a seed: trained with each of `trained` (settings over `config`) for
 * `budget` epochs and checkpointed like the model (each fine-tuning of `fineTunes` a checkpoint of its
 * own); the test scenarios are evaluated only at checkpoints that become a pick. `config` is the
 * seed's run config (seedConfig), `prepared` its experiment input. With a `pool`, the configurations
 * train there side by side and their checkpoints are replayed here in order (the module comment).
 */
export async function nonMetaSelection(
  prepared: ReturnType<typeof experimentInput>,
  config: TrainConfig,
  seed: number,
  budget: number,
  trained: readonly Partial<TrainConfig>[],
  log: (line: string) => void = () => {},
  rule: SelectionRule = 'per-kind',
  fineTunes: readonly FineTune[] = [FULL_FINE_TUNE],
  pool?: NonMetaPool,
): Promise<{ selection: KindSelection; errors: ErrorsByLabel }> {
  const nonMeta = selectionFor(rule);
  const errors: ErrorsByLabel = new Map();
  // the plain grid keeps its old labels (dropout, epoch, rates) so stored picks read the same
  const plain = fineTunes.length === 1 && trained.every((t) => Object.keys(t).join() === 'featureDropout');
  const tasks = trained.map((settings) => ({ config, seed, budget, settings, rule, fineTunes, plain }));
  const logged = (settings: Partial<TrainConfig>, seconds: number) =>
    log(`seed ${seed}: non-meta ${JSON.stringify(settings)}: ${seconds.toFixed(0)} s`);
  if (!pool) {
    for (const task of tasks) {
      const { candidates, seconds } = await nonMetaConfiguration(prepared, task, nonMeta);
      for (const c of candidates) if (c.rows) errors.set(c.label, c.rows);
      logged(task.settings, seconds);
    }
    return { selection: nonMeta, errors };
  }
  const outcomes = await pool(tasks);
  outcomes.forEach(({ candidates, seconds }, i) => {
    for (const c of candidates) {
      if (!nonMeta.improves(c.validation)) continue;
      if (!c.test || !c.rows)
        throw new Error(
          `non-meta ${c.label}: improves the selection but its test scenarios were not evaluated`,
        );
      nonMeta.consider(c.label, c.validation, c.test);
      errors.set(c.label, c.rows);
    }
    logged(tasks[i]!.settings, seconds);
  });
  return { selection: nonMeta, errors };
}

/**
 * JSON that keeps every number a candidate can hold (NaN, ±Infinity, -0 become tagged strings and come
 * back): a pool's processes hand their outcomes over as text.
 */
export function outcomeToJson(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) =>
    typeof v === 'number' && (!Number.isFinite(v) || Object.is(v, -0))
      ? `#num:${String(v === 0 ? '-0' : v)}`
      : v,
  );
}

export function outcomeFromJson<T>(text: string): T {
  return JSON.parse(text, (_, v: unknown) =>
    typeof v === 'string' && v.startsWith('#num:') ? Number(v.slice(5)) : v,
  ) as T;
}
