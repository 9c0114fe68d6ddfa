/**
 * The non-meta network's half of a job (job.ts): each trained configuration (NON_META_GRID_V1, or the
 * model's dropouts) trained for the budget and checkpointed, each fine-tuning a checkpoint of its own,
 * and the selection over all of them in configuration order.
 *
 * Each configuration runs on its own (nonMetaConfiguration), offering its checkpoints to a selection of
 * its own, and keeps a host copy of the weights of each of its current picks. When it has trained, it
 * evaluates the test scenarios of its final picks only (at most one per item kind), from those copies.
 * The job then replays every checkpoint, in configuration order, through one selection: exactly what one
 * loop over all configurations would offer it. Its final picks have their test numbers: a checkpoint
 * that is the lowest on validation among all configurations (the earliest on a tie) is the lowest within
 * its own. The other checkpoints it considers along the way are all replaced before the end, so their
 * test scenarios are never needed (the sequential loop used to evaluate every one that improved).
 * Because the configurations are independent (each trains from the seed's own forks), a pool (the CLI's
 * child processes: cli/nonMetaPool.ts) may train them side by side: the same picks, bit for bit.
 */
import type { TrainConfig } from '../config/experiment';
import { SCENARIOS, type Scenario } from '../data/scenarios/types';
import { ratingRange } from '../train/epochs';
import { predictTaskSet, scenarioMetrics } from '../train/evaluate';
import type { ScenarioRecord } from '../train/events';
import {
  FINE_TUNE_GRID_V1,
  FULL_FINE_TUNE,
  itemKindOf,
  type FineTune,
  type LocalRates,
} from '../train/adaptation';
import type { HostValue } from '../train/snapshot';
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

/**
 * Runs configurations elsewhere, at most as many at once as it has processes; out[i] is tasks[i]'s.
 * `done(i, outcome)` hears of each as it ends (progress lines), in the order they end.
 */
export type NonMetaPool = (
  tasks: readonly NonMetaTask[],
  done?: (index: number, outcome: NonMetaOutcome) => void,
) => Promise<NonMetaOutcome[]>;

/**
 * Trains one configuration (the module comment): every checkpoint and fine-tuning in the order it was
 * evaluated, with the test scenarios of the configuration's own final picks, evaluated at the end from
 * host copies of the weights they were picked at.
 */
export async function nonMetaConfiguration(
  prepared: ReturnType<typeof experimentInput>,
  task: NonMetaTask,
): Promise<NonMetaOutcome> {
  const t0 = performance.now();
  const { config, settings, budget, rule } = task;
  const range = ratingRange(prepared.split.train);
  const sample = evaluationSample(task.seed, config.evalUsers);
  const featureDropout = settings.featureDropout ?? config.featureDropout;
  const input = { ...prepared, config: { ...config, ...settings, featureDropout, epochs: budget } };
  const at = choosesCheckpoints(rule) ? (e: number) => e % 2 === 0 : (e: number) => e === budget;
  const own = selectionFor(rule);
  const candidates: { label: string; validation: ScenarioRecord }[] = [];
  // the weights of each current pick (one copy per checkpoint, shared by its fine-tunings)
  const picked = new Map<string, { state: HostValue; rates: LocalRates; fineTune: FineTune }>();
  let copy: { epoch: number; state: HostValue } | null = null;
  const tested = new Map<string, { test: ScenarioRecord; rows: CheckpointRows }>();
  await nonMetaCheckpoints(
    input,
    async (engine, epoch, rates, validation, fineTune) => {
      const checkpoint: Checkpoint = task.plain
        ? { featureDropout, epoch, rates }
        : { featureDropout, epoch, rates, trained: settings, fineTune };
      const label = JSON.stringify(checkpoint);
      candidates.push({ label, validation });
      if (!own.improves(validation)) return;
      own.consider(label, validation, {});
      if (copy?.epoch !== epoch) copy = { epoch, state: await engine.exportState() };
      picked.set(label, { state: copy.state, rates, fineTune });
      const current = new Set(Object.values(own.picks()).map((p) => p?.label));
      for (const l of [...picked.keys()]) if (!current.has(l)) picked.delete(l);
    },
    at,
    task.fineTunes,
    async (engine) => {
      for (const [label, { state, rates, fineTune }] of picked) {
        engine.importState(state);
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
        tested.set(label, { test, rows });
      }
    },
  );
  return {
    candidates: candidates.map((c) => ({ ...c, ...tested.get(c.label) })),
    seconds: (performance.now() - t0) / 1000,
  };
}

/**
 * The non-meta network's half of a seed: trained with each of `trained` (settings over `config`) for
 * `budget` epochs and checkpointed like the model (each fine-tuning of `fineTunes` a checkpoint of its
 * own), one configuration after another, or side by side in a `pool`; their checkpoints are replayed
 * here in order (the module comment). `config` is the seed's run config (seedConfig), `prepared` its
 * experiment input.
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
  // the plain grid keeps its old labels (dropout, epoch, rates) so stored picks read the same
  const plain = fineTunes.length === 1 && trained.every((t) => Object.keys(t).join() === 'featureDropout');
  const tasks = trained.map((settings) => ({ config, seed, budget, settings, rule, fineTunes, plain }));
  const done = (i: number, outcome: NonMetaOutcome) =>
    log(`seed ${seed}: non-meta ${JSON.stringify(tasks[i]!.settings)}: ${outcome.seconds.toFixed(0)} s`);
  let outcomes: NonMetaOutcome[];
  if (pool) outcomes = await pool(tasks, done);
  else {
    outcomes = [];
    for (const task of tasks) {
      outcomes.push(await nonMetaConfiguration(prepared, task));
      done(outcomes.length - 1, outcomes.at(-1)!);
    }
  }
  const selection = selectionFor(rule);
  const errors: ErrorsByLabel = new Map();
  const tested = new Set<string>();
  for (const { candidates } of outcomes)
    for (const c of candidates) {
      if (!selection.improves(c.validation)) continue;
      // a checkpoint without test numbers is replaced before the end (the module comment)
      selection.consider(c.label, c.validation, c.test ?? {});
      if (c.test && c.rows) {
        errors.set(c.label, c.rows);
        tested.add(c.label);
      }
    }
  for (const pick of Object.values(selection.picks()))
    if (pick && !tested.has(pick.label))
      throw new Error(`non-meta pick ${pick.label} has no test numbers: its configuration did not pick it`);
  return { selection, errors };
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
