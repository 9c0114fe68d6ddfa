/**
 * MML's evaluation (mmlRun.ts): for the sampled tasks of each cell, every learner adapted on the
 * task's support (first-order local steps), the next item of each query position ranked over ALL items
 * (full ranking, only the padding row excluded; ranking.ts) by the fused scores (or the one learner's),
 * before and after adaptation, and by each learner alone; per evaluated test task the fusion weights,
 * and the generator's neighbours and attention for a capped sample of the test cells' new items;
 * `onTest` receives each test cell's ranks per case (src/experiment/sequenceJob.ts keeps them per user).
 */
import * as tf from '@tensorflow/tfjs';
import { SCENARIOS, type Scenario, type ScenarioTasks, type TaskSet } from '../data/scenarios/types';
import { yieldToEventLoop } from '../lib/yield';
import {
  fusedScores,
  fusionWeights,
  type FusionParams,
  type LearnerParams,
  type Modality,
} from '../models/mml';
import { generate, withRows, type GeneratorParams } from '../models/mmlGenerator';
import type { ExperimentInput, TestRanks } from './epochs';
import type { MmlInspection, ScenarioMetrics, ScenarioRecord } from './events';
import { disposeMmlBatch, learnerOutputs, mmlBatch, type MmlContext } from './mmlMeta';
import { evaluationWindow, type Window } from './meloWindows';
import { rankingMetrics, rankOf, type RankingMetrics } from './ranking';
import type { evaluationSample } from './sample';

/** The learned records of a run (the learners present, fusion with two learners, the generator). */
export interface MmlState {
  readonly learners: Partial<Record<Modality, LearnerParams>>;
  readonly fusion: FusionParams | null;
  readonly generator: GeneratorParams | null;
}

/** The generator's inputs: every item's K text neighbours among training items (rows), the unseen rows. */
export interface GeneratorTables {
  /** [(I+1) x K] neighbour rows of every row (row 0 unused). */
  readonly neighbours: Int32Array;
  readonly k: number;
  /** Rows (ItemIndex + 1) of items in no training task: their ID rows are generated. */
  readonly unseen: Int32Array;
}

/** E with the unseen rows generated (g_i), or null without an ID learner or generator. */
export function generatedTable(
  state: MmlState,
  ctx: MmlContext,
  tables: GeneratorTables,
): tf.Tensor2D | null {
  const id = state.learners.id;
  if (!id || !state.generator || !ctx.text || tables.unseen.length === 0) return null;
  return tf.tidy(() => {
    const items = tf.tensor1d(tables.unseen, 'int32');
    const nb = tf.tensor2d(
      rowsOf(tables.neighbours, tables.k, tables.unseen),
      [tables.unseen.length, tables.k],
      'int32',
    );
    const table = id.itemEmb as tf.Tensor2D;
    return withRows(table, items, generate(state.generator!, ctx.text!, table, items, nb).embedding);
  });
}

/** The K neighbour rows of each of `rows`, flat [rows x K]. */
function rowsOf(neighbours: Int32Array, k: number, rows: ArrayLike<number>): Int32Array {
  const out = new Int32Array(rows.length * k);
  for (let r = 0; r < rows.length; r++) out.set(neighbours.subarray(rows[r]! * k, rows[r]! * k + k), r * k);
  return out;
}

/**
 * The query cases of windows: flat row j L + l (window j, position l) predicts the item at l + 1, for
 * l from max(0, support - 1); `targets` are rows of the item table (ItemIndex + 1); `ends[j]` = the
 * number of cases of windows 0..j.
 */
export function queryCases(
  windows: readonly Window[],
  length: number,
): { rows: number[]; targets: number[]; ends: number[] } {
  const rows: number[] = [];
  const targets: number[] = [];
  const ends: number[] = [];
  windows.forEach((w, j) => {
    for (let l = Math.max(0, w.support - 1); l + 1 < w.items.length; l++) {
      rows.push(j * length + l);
      targets.push(w.items[l + 1]! + 1);
    }
    ends.push(rows.length);
  });
  return { rows, targets, ends };
}

/** Case c's scores over the n item rows (row 0 the padding). */
export const caseScores = (scores: Float32Array, n: number, c: number) => scores.subarray(c * n, (c + 1) * n);

