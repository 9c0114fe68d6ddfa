/**
 * How the page shows a ranking model's cells (MML: next-item ranking, its rating fields NaN): which
 * ranking metrics replace MAE/RMSE in the curves and the runs table, read from a cell's `ranking`
 * report (pure: no React). A cell without a report is a rating cell and keeps its MAE.
 */
import type { ScenarioMetrics } from '../../worker/protocol';

type Report = NonNullable<ScenarioMetrics['ranking']>;
type Metrics = Report['after'];
export type RankingKey = 'recall10' | 'ndcg10' | 'mrr10';

/** The ranking metrics the notebook draws, after adaptation and before it (the meta-learned init). */
export const RANKING_METRICS: readonly { key: RankingKey; title: string; unit: string }[] = [
  { key: 'recall10', title: 'Recall@10', unit: 'Recall@10 (0–1)' },
  { key: 'ndcg10', title: 'NDCG@10', unit: 'NDCG@10 (0–1)' },
  { key: 'mrr10', title: 'MRR@10', unit: 'MRR@10 (0–1)' },
];

/** Whether a run's cells are ranking cells: its model is MML, or a cell carries a ranking report. */
export function isRankingRun(
  model: string | undefined,
  cells: readonly (ScenarioMetrics | undefined)[],
): boolean {
  return model === 'mml' || cells.some((c) => c?.ranking !== undefined);
}

/** One ranking metric of a cell, after adaptation or before it; NaN when the cell has no report. */
export function rankingValue(
  m: ScenarioMetrics | undefined,
  key: RankingKey,
  when: 'after' | 'before',
): number {
  const r = m?.ranking?.[when];
  return r ? r[key] : NaN;
}

/** A learner's report within a cell ('fused' = the model's after-adaptation row); null when absent. */
export function learnerMetrics(m: ScenarioMetrics | undefined, learner: string): Metrics | null {
  if (!m?.ranking) return null;
  if (learner === 'fused') return m.ranking.after;
  return m.ranking.learners?.[learner] ?? null;
}

const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '–');

/**
 * The runs table's per-scenario cell: MAE for a rating cell, Recall@10 (with NDCG@10 and MRR@10 in
 * the tooltip) for a ranking cell; '–' for a missing or NaN value, never "NaN".
 */
export function scenarioCell(m: ScenarioMetrics | undefined): { text: string; title: string } {
  if (!m) return { text: '–', title: 'not evaluated' };
  if (m.ranking) {
    const a = m.ranking.after;
    const b = m.ranking.before;
    return {
      text: `R@10 ${f3(a.recall10)}`,
      title: `ranking (MML), after adaptation: Recall@10 ${f3(a.recall10)}, NDCG@10 ${f3(a.ndcg10)}, MRR@10 ${f3(a.mrr10)}; before: Recall@10 ${f3(b.recall10)}, NDCG@10 ${f3(b.ndcg10)}, MRR@10 ${f3(b.mrr10)} (${a.cases} cases)`,
    };
  }
  return { text: f3(m.mae), title: `MAE ${f3(m.mae)}, RMSE ${f3(m.rmse)}` };
}
