/**
 * MML's views from an evaluation's `mml` inspection and its ranking cells (pure: no React, no Plotly
 * import): the modality weights per evaluated test user as stacked horizontal bars (sortable), the
 * generator's neighbours of a new item with their attention, and per scenario the fused model against
 * each learner alone (ranking.learners).
 */
import { SCENARIOS, SCENARIO_SHORT, type Scenario } from '../../data/scenarios/types';
import type { Data } from '../charts/plotly';
import type { MmlInspection, ScenarioRecord } from '../../worker/protocol';
import { learnerMetrics, RANKING_METRICS } from './rankingView';

/** One evaluated test task: its user, scenario, task index and weight per learner (inspection order). */
export interface WeightRow {
  readonly user: number;
  readonly scenario: Scenario;
  readonly task: number;
  /** The row's label: the user's raw id where known (else its index) and the scenario. */
  readonly label: string;
  readonly weights: readonly number[];
}

export type WeightSort = 'id-weight' | 'user';

export const LEARNER_COLORS: Record<string, string> = { id: '#2f6fb0', text: '#d1782a' };
export const LEARNER_LABELS: Record<string, string> = { id: 'ID', text: 'text', fused: 'fused' };

/** The inspection's rows; `rawId` names a user (the page's test-task index), else "user #index". */
export function weightRows(
  insp: MmlInspection,
  rawId?: (scenario: Scenario, task: number) => number | undefined,
): WeightRow[] {
  const n = insp.learners.length;
  return Array.from(insp.users, (user, r) => {
    const scenario = SCENARIOS[insp.scenarios[r]!]!;
    const task = insp.tasks[r]!;
    const raw = rawId?.(scenario, task);
    return {
      user: raw ?? user,
      scenario,
      task,
      label: `${raw !== undefined ? `user ${raw}` : `user #${user}`} · ${SCENARIO_SHORT[scenario]}`,
      weights: Array.from(insp.weights.subarray(r * n, (r + 1) * n)),
    };
  });
}

/** Rows sorted by the ID learner's weight (descending) or by user id then scenario (ascending). */
export function sortWeightRows(
  rows: readonly WeightRow[],
  by: WeightSort,
  learners: readonly string[],
): WeightRow[] {
  const id = Math.max(0, learners.indexOf('id'));
  const order = (s: Scenario) => SCENARIOS.indexOf(s);
  return [...rows].sort((a, b) =>
    by === 'id-weight'
      ? b.weights[id]! - a.weights[id]! || a.user - b.user
      : a.user - b.user || order(a.scenario) - order(b.scenario),
  );
}

/**
 * Stacked horizontal bars, one trace per learner: y = row labels (the first row drawn at the top),
 * x = weight (each row sums to 1). `points` = the values drawn.
 */
export function modalityBarTraces(
  rows: readonly WeightRow[],
  learners: readonly string[],
): { data: Data[]; points: number } {
  const y = rows.map((r) => r.label).reverse();
  const data: Data[] = learners.map((learner, j) => ({
    type: 'bar',
    orientation: 'h',
    name: `${LEARNER_LABELS[learner] ?? learner} weight`,
    y,
    x: rows.map((r) => r.weights[j]!).reverse(),
    marker: { color: LEARNER_COLORS[learner] ?? '#888' },
    hovertemplate: `%{y}: ${LEARNER_LABELS[learner] ?? learner} %{x:.3f}<extra></extra>`,
  }));
  return { data, points: rows.length * learners.length };
}

/** The row of the bar at `pointIndex` of a modalityBarTraces trace (the traces list rows bottom-up). */
export function rowAtBar(rows: readonly WeightRow[], pointIndex: number): WeightRow | null {
  return rows[rows.length - 1 - pointIndex] ?? null;
}

/** A new item's K neighbours with their attention, highest first. */
export function neighbourRows(
  insp: MmlInspection,
  position: number,
): { readonly item: number; readonly attention: number; readonly label: string }[] {
  if (position < 0 || position >= insp.newItems.length) return [];
  const k = insp.k;
  return Array.from(insp.neighbours.subarray(position * k, (position + 1) * k), (item, j) => ({
    item,
    attention: insp.attention[position * k + j]!,
    label: itemLabel(insp, item),
  })).sort((a, b) => b.attention - a.attention);
}

/** "Title (#12)" when the run carries the item's title, else "item #12". */
export function itemLabel(insp: MmlInspection, item: number): string {
  const title = insp.titles?.[item];
  return title ? `${title} (#${item})` : `item #${item}`;
}

/** Per scenario cell with a ranking report: Recall/NDCG/MRR@10 of the fused model and each learner. */
export interface LearnerRow {
  readonly scenario: Scenario;
  /** 'fused' then the learners; value NaN where a learner has no report. */
  readonly rows: readonly { readonly learner: string; readonly values: readonly number[] }[];
  /** Whether fusion's NDCG@10 is above the ID learner's (null without both). */
  readonly fusionBeatsId: boolean | null;
}

export function learnerTable(record: ScenarioRecord): LearnerRow[] {
  const out: LearnerRow[] = [];
  for (const scenario of SCENARIOS) {
    const m = record[scenario];
    if (!m?.ranking) continue;
    const learners = Object.keys(m.ranking.learners ?? {});
    const rows = ['fused', ...learners].map((learner) => {
      const r = learnerMetrics(m, learner);
      return { learner, values: RANKING_METRICS.map(({ key }) => (r ? r[key] : NaN)) };
    });
    const id = learnerMetrics(m, 'id');
    const fusionBeatsId = learners.length && id ? m.ranking.after.ndcg10 > id.ndcg10 : null;
    out.push({ scenario, rows, fusionBeatsId });
  }
  return out;
}