/**
 * Every learner adapted on each window's support; on the host, per case (rows of queryCases) the
 * scores of all n item rows, flat [cases x n]: fused after and before adaptation (the one learner's
 * without fusion), each learner's own after; and the fusion weights per window [T x width].
 */
export async function windowScores(
  state: MmlState,
  ctx: MmlContext,
  idTable: tf.Tensor2D | null,
  modalities: readonly Modality[],
  windows: readonly Window[],
  rows: readonly number[],
): Promise<{
  weights: Float32Array;
  width: number;
  after: Float32Array;
  before: Float32Array;
  learners: Float32Array[];
  n: number;
}> {
  const batch = mmlBatch(windows, ctx.dims.length);
  const parts = tf.tidy(() => {
    const pick = (s: tf.Tensor) =>
      tf.gather(tf.reshape(s, [-1, s.shape[2]!]), tf.tensor1d(Int32Array.from(rows), 'int32'));
    const outputs = modalities.map((m) =>
      learnerOutputs(state.learners[m]!, ctx, batch, m === 'id' && idTable ? idTable : undefined),
    );
    const weightsOf = (reps: tf.Tensor2D[]) =>
      state.fusion && modalities.length > 1
        ? fusionWeights(state.fusion, modalities, reps)
        : (tf.ones([windows.length, 1]) as tf.Tensor2D);
    const after = weightsOf(outputs.map((o) => o.reps));
    const before = weightsOf(outputs.map((o) => o.repsBefore));
    return [
      after,
      pick(
        fusedScores(
          after,
          outputs.map((o) => o.scores),
        ),
      ),
      pick(
        fusedScores(
          before,
          outputs.map((o) => o.scoresBefore),
        ),
      ),
      ...outputs.map((o) => pick(o.scores)),
    ];
  });
  disposeMmlBatch(batch);
  try {
    const host = (await Promise.all(parts.map((t) => t.data()))) as Float32Array[];
    return {
      weights: host[0]!,
      width: parts[0]!.shape[1]!,
      after: host[1]!,
      before: host[2]!,
      learners: host.slice(3),
      n: parts[1]!.shape[1]!,
    };
  } finally {
    parts.forEach((t) => t.dispose());
  }
}

const NAN_ERRORS = { mae: NaN, rmse: NaN, maeUser: NaN, rmseUser: NaN, ndcg3: NaN, loss: NaN };

