// The Users drill-down for sequence runs (wasm, Node): a tiny MELO and a tiny MML run on the demo hand
// their learned state over when they finish; one evaluated test task's answer is its window in time
// order with the predictions (MELO) or ranks (MML) the run's last evaluation computed for it; the
// retained state holds no tensor after dispose. Through the worker host: a finished run answers
// 'inspect', and a new run disposes the previous one's state.
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TrainConfig } from '../config/experiment';
import { SCENARIOS, type Scenario } from '../data/scenarios/types';
import { DEMO_SEED, syntheticInputs } from '../data/synthetic';
import { initBackend, type BackendInfo } from '../kernels/backend';
import type { TestRanks } from '../train/epochs';
import type { TaskSetPredictions } from '../train/evaluate';
import { prepareExperiment } from '../train/prepare';
import { runExperiment } from '../train/run';
import { topRows, type RetainedSequence } from '../train/sequenceInspect';
import { demoDataset } from '../../tests/helpers/demo';
import { TINY_MELO, TINY_MML } from '../../tests/helpers/sequence';
import { createWorkerHost } from './host';
import { inspectSequenceTask } from './inspectSequence';
import type { FromWorker, RequestId, RunId, UserInspection } from './protocol';

let backend: BackendInfo;
beforeAll(async () => {
  backend = await initBackend('wasm');
});

/** Runs `config` on the demo keeping its state and the last evaluation's per-scenario test results. */
async function retainedRun<T>(config: TrainConfig, hook: 'onTestPredictions' | 'onTestRanks') {
  const dataset = await demoDataset();
  const prepared = prepareExperiment(dataset, config);
  const last = new Map<Scenario, T>();
  let model: RetainedSequence | null = null;
  const events: string[] = [];
  await runExperiment(
    { datasetName: 'demo', split: prepared.split, layout: prepared.layout, config, backend },
    (e) => events.push(e.type),
    {
      retainSequence: (m) => (model = m),
      [hook]: (_epoch: number, scenario: Scenario, _set: unknown, result: T) => last.set(scenario, result),
    },
  );
  expect(events[events.length - 1]).toBe('finished');
  expect(model).not.toBeNull();
  return { dataset, split: prepared.split, last, model: model! };
}

/** Window positions 0..n-1 in order: support first, then the query. */
function expectTimeOrder(r: UserInspection) {
  const s = r.sequence!;
  const positions = [...s.support, ...s.query].map((p) => p.position);
  expect(s.support.map((p) => p.position)).toEqual(s.support.map((_, k) => k));
  expect(positions).toEqual([...positions].sort((a, b) => a - b));
  expect(s.query.every((q) => q.position >= s.support.length)).toBe(true);
}

