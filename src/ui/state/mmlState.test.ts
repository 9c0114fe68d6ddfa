// An MML `evaluated` event through the worker protocol's message shape: it survives a structured clone
// (what postMessage and IndexedDB do) and the page's reducer keeps its `mml` inspection on the
// evaluation, with the ranking cells, so the MML panel and the replayed stored run draw the same data.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../config/experiment';
import { PRESETS } from '../../config/presets';
import type { FromWorker, MmlInspection, RunId, ScenarioMetrics, TrainEvent } from '../../worker/protocol';
import { latestEvaluation, replay } from './runState';
import { neighbourRows, weightRows } from './mmlFigures';

const ranks = {
  cases: 4,
  recall5: 0.5,
  recall10: 0.75,
  recall20: 1,
  mrr5: 0.2,
  mrr10: 0.25,
  mrr20: 0.3,
  ndcg5: 0.3,
  ndcg10: 0.4,
  ndcg20: 0.5,
};
const cell = {
  ...({} as ScenarioMetrics),
  mae: NaN,
  rmse: NaN,
  ranking: { after: ranks, before: ranks, learners: { id: ranks, text: ranks } },
};
const mml: MmlInspection = {
  learners: ['id', 'text'],
  users: Int32Array.from([4, 9]),
  scenarios: Uint8Array.from([0, 2]),
  tasks: Int32Array.from([0, 3]),
  weights: Float32Array.from([0.7, 0.3, 0.4, 0.6]),
  newItems: Int32Array.from([12]),
  k: 2,
  neighbours: Int32Array.from([5, 6]),
  attention: Float32Array.from([0.35, 0.65]),
};

describe('MML state', () => {
  it('keeps the evaluated event’s mml inspection on the evaluation, after a structured clone', () => {
    const config = { ...DEFAULT_CONFIG, ...PRESETS.mml.values };
    const events: TrainEvent[] = [
      { type: 'evaluated', epoch: 0, test: { warm: cell }, validation: {}, seconds: 1 },
      { type: 'evaluated', epoch: 1, test: { warm: cell, item_cold: cell }, validation: {}, seconds: 1, mml },
    ];
    const message: FromWorker = { type: 'events', runId: 'mml-1' as RunId, events };
    const cloned = structuredClone(message);
    if (cloned.type !== 'events') throw new Error('expected events');
    const view = replay(config, cloned.events);
    expect(view.evaluations[0]!.mml).toBeUndefined();
    const last = latestEvaluation(view)!;
    expect(last.mml).toBeDefined();
    expect(Array.from(last.mml!.weights)).toEqual(Array.from(mml.weights));
    expect(weightRows(last.mml!).map((r) => r.scenario)).toEqual(['warm', 'item_cold']);
    expect(neighbourRows(last.mml!, 0).map((r) => r.item)).toEqual([6, 5]);
    expect(last.test.item_cold!.ranking!.learners!.text!.recall10).toBe(0.75);
  });
});
