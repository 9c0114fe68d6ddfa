/**
 * The Users drill-down of a MELO or MML run (panels/SequenceDrilldown.tsx), pure: the window's rows in
 * time order (support, then query) and the one-line summary of what adaptation did for the user.
 * - MELO ('rating'): query MAE before and after the local steps (predictions as given, unclipped).
 * - MML ('ranking'): per query position the true item's rank before/after; summarised as how many
 *   ranks improved, and Recall@10 / MRR@10 before and after (ranking.ts's definitions, one task).
 */
import type { NamedItem, SequenceInspection } from '../../worker/protocol';

/** One row of the window table: a support or query position. */
export interface WindowRow {
  readonly position: number;
  readonly role: 'support' | 'query';
  readonly title: string;
  readonly rating: number;
  /** MELO query rows: predictions; MML query rows: the true item's ranks (1 = best). */
  readonly before: number | null;
  readonly after: number | null;
  /** 'better' when adaptation moved the prediction toward the truth (or the rank up), else 'worse'/'same'. */
  readonly change: 'better' | 'worse' | 'same' | null;
  /** MML: the top items after adaptation. */
  readonly top: readonly NamedItem[] | null;
}

const changeOf = (before: number, after: number): WindowRow['change'] =>
  after < before ? 'better' : after > before ? 'worse' : 'same';

/** The window's rows in time order: support positions, then the query positions. */
export function windowRows(s: SequenceInspection): WindowRow[] {
  const support: WindowRow[] = s.support.map((p) => ({
    position: p.position,
    role: 'support',
    title: p.title,
    rating: p.rating,
    before: null,
    after: null,
    change: null,
    top: null,
  }));
  const query: WindowRow[] =
    s.kind === 'rating'
      ? s.query.map((q) => ({
          position: q.position,
          role: 'query',
          title: q.title,
          rating: q.rating,
          before: q.before,
          after: q.after,
          change: changeOf(Math.abs(q.before - q.rating), Math.abs(q.after - q.rating)),
          top: null,
        }))
      : s.query.map((q) => ({
          position: q.position,
          role: 'query',
          title: q.title,
          rating: q.rating,
          before: q.rankBefore,
          after: q.rankAfter,
          change: changeOf(q.rankBefore, q.rankAfter),
          top: q.top,
        }));
  return [...support, ...query].sort((a, b) => a.position - b.position);
}

/** MELO's query MAE before/after, or MML's Recall@10 and MRR@10 before/after and ranks improved. */
export type WindowSummary =
  | { readonly kind: 'rating'; readonly n: number; readonly maeBefore: number; readonly maeAfter: number }
  | {
      readonly kind: 'ranking';
      readonly n: number;
      /** Items ranked per position. */
      readonly candidates: number;
      readonly recallBefore: number;
      readonly recallAfter: number;
      readonly mrrBefore: number;
      readonly mrrAfter: number;
      readonly improved: number;
    };

const AT = 10;
const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

export function windowSummary(s: SequenceInspection): WindowSummary {
  if (s.kind === 'rating')
    return {
      kind: 'rating',
      n: s.query.length,
      maeBefore: mean(s.query.map((q) => Math.abs(q.before - q.rating))),
      maeAfter: mean(s.query.map((q) => Math.abs(q.after - q.rating))),
    };
  const recall = (r: number) => (r <= AT ? 1 : 0);
  const mrr = (r: number) => (r <= AT ? 1 / r : 0);
  return {
    kind: 'ranking',
    n: s.query.length,
    candidates: s.candidates,
    recallBefore: mean(s.query.map((q) => recall(q.rankBefore))),
    recallAfter: mean(s.query.map((q) => recall(q.rankAfter))),
    mrrBefore: mean(s.query.map((q) => mrr(q.rankBefore))),
    mrrAfter: mean(s.query.map((q) => mrr(q.rankAfter))),
    improved: s.query.filter((q) => q.rankAfter < q.rankBefore).length,
  };
}