/** Ranking metrics per non-empty cell of the roles; the test role's fusion weights per task. */
export async function evaluateMml(
  state: MmlState,
  input: ExperimentInput,
  ctx: MmlContext,
  tables: GeneratorTables | null,
  sample: ReturnType<typeof evaluationSample>,
  roles: readonly ('validation' | 'test')[],
  onTest?: (scenario: Scenario, set: TaskSet, ranks: TestRanks) => void,
): Promise<{ test: ScenarioRecord; validation: ScenarioRecord; inspection: MmlInspection | null }> {
  const { split } = input;
  const modalities = (Object.keys(state.learners) as Modality[]).sort();
  const length = ctx.dims.length;
  const idTable = tables ? generatedTable(state, ctx, tables) : null;
  const out: { test: ScenarioRecord; validation: ScenarioRecord } = { test: {}, validation: {} };
  const weightRows = {
    users: [] as number[],
    scenarios: [] as number[],
    tasks: [] as number[],
    weights: [] as number[],
  };
  try {
    for (const role of roles) {
      const sets: ScenarioTasks = split[role];
      for (const [si, scenario] of SCENARIOS.entries()) {
        const set = sets[scenario];
        if (set.count === 0) continue;
        const taskIds = sample.tasks(role, scenario, set.count);
        const ranks = {
          after: [] as number[],
          before: [] as number[],
          id: [] as number[],
          text: [] as number[],
        };
        const offsets = new Int32Array(taskIds.length + 1);
        for (let k0 = 0; k0 < taskIds.length; k0 += 64) {
          const ids = Array.from(taskIds.subarray(k0, k0 + 64));
          const windows = ids.map((t) => evaluationWindow(set, t, length));
          const cases = queryCases(windows, length);
          windows.forEach((_, j) => (offsets[k0 + j + 1] = ranks.after.length + cases.ends[j]!));
          const scores = await windowScores(state, ctx, idTable, modalities, windows, cases.rows);
          for (let c = 0; c < cases.rows.length; c++) {
            const rank = (s: Float32Array) => rankOf(caseScores(s, scores.n, c), cases.targets[c]!);
            ranks.after.push(rank(scores.after));
            ranks.before.push(rank(scores.before));
            if (modalities.length > 1) modalities.forEach((m, k) => ranks[m].push(rank(scores.learners[k]!)));
          }
          if (role === 'test')
            ids.forEach((t, j) => {
              weightRows.users.push(set.users[t]!);
              weightRows.scenarios.push(si);
              weightRows.tasks.push(t);
              for (let m = 0; m < modalities.length; m++)
                weightRows.weights.push(scores.weights[j * scores.width + m]!);
            });
          await yieldToEventLoop();
        }
        if (role === 'test' && onTest) {
          const r: Partial<Record<keyof typeof ranks, Int32Array>> = {};
          for (const [key, values] of Object.entries(ranks))
            if (values.length) r[key as keyof typeof ranks] = Int32Array.from(values);
          onTest(scenario, set, { taskIds, offsets, ranks: r });
        }
        const learners: Record<string, RankingMetrics> = {};
        if (modalities.length > 1) for (const m of modalities) learners[m] = rankingMetrics(ranks[m]);
        const metrics: ScenarioMetrics = {
          tasks: taskIds.length,
          users: new Set(Array.from(taskIds, (t) => set.users[t]!)).size,
          ratings: ranks.after.length,
          ...NAN_ERRORS,
          maeBefore: NaN,
          rmseBefore: NaN,
          ndcg3Before: NaN,
          lossBefore: NaN,
          ranking: {
            after: rankingMetrics(ranks.after),
            before: rankingMetrics(ranks.before),
            ...(modalities.length > 1 ? { learners } : {}),
          },
        };
        out[role][scenario] = metrics;
      }
    }
    const inspection = roles.includes('test')
      ? await inspect(state, input, ctx, tables, split.test, modalities, weightRows)
      : null;
    return { ...out, inspection };
  } finally {
    idTable?.dispose();
  }
}

/** At most this many new items' neighbours per evaluation. */
const NEIGHBOUR_SAMPLE = 50;

async function inspect(
  state: MmlState,
  input: ExperimentInput,
  ctx: MmlContext,
  tables: GeneratorTables | null,
  test: ScenarioTasks,
  modalities: readonly Modality[],
  w: { users: number[]; scenarios: number[]; tasks: number[]; weights: number[] },
): Promise<MmlInspection> {
  // the new items of the test cells' queries, ascending, capped
  const items = new Set<number>();
  for (const set of [test.item_cold, test.user_item_cold]) for (const i of set.queryItems) items.add(i);
  const sample = Int32Array.from([...items].sort((a, b) => a - b).slice(0, NEIGHBOUR_SAMPLE));
  let neighbours = new Int32Array(0);
  let attention: Float32Array = new Float32Array(0);
  const k = tables && state.generator && state.learners.id && ctx.text && sample.length ? tables.k : 0;
  if (k > 0) {
    const rows = Int32Array.from(sample, (i) => i + 1);
    const nb = rowsOf(tables!.neighbours, k, rows);
    const alpha = tf.tidy(
      () =>
        generate(
          state.generator!,
          ctx.text!,
          state.learners.id!.itemEmb as tf.Tensor2D,
          tf.tensor1d(rows, 'int32'),
          tf.tensor2d(nb, [rows.length, k], 'int32'),
        ).attention,
    );
    attention = Float32Array.from(await alpha.data());
    alpha.dispose();
    neighbours = Int32Array.from(nb, (r) => r - 1);
  }
  const titles: Record<number, string> = {};
  const named = input.layout.itemTitles;
  if (named && k > 0) for (const i of [...sample, ...neighbours]) titles[i] = named[i] ?? '';
  return {
    ...(named && k > 0 ? { titles } : {}),
    learners: [...modalities],
    users: Int32Array.from(w.users),
    scenarios: Uint8Array.from(w.scenarios),
    tasks: Int32Array.from(w.tasks),
    weights: Float32Array.from(w.weights),
    newItems: k > 0 ? sample : new Int32Array(0),
    k,
    neighbours,
    attention,
  };
}
