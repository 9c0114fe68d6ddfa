// MML's views (pure): the weight rows and their two sorts, the stacked-bar traces, a new item's
// neighbour table, the fused-vs-learners table, and the ranking cells that replace MAE (never NaN).
import { describe, expect, it } from 'vitest';
import type { MmlInspection, ScenarioMetrics } from '../../worker/protocol';
import {
  itemLabel,
  learnerTable,
  modalityBarTraces,
  neighbourRows,
  rowAtBar,
  sortWeightRows,
  weightRows,
} from './mmlFigures';
import { isRankingRun, rankingValue, scenarioCell } from './rankingView';

const INSP: MmlInspection = {
  learners: ['id', 'text'],
  users: Int32Array.from([7, 3, 5]),
  scenarios: Uint8Array.from([0, 1, 0]),
  tasks: Int32Array.from([0, 0, 1]),
  weights: Float32Array.from([0.25, 0.75, 0.9, 0.1, 0.5, 0.5]),
  newItems: Int32Array.from([40, 41]),
  k: 3,
  neighbours: Int32Array.from([1, 2, 3, 4, 5, 6]),
  attention: Float32Array.from([0.2, 0.5, 0.3, 0.1, 0.1, 0.8]),
};

const ranks = (x: number) => ({
  cases: 10,
  recall5: x,
  recall10: x,
  recall20: x,
  mrr5: x / 2,
  mrr10: x / 2,
  mrr20: x / 2,
  ndcg5: x / 3,
  ndcg10: x / 3,
  ndcg20: x / 3,
});
const cell = (learners?: Record<string, number>): ScenarioMetrics =>
  ({
    mae: NaN,
    rmse: NaN,
    ndcg3: NaN,
    loss: NaN,
    tasks: 2,
    users: 2,
    ratings: 10,
    maeBefore: NaN,
    rmseBefore: NaN,
    ndcg3Before: NaN,
    lossBefore: NaN,
    ranking: {
      after: ranks(0.6),
      before: ranks(0.3),
      ...(learners
        ? { learners: Object.fromEntries(Object.entries(learners).map(([k, v]) => [k, ranks(v)])) }
        : {}),
    },
  }) as ScenarioMetrics;

describe('MML figures', () => {
  it('reads one row per evaluated task, labelled by raw id where known', () => {
    const rows = weightRows(INSP, (s, t) => (s === 'warm' && t === 0 ? 1007 : undefined));
    expect(rows.map((r) => r.label)).toEqual(['user 1007 · warm', 'user #3 · new user', 'user #5 · warm']);
    expect(rows[1]!.weights[0]).toBeCloseTo(0.9);
    expect(rows[1]!.scenario).toBe('user_cold');
  });
  it('sorts by the ID weight (descending) or by user id', () => {
    const rows = weightRows(INSP);
    expect(sortWeightRows(rows, 'id-weight', INSP.learners).map((r) => r.user)).toEqual([3, 5, 7]);
    expect(sortWeightRows(rows, 'user', INSP.learners).map((r) => r.user)).toEqual([3, 5, 7]);
    const flipped = rows.map((r) => ({ ...r, weights: [1 - r.weights[0]!, r.weights[0]!] }));
    expect(sortWeightRows(flipped, 'id-weight', INSP.learners).map((r) => r.user)).toEqual([7, 5, 3]);
    expect(rows.map((r) => r.user)).toEqual([7, 3, 5]); // not sorted in place
  });
  it('stacks one horizontal bar trace per learner, the first row on top', () => {
    const rows = sortWeightRows(weightRows(INSP), 'user', INSP.learners);
    const { data, points } = modalityBarTraces(rows, INSP.learners);
    expect(points).toBe(6);
    expect(data.map((d) => (d as { name: string }).name)).toEqual(['ID weight', 'text weight']);
    const id = data[0] as { orientation: string; x: number[]; y: string[] };
    expect(id.orientation).toBe('h');
    expect(id.y[id.y.length - 1]).toBe(rows[0]!.label);
    const text = data[1] as { x: number[] };
    id.x.forEach((w, i) => expect(w + text.x[i]!).toBeCloseTo(1));
  });
  it("maps a clicked bar back to its row's scenario and task (the drill-down link)", () => {
    const rows = sortWeightRows(weightRows(INSP), 'user', INSP.learners);
    const { data } = modalityBarTraces(rows, INSP.learners);
    const y = (data[0] as { y: string[] }).y;
    y.forEach((label, i) => expect(rowAtBar(rows, i)!.label).toBe(label));
    expect(rowAtBar(rows, 0)).toBe(rows[rows.length - 1]);
    expect(rowAtBar(rows, rows.length)).toBeNull();
  });
  it("lists a new item's neighbours by attention, highest first", () => {
    expect(neighbourRows(INSP, 0).map((r) => r.item)).toEqual([2, 3, 1]);
    expect(neighbourRows(INSP, 1)[0]).toEqual({ item: 6, attention: expect.closeTo(0.8), label: 'item #6' });
    expect(neighbourRows(INSP, 2)).toEqual([]);
    // with the run's titles: "Title (#i)"
    const named = { ...INSP, titles: { 6: 'Toy Story (1995)' } };
    expect(neighbourRows(named, 1)[0]!.label).toBe('Toy Story (1995) (#6)');
    expect(itemLabel(named, 40)).toBe('item #40');
  });
  it('compares fused with each learner per scenario, and says whether fusion beats ID', () => {
    const table = learnerTable({
      warm: cell({ id: 0.9, text: 0.3 }),
      item_cold: cell({ id: 0.3, text: 0.2 }),
    });
    expect(table.map((t) => t.scenario)).toEqual(['warm', 'item_cold']);
    expect(table[0]!.rows.map((r) => r.learner)).toEqual(['fused', 'id', 'text']);
    expect(table[0]!.rows[0]!.values.map((v) => +v.toFixed(6))).toEqual([0.6, 0.2, 0.3]);
    expect(table[0]!.fusionBeatsId).toBe(false);
    expect(table[1]!.fusionBeatsId).toBe(true);
    expect(learnerTable({ warm: cell() })[0]!.fusionBeatsId).toBeNull();
  });
  it('shows a ranking cell by its Recall@10, never NaN; a rating cell by its MAE', () => {
    const c = cell();
    expect(scenarioCell(c).text).toBe('R@10 0.600');
    expect(scenarioCell(c).title).toMatch(/NDCG@10 0\.200.*before: Recall@10 0\.300/);
    expect(scenarioCell(c).title).not.toMatch(/NaN/);
    expect(scenarioCell({ ...c, ranking: undefined, mae: 0.81234 } as ScenarioMetrics).text).toBe('0.812');
    expect(scenarioCell({ ...c, ranking: undefined } as ScenarioMetrics).text).toBe('–');
    expect(scenarioCell(undefined).text).toBe('–');
    expect(rankingValue(c, 'mrr10', 'before')).toBeCloseTo(0.15);
    expect(rankingValue(undefined, 'mrr10', 'after')).toBeNaN();
    expect(isRankingRun('mml', [])).toBe(true);
    expect(isRankingRun('mamo', [undefined, c])).toBe(true);
    expect(isRankingRun('mamo', [{ ...c, ranking: undefined } as ScenarioMetrics])).toBe(false);
  });
});
