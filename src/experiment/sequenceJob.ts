/**
 * One job of the sequential models' protocol (docs/protocol-sequence.md): a MELO-family or MML preset
 * trained once on one seed, validation and test evaluated every second epoch, and per row the epoch the
 * VALIDATION users prefer (rating rows: lowest mean validation MAE; ranking rows: highest mean
 * validation Recall@10; ties the earlier epoch). The test numbers of every evaluation are kept per
 * test user, and only the picked epoch's are stored: no test number chooses anything.
 *
 * Per user u of a test cell the part stores n_u (query ratings, or ranked cases) and, per row, two sums
 * a_u, b_u: rating rows Σ|ŷ − y| and Σ(ŷ − y)² (clipped as train/metrics.ts clips), ranking rows
 * Σ (1 − hit@10) and Σ (1 − NDCG@10): "errors", so stats.ts's paired MAE interval applies to both
 * (diff of the mean error; the document negates it for Recall and NDCG).
 */
import type { TrainConfig } from '../config/experiment';
import type { Dataset } from '../data/dataset';
import { SCENARIOS, type Scenario, type TaskSet } from '../data/scenarios/types';
import { meanTrainingRating, type ExperimentInput, type TestRanks } from '../train/epochs';
import type { TaskSetPredictions } from '../train/evaluate';
import type { ScenarioMetrics, ScenarioRecord, TrainEvent } from '../train/events';
import { evaluationWindow } from '../train/meloWindows';
import type { PredictionSet } from '../train/metrics';
import { runExperiment } from '../train/run';
import { userErrorsOf } from '../train/userErrors';
import { experimentInput, type Backend } from './headless';
import { rowsOf, SUPPORT_MEAN, type SequenceJobSpec } from './sequenceSpec';

/** One test cell's users and, per row, their two error sums (see the file comment). */
export interface CellUsers {
  readonly users: number[];
  readonly n: number[];
  readonly rows: Record<string, { readonly a: number[]; readonly b: number[] }>;
}

/** A row's pick and its test numbers at the pick. */
export interface RowResult {
  /** the picked epoch (0 for the support mean: nothing to pick) */
  readonly epoch: number;
  /** the validation score that picked it (mean validation MAE, or mean validation Recall@10) */
  readonly validation: number;
  /** per test cell: rating rows mae, rmse; ranking rows recall/mrr/ndcg at 5, 10, 20; and the count */
  readonly test: Partial<Record<Scenario, Record<string, number>>>;
}

export interface SequenceResult {
  /**
   * The divergence guard's message when training diverged (docs/protocol-sequence.md section 8): the
   * rows then pick among the evaluations made before it, and a row with none is absent.
   */
  readonly diverged?: string;
  readonly seconds: number;
  readonly parameters: number;
  /** every evaluated epoch's validation score per row (what chose) */
  readonly validation: { epoch: number; scores: Record<string, number> }[];
  readonly rows: Record<string, RowResult>;
  readonly users: Partial<Record<Scenario, CellUsers>>;
}

const mean = (values: number[]) => (values.length ? values.reduce((s, v) => s + v, 0) / values.length : NaN);

/** A row's validation score of an evaluation (higher = better: -MAE or Recall@10), NaN when absent. */
function validationScore(job: SequenceJobSpec, row: string, record: ScenarioRecord): number {
  const cells = Object.values(record).filter((m): m is ScenarioMetrics => m !== undefined);
  if (job.kind === 'rating') return -mean(cells.map((m) => m.mae));
  const pick = (m: ScenarioMetrics) =>
    row === job.name
      ? m.ranking?.after
      : row === `${job.name} before`
        ? m.ranking?.before
        : m.ranking?.learners?.[row === `${job.name} ID` ? 'id' : 'text'];
  return mean(cells.map((m) => pick(m)?.recall10 ?? NaN));
}

interface Evaluation {
  epoch: number;
  validation: ScenarioRecord;
  test: ScenarioRecord;
  users: Partial<Record<Scenario, CellUsers>>;
}

