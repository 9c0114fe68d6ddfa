/**
 * Next-item ranking metrics (MML's Recall, MRR, NDCG @ 5, 10, 20; peers.md B.1), plain JS. Full
 * ranking: every item of the catalogue is a candidate, nothing is excluded but the padding row (not
 * the user's earlier items either, as RecBole's full mode with repeatable items). One case = one query
 * position with its one true next item, so
 *   rank        = 1 + #{j != target, j != padding : s_j >= s_target}   (ties rank above the target:
 *                 pessimistic, so a constant scorer gets the last rank, never the first)
 *   Recall@k    = mean over cases of 1[rank <= k]            (= HR@k with one true item)
 *   MRR@k       = mean of 1[rank <= k] / rank
 *   NDCG@k      = mean of 1[rank <= k] / log2(rank + 1)      (the ideal DCG of one true item is 1)
 */
export const RANKING_KS = [5, 10, 20] as const;
export type RankingK = (typeof RANKING_KS)[number];
export type RankingKey = `${'recall' | 'mrr' | 'ndcg'}${RankingK}`;

/** Metrics of a set of cases; `cases` = how many (all metrics NaN when 0). */
export type RankingMetrics = { readonly cases: number } & { readonly [K in RankingKey]: number };

/** Rank of `target` among scores s [items] (row `padding` is never a candidate; -1 for none). */
export function rankOf(scores: ArrayLike<number>, target: number, padding = 0): number {
  const s = scores[target]!;
  let rank = 1;
  for (let j = 0; j < scores.length; j++) if (j !== target && j !== padding && scores[j]! >= s) rank++;
  // a NaN score of the target ranks last
  return Number.isNaN(s) ? scores.length - (padding >= 0 ? 1 : 0) : rank;
}

/** Recall, MRR and NDCG at 5, 10, 20 of ranks (1-based) of the true items. */
export function rankingMetrics(ranks: ArrayLike<number>): RankingMetrics {
  const n = ranks.length;
  const out: Record<string, number> = { cases: n };
  for (const k of RANKING_KS) {
    let recall = 0;
    let mrr = 0;
    let ndcg = 0;
    for (let c = 0; c < n; c++) {
      const r = ranks[c]!;
      if (r > k) continue;
      recall += 1;
      mrr += 1 / r;
      ndcg += 1 / Math.log2(r + 1);
    }
    out[`recall${k}`] = n ? recall / n : NaN;
    out[`mrr${k}`] = n ? mrr / n : NaN;
    out[`ndcg${k}`] = n ? ndcg / n : NaN;
  }
  return out as RankingMetrics;
}

/** A cell's ranking metrics (MML): the model's after and before adaptation, and each learner's after. */
export interface RankingReport {
  readonly after: RankingMetrics;
  readonly before: RankingMetrics;
  /** With fusion: each learner alone after adaptation ('id', 'text'). */
  readonly learners?: Readonly<Record<string, RankingMetrics>>;
}
