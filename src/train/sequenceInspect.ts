/**
 * What a finished (or stopped) MELO or MML run keeps to answer the Users drill-down: its learned
 * records, owned by a RetainedSequence (one dispose), and one test task's window read through the same
 * code as the evaluation (meloEvaluate.ts predictWindows; mmlEvaluate.ts queryCases/windowScores and
 * ranking.ts rankOf), so a task's answer is what the evaluation computed for it.
 *
 * A task's window (meloWindows.ts evaluationWindow): support ++ query in time order, the earliest
 * support positions dropped beyond the window length. Items are ItemIndex; the worker names them.
 */
import type * as tf from '@tensorflow/tfjs';
import type { TrainConfig } from '../config/experiment';
import type { TaskSet } from '../data/scenarios/types';
import type { Modality } from '../models/mml';
import { disposeParams, type ParamRecord } from '../models/params';
import type { SequenceDims } from '../models/sequence';
import { predictWindows } from './meloEvaluate';
import type { MeloState } from './meloMeta';
import { evaluationWindow, type Window } from './meloWindows';
import {
  caseScores,
  generatedTable,
  queryCases,
  windowScores,
  type GeneratorTables,
  type MmlState,
} from './mmlEvaluate';
import type { MmlContext } from './mmlMeta';
import { rankOf } from './ranking';

/** How many items an MML answer lists per query position (by fused score after adaptation). */
export const TOP_ITEMS = 5;

interface WindowAnswer {
  /** The window's items (ItemIndex) and ratings, time order; positions 0..support-1 are support. */
  readonly items: readonly number[];
  readonly ratings: readonly number[];
  readonly support: number;
  /** Support positions of the task left out of the window (the earliest). */
  readonly dropped: number;
  /** Local steps taken on the support. */
  readonly steps: number;
}

/** One test task's answer: MELO rates every query position, MML ranks each next item. */
export type SequenceTaskAnswer =
  | (WindowAnswer & {
      readonly kind: 'rating';
      /** Per query position (window positions support..end): the prediction before/after the steps. */
      readonly before: readonly number[];
      readonly after: readonly number[];
    })
  | (WindowAnswer & {
      readonly kind: 'ranking';
      /** Candidates per case: every item (the padding row excluded). */
      readonly candidates: number;
      /** Per case (a window position with an item before it): ranks 1..candidates, top items. */
      readonly cases: readonly {
        readonly position: number;
        readonly rankBefore: number;
        readonly rankAfter: number;
        /** ItemIndex of the TOP_ITEMS best fused scores after adaptation, best first. */
        readonly top: readonly number[];
      }[];
    });

/** A sequence run's learned state, kept after the run for the drill-down; the holder disposes it. */
export interface RetainedSequence {
  inspectTask(set: TaskSet, task: number): Promise<SequenceTaskAnswer>;
  dispose(): void;
}

function windowOf(set: TaskSet, task: number, length: number): { window: Window; dropped: number } {
  const window = evaluationWindow(set, task, length);
  const dropped = set.supportOffsets[task + 1]! - set.supportOffsets[task]! - window.support;
  return { window, dropped };
}

const answerBase = (window: Window, dropped: number, steps: number): WindowAnswer => ({
  items: Array.from(window.items),
  ratings: Array.from(window.ratings),
  support: window.support,
  dropped,
  steps,
});

/** MELO: takes ownership of `state` (theta, rates, phi). */
export function retainMelo(
  state: MeloState,
  dims: SequenceDims,
  config: { readonly steps: number; readonly weighting: TrainConfig['lossWeighting'] },
): RetainedSequence {
  return {
    async inspectTask(set, task) {
      const { window, dropped } = windowOf(set, task, dims.length);
      const p = await predictWindows(state, dims, [window], config);
      const query = Array.from(
        { length: window.items.length - window.support },
        (_, k) => window.support + k,
      );
      return {
        kind: 'rating',
        ...answerBase(window, dropped, config.steps),
        before: query.map((l) => p.before[l]!),
        after: query.map((l) => p.after[l]!),
      };
    },
    dispose() {
      disposeParams(state.theta);
      disposeParams(state.rates);
      if (state.phi) disposeParams(state.phi);
    },
  };
}

/** The TOP_ITEMS rows (ItemIndex + 1) of the highest scores, padding row 0 excluded; ties by row. */
export function topRows(scores: ArrayLike<number>, count = TOP_ITEMS): number[] {
  const rows = Array.from({ length: scores.length - 1 }, (_, i) => i + 1);
  rows.sort((a, b) => scores[b]! - scores[a]! || a - b);
  return rows.slice(0, count);
}

/**
 * MML: takes ownership of the learners, fusion, generator and the text table (ctx.text). The
 * generated ID rows of unseen items are made per answer, as the evaluation makes them.
 */
export function retainMml(
  state: MmlState,
  ctx: MmlContext,
  tables: GeneratorTables | null,
): RetainedSequence {
  const modalities = (Object.keys(state.learners) as Modality[]).sort();
  return {
    async inspectTask(set, task) {
      const { window, dropped } = windowOf(set, task, ctx.dims.length);
      const cases = queryCases([window], ctx.dims.length);
      const idTable: tf.Tensor2D | null = tables ? generatedTable(state, ctx, tables) : null;
      let scores: Awaited<ReturnType<typeof windowScores>>;
      try {
        scores = await windowScores(state, ctx, idTable, modalities, [window], cases.rows);
      } finally {
        idTable?.dispose();
      }
      return {
        kind: 'ranking',
        ...answerBase(window, dropped, ctx.steps),
        candidates: scores.n - 1,
        cases: cases.rows.map((row, c) => {
          const after = caseScores(scores.after, scores.n, c);
          return {
            position: row + 1,
            rankBefore: rankOf(caseScores(scores.before, scores.n, c), cases.targets[c]!),
            rankAfter: rankOf(after, cases.targets[c]!),
            top: topRows(after).map((r) => r - 1),
          };
        }),
      };
    },
    dispose() {
      for (const r of [...Object.values(state.learners), state.fusion, state.generator])
        if (r) disposeParams(r as unknown as ParamRecord);
      ctx.text?.dispose();
    },
  };
}