/** Per-user sums of the rating predictions `p` of `taskIds`, aligned with `users`. */
function ratingSums(set: TaskSet, taskIds: Int32Array, p: PredictionSet, users: number[]) {
  const e = userErrorsOf(set, taskIds, p);
  if (e.users.join() !== users.join()) throw new Error('Expected the same test users for every predictor');
  return { a: e.abs, b: e.sq, n: e.n };
}

/** Support mean of each evaluated window (global mean without support), as a prediction set. */
function supportMeanSet(set: TaskSet, p: TaskSetPredictions, length: number, global: number): PredictionSet {
  const predicted = new Float32Array(p.after.truth.length);
  p.taskIds.forEach((t, k) => {
    const w = evaluationWindow(set, t, length);
    const m = w.support ? mean(Array.from(w.ratings).slice(0, w.support)) : global;
    predicted.fill(m, p.after.offsets[k]!, p.after.offsets[k + 1]!);
  });
  return { ...p.after, predicted };
}

/** Per-user sums of ranks: 1 − hit@10 and 1 − NDCG@10 per case. */
function rankSums(set: TaskSet, r: TestRanks, ranks: Int32Array) {
  const byUser = new Map<number, { n: number; a: number; b: number }>();
  r.taskIds.forEach((t, k) => {
    const u = set.users[t]!;
    const row = byUser.get(u) ?? { n: 0, a: 0, b: 0 };
    for (let c = r.offsets[k]!; c < r.offsets[k + 1]!; c++) {
      const rank = ranks[c]!;
      row.n++;
      row.a += rank <= 10 ? 0 : 1;
      row.b += rank <= 10 ? 1 - 1 / Math.log2(rank + 1) : 1;
    }
    byUser.set(u, row);
  });
  const users = [...byUser.keys()].sort((x, y) => x - y);
  const at = (f: 'n' | 'a' | 'b') => users.map((u) => byUser.get(u)![f]);
  return { users, n: at('n'), a: at('a'), b: at('b') };
}

/** A row's test numbers at an evaluation: from the per-user sums (rating) or the cell's ranking. */
function testNumbers(
  job: SequenceJobSpec,
  row: string,
  test: ScenarioRecord,
  users: Partial<Record<Scenario, CellUsers>>,
): RowResult['test'] {
  const out: RowResult['test'] = {};
  for (const scenario of SCENARIOS) {
    const cell = users[scenario];
    if (!cell) continue;
    const count = cell.n.reduce((s, v) => s + v, 0);
    if (job.kind === 'rating') {
      const { a, b } = cell.rows[row]!;
      out[scenario] = {
        ratings: count,
        users: cell.users.length,
        mae: a.reduce((s, v) => s + v, 0) / count,
        rmse: Math.sqrt(b.reduce((s, v) => s + v, 0) / count),
      };
    } else {
      const m = test[scenario]?.ranking;
      const r =
        row === job.name
          ? m?.after
          : row === `${job.name} before`
            ? m?.before
            : m?.learners?.[row === `${job.name} ID` ? 'id' : 'text'];
      if (r) out[scenario] = { ...r, users: cell.users.length };
    }
  }
  return out;
}

/**
 * Trains `config` (the job's preset with the seed, every test task, evaluation every 2nd epoch, no
 * built-in baselines) and returns its rows at their validation picks among `evaluateAt`.
 */