describe('the drill-down of a sequence run', () => {
  it(
    'MELO: the window, and the evaluation’s predictions before/after for the task',
    { timeout: 180_000 },
    async () => {
      const config: TrainConfig = { ...TINY_MELO, baselines: false };
      const before = tf.memory().numTensors;
      const { dataset, split, last, model } = await retainedRun<TaskSetPredictions>(
        config,
        'onTestPredictions',
      );
      const scenario = SCENARIOS.find((s) => (last.get(s)?.taskIds.length ?? 0) > 0)!;
      const p = last.get(scenario)!;
      const task = p.taskIds[0]!;
      const r = await inspectSequenceTask(model, dataset, split, scenario, task);
      const s = r.sequence!;
      expect(s.kind).toBe('rating');
      if (s.kind !== 'rating') return;
      expectTimeOrder(r);
      expect(s.steps).toBe(config.innerSteps);
      // the task's query ratings, in order, with what the evaluation predicted for them
      const [q0, q1] = [p.after.offsets[0]!, p.after.offsets[1]!];
      expect(s.query.map((q) => q.rating)).toEqual(Array.from(p.after.truth.subarray(q0, q1)));
      s.query.forEach((q, k) => {
        expect(q.before).toBeCloseTo(p.before.predicted[q0 + k]!, 4);
        expect(q.after).toBeCloseTo(p.after.predicted[q0 + k]!, 4);
      });
      // the support is the task's latest support ratings, time order
      const set = split.test[scenario];
      const s1 = set.supportOffsets[task + 1]!;
      expect(s.support.map((x) => x.rating)).toEqual(
        Array.from(set.supportValues.subarray(s1 - s.support.length, s1)),
      );
      expect(s.dropped).toBe(s1 - set.supportOffsets[task]! - s.support.length);
      // backward compatible fields: the rating rows as MeLU's
      expect(r.query.map((q) => q.after)).toEqual(s.query.map((q) => q.after));
      // asking again allocates nothing that stays; dispose frees the state
      const held = tf.memory().numTensors;
      await inspectSequenceTask(model, dataset, split, scenario, task);
      expect(tf.memory().numTensors).toBe(held);
      model.dispose();
      expect(tf.memory().numTensors).toBe(before);
    },
  );

  it(
    'MML: ranks before/after as the evaluation ranked them, and 5 distinct top items',
    { timeout: 180_000 },
    async () => {
      const before = tf.memory().numTensors;
      const { dataset, split, last, model } = await retainedRun<TestRanks>(TINY_MML, 'onTestRanks');
      let checked = 0;
      for (const scenario of SCENARIOS) {
        const ranks = last.get(scenario);
        if (!ranks || ranks.taskIds.length === 0) continue;
        const task = ranks.taskIds[0]!;
        const r = await inspectSequenceTask(model, dataset, split, scenario, task);
        const s = r.sequence!;
        expect(s.kind).toBe('ranking');
        if (s.kind !== 'ranking') return;
        expectTimeOrder(r);
        expect(r.query).toEqual([]);
        const [c0, c1] = [ranks.offsets[0]!, ranks.offsets[1]!];
        expect(s.query.map((q) => q.rankAfter)).toEqual(Array.from(ranks.ranks.after!.subarray(c0, c1)));
        expect(s.query.map((q) => q.rankBefore)).toEqual(Array.from(ranks.ranks.before!.subarray(c0, c1)));
        expect(s.candidates).toBe(dataset.items.count);
        for (const q of s.query) {
          expect(q.rankAfter).toBeGreaterThanOrEqual(1);
          expect(q.rankAfter).toBeLessThanOrEqual(s.candidates);
          expect(q.top).toHaveLength(5);
          expect(new Set(q.top.map((t) => `${t.title} ${t.year}`)).size).toBe(5);
          // the true item is in the top list exactly when it ranks within it
          const truth = `${q.title} ${q.year}`;
          if (q.rankAfter <= 5) expect(q.top.map((t) => `${t.title} ${t.year}`)).toContain(truth);
        }
        checked++;
      }
      expect(checked).toBeGreaterThan(0);
      model.dispose();
      expect(tf.memory().numTensors).toBe(before);
    },
  );

  it('a stopped run hands its state over too', { timeout: 60_000 }, async () => {
    const dataset = await demoDataset();
    const config: TrainConfig = { ...TINY_MELO, baselines: false };
    const prepared = prepareExperiment(dataset, config);
    const before = tf.memory().numTensors;
    const abort = new AbortController();
    abort.abort();
    let model: RetainedSequence | null = null;
    const events: string[] = [];
    await runExperiment(
      { datasetName: 'demo', split: prepared.split, layout: prepared.layout, config, backend },
      (e) => events.push(e.type),
      { signal: abort.signal, retainSequence: (m) => (model = m) },
    );
    expect(events[events.length - 1]).toBe('stopped');
    const scenario = SCENARIOS.find((s) => prepared.split.test[s].count > 0)!;
    const r = await inspectSequenceTask(model!, dataset, prepared.split, scenario, 0);
    expect(r.sequence?.kind).toBe('rating');
    await expect(inspectSequenceTask(model!, dataset, prepared.split, scenario, -1)).rejects.toThrow(
      /Expected a task/,
    );
    model!.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('topRows: best first, padding row excluded, ties by row', () => {
    expect(topRows([9, 1, 3, 3, 0, 2, 5], 3)).toEqual([6, 2, 3]);
  });
});

describe('sequence inspection through the worker host', () => {
  it('answers after the run ends; the next run disposes the state', { timeout: 240_000 }, async () => {
    const messages: FromWorker[] = [];
    const host = createWorkerHost((m) => messages.push(structuredClone(m)), {
      initBackend: () => initBackend('wasm'),
      loadDemo: async () => syntheticInputs(DEMO_SEED),
      flushMs: 5,
    });
    await host.handle({ type: 'load', requestId: 1 as RequestId, source: { kind: 'demo' } });
    const config: TrainConfig = { ...TINY_MML, epochs: 1 };
    const first = 'mml-1' as RunId;
    await host.handle({ type: 'start', runId: first, config });
    const held = tf.memory().numTensors;
    const ask = async (runId: RunId, requestId: number, type: 'inspect' | 'recommend' = 'inspect') => {
      if (type === 'inspect')
        await host.handle({ type, requestId: requestId as RequestId, runId, scenario: 'warm', task: 0 });
      else
        await host.handle({
          type,
          requestId: requestId as RequestId,
          runId,
          profile: { gender: '', age: '', occupation: '', zip: '' },
          ratings: [],
          count: 3,
        });
      return messages.find(
        (m) => (m.type === 'inspection' || m.type === 'error') && m.requestId === requestId,
      )!;
    };
    const answer = await ask(first, 10);
    expect(answer.type).toBe('inspection');
    if (answer.type === 'inspection') {
      expect(answer.result.sequence?.kind).toBe('ranking');
      expect(answer.result.sequence!.query.length).toBeGreaterThan(0);
    }
    expect(tf.memory().numTensors).toBe(held);
    const refused = await ask(first, 11, 'recommend');
    expect(refused.type).toBe('error');
    // a second run (same config) replaces the first: its state is disposed, the new one kept
    const second = 'mml-2' as RunId;
    await host.handle({ type: 'start', runId: second, config });
    expect(tf.memory().numTensors).toBe(held);
    expect((await ask(first, 12)).type).toBe('error');
    expect((await ask(second, 13)).type).toBe('inspection');
  });

  it(
    "the page's split with the run's sequence settings indexes the run's test tasks",
    { timeout: 60_000 },
    async () => {
      const messages: FromWorker[] = [];
      const host = createWorkerHost((m) => messages.push(m), {
        initBackend: () => initBackend('wasm'),
        loadDemo: async () => syntheticInputs(DEMO_SEED),
      });
      await host.handle({ type: 'load', requestId: 1 as RequestId, source: { kind: 'demo' } });
      const { sequenceWindow, sequenceQuery, sequenceMinRatings, sequenceMinItemRatings, sequenceNewUsers } =
        TINY_MML;
      const sequence = {
        sequenceWindow,
        sequenceQuery,
        sequenceMinRatings,
        sequenceMinItemRatings,
        sequenceNewUsers,
      };
      const base = {
        type: 'split',
        protocol: 'sequence',
        seed: TINY_MML.seed,
        newItemYear: TINY_MML.newItemYear,
      } as const;
      await host.handle({ ...base, requestId: 2 as RequestId, sequence });
      await host.handle({ ...base, requestId: 3 as RequestId });
      const index = (id: number) => {
        const m = messages.find((x) => x.type === 'splitReady' && x.requestId === id);
        return m?.type === 'splitReady' ? m.testTasks : null;
      };
      const dataset = await demoDataset();
      const run = prepareExperiment(dataset, TINY_MML).split;
      for (const scenario of SCENARIOS)
        expect(Array.from(index(2)![scenario].rawUserIds)).toEqual(
          Array.from(run.test[scenario].users, (u) => dataset.users.rawIds[u]!),
        );
      // the tiny settings (window 6, items with >= 5 ratings) split differently from the defaults
      expect(SCENARIOS.some((s) => index(3)![s].querySizes.join() !== index(2)![s].querySizes.join())).toBe(
        true,
      );
    },
  );
});