export async function runSequenceJob(
  dataset: Dataset,
  job: SequenceJobSpec,
  config: TrainConfig,
  evaluateAt: readonly number[],
  backend: Backend,
  log: (line: string) => void = () => {},
): Promise<SequenceResult> {
  const input: ExperimentInput = experimentInput(dataset, config, backend);
  const global = meanTrainingRating(input.split.train);
  const evaluations: Evaluation[] = [];
  let pending: Partial<Record<Scenario, CellUsers>> = {};
  const cell = (scenario: Scenario, users: number[], n: number[]) =>
    (pending[scenario] ??= { users, n, rows: {} });
  let failure: { code: string; message: string } | null = null;
  const t0 = performance.now();
  const summary = await runExperiment(
    input,
    (e: TrainEvent) => {
      if (e.type === 'evaluated') {
        evaluations.push({ epoch: e.epoch, validation: e.validation, test: e.test, users: pending });
        pending = {};
        if (e.epoch > 0) log(`evaluated epoch ${e.epoch} (${e.seconds.toFixed(1)} s)`);
      }
      if (e.type === 'epoch') log(`epoch ${e.record.epoch}: train loss ${e.record.trainLoss.toFixed(4)}`);
      if (e.type === 'failed') failure = { code: e.code, message: e.message };
    },
    {
      onTestPredictions: (_epoch, scenario, set, p) => {
        const after = userErrorsOf(set, p.taskIds, p.after);
        const c = cell(scenario, after.users, after.n);
        c.rows[job.name] = { a: after.abs, b: after.sq };
        const s = ratingSums(set, p.taskIds, supportMeanSet(set, p, config.sequenceWindow, global), c.users);
        c.rows[SUPPORT_MEAN] = { a: s.a, b: s.b };
      },
      onTestRanks: (_epoch, scenario, set, r) => {
        const keys = {
          after: job.name,
          before: `${job.name} before`,
          id: `${job.name} ID`,
          text: `${job.name} text`,
        };
        for (const [key, ranks] of Object.entries(r.ranks)) {
          const s = rankSums(set, r, ranks);
          const c = cell(scenario, s.users, s.n);
          if (s.users.join() !== c.users.join())
            throw new Error('Expected the same test users for every ranking');
          c.rows[keys[key as keyof typeof keys]] = { a: s.a, b: s.b };
        }
      },
    },
  );
  const failed = failure as { code: string; message: string } | null;
  if (failed && failed.code !== 'diverged')
    throw new Error(`the run failed (${failed.code}: ${failed.message})`);
  const candidates = evaluations.filter((e) => evaluateAt.includes(e.epoch));
  const missing = evaluateAt.filter((epoch) => !candidates.some((e) => e.epoch === epoch));
  if (missing.length && !failed)
    throw new Error(`Expected evaluations at epochs ${evaluateAt.join(', ')}; missing ${missing.join(', ')}`);
  if (failed)
    log(
      `diverged (${failed.message}); picking among epochs ${candidates.map((e) => e.epoch).join(', ') || 'none'}`,
    );
  const rows: Record<string, RowResult> = {};
  const users: Partial<Record<Scenario, CellUsers>> = {};
  const validation = candidates.map((e) => ({
    epoch: e.epoch,
    scores: Object.fromEntries(
      rowsOf(job)
        .filter((row) => row !== SUPPORT_MEAN)
        .map((row) => [row, validationScore(job, row, e.validation)]),
    ),
  }));
  for (const row of candidates.length ? rowsOf(job) : []) {
    // the support mean predicts the same at every epoch: its numbers from the first candidate
    let best = candidates[0]!;
    let bestScore = row === SUPPORT_MEAN ? NaN : validationScore(job, row, best.validation);
    if (row !== SUPPORT_MEAN)
      for (const e of candidates.slice(1)) {
        const score = validationScore(job, row, e.validation);
        if (score > bestScore || (Number.isNaN(bestScore) && !Number.isNaN(score))) {
          best = e;
          bestScore = score;
        }
      }
    for (const scenario of SCENARIOS) {
      const from = best.users[scenario];
      if (!from) continue;
      const into = (users[scenario] ??= { users: from.users, n: from.n, rows: {} });
      into.rows[row] = from.rows[row]!;
    }
    rows[row] = {
      epoch: row === SUPPORT_MEAN ? 0 : best.epoch,
      validation: job.kind === 'rating' ? -bestScore : bestScore,
      test: testNumbers(job, row, best.test, best.users),
    };
  }
  return {
    ...(failed ? { diverged: failed.message } : {}),
    seconds: (performance.now() - t0) / 1000,
    parameters: summary.parameters,
    validation: validation.map((v) => ({
      epoch: v.epoch,
      scores: Object.fromEntries(
        Object.entries(v.scores).map(([k, s]) => [k, job.kind === 'rating' ? -s : s]),
      ),
    })),
    rows,
    users,
  };
}
