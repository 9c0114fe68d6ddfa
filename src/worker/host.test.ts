// The worker host driven through its protocol in Node (no Worker): the same code the browser runs.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type TrainConfig } from '../config/experiment';
import { DEMO_SEED, syntheticInputs } from '../data/synthetic';
import { initBackend } from '../kernels/backend';
import type { TrainEvent } from '../train/events';
import { createWorkerHost } from './host';
import type { FromWorker, RequestId, RunId } from './protocol';

function makeHost() {
  const messages: FromWorker[] = [];
  const host = createWorkerHost((m) => messages.push(m), {
    initBackend: () => initBackend('wasm'),
    loadDemo: async () => syntheticInputs(DEMO_SEED),
    flushMs: 5,
  });
  const last = <T extends FromWorker['type']>(type: T) =>
    [...messages].reverse().find((m) => m.type === type) as Extract<FromWorker, { type: T }> | undefined;
  const events = (runId: RunId): TrainEvent[] =>
    messages.flatMap((m) => (m.type === 'events' && m.runId === runId ? [...m.events] : []));
  return { host, messages, last, events };
}

const quick: TrainConfig = {
  ...DEFAULT_CONFIG,
  model: 'melu',
  epochs: 1,
  evalUsers: 8,
  baselines: false,
  backend: 'wasm',
};

describe('worker host', () => {
  it('loads the demo, keeps it when a later file is malformed, and splits it', async () => {
    const { host, last } = makeHost();
    await host.handle({ type: 'load', requestId: 1 as RequestId, source: { kind: 'demo' } });
    const loaded = last('loaded')!;
    expect(loaded.summary.ratings).toBeGreaterThan(30000);
    const bad = new TextEncoder().encode('1\t2\t3\t881250949\n1\t3\t4\t881250949\n2\t5\t7\t881250949\n');
    await host.handle({
      type: 'load',
      requestId: 2 as RequestId,
      source: { kind: 'files', files: [{ path: 'u.data', bytes: bad.buffer }] },
    });
    expect(last('loadFailed')!.error.message).toBe('Expected rating in 1..5 at u.data line 3, got 7');
    await host.handle({
      type: 'split',
      requestId: 3 as RequestId,
      protocol: 'mamo',
      seed: 1,
      newItemYear: 0,
    });
    const split = last('splitReady')!;
    expect(split.summary.protocol).toBe('mamo');
    expect(split.testTasks.user_cold.rawUserIds.length).toBe(split.summary.test.user_cold.tasks);
  });

  it('runs a short experiment, streams batched events, then answers inspect and recommend', async () => {
    const { host, last, events } = makeHost();
    await host.handle({ type: 'load', requestId: 1 as RequestId, source: { kind: 'demo' } });
    const runId = 'run-1' as RunId;
    await host.handle({ type: 'start', runId, config: quick });
    expect(tf.getBackend()).toBe('wasm');
    const stream = events(runId);
    const types = stream.map((e) => e.type);
    expect(types[0]).toBe('started');
    expect(types).toContain('step');
    expect(types).toContain('evaluated');
    expect(types[types.length - 1]).toBe('finished');
    await host.handle({ type: 'inspect', requestId: 5 as RequestId, runId, scenario: 'warm', task: 0 });
    const inspection = last('inspection')!.result;
    expect(inspection.query.length).toBe(10);
    expect(Number.isFinite(inspection.query[0]!.after)).toBe(true);
    await host.handle({
      type: 'recommend',
      requestId: 6 as RequestId,
      runId,
      profile: { gender: 'F', age: '25', occupation: 'writer', zip: '12345' },
      ratings: [
        { item: 0, rating: 5 },
        { item: 1, rating: 1 },
      ],
      count: 5,
    });
    const rec = last('recommendations')!.result;
    expect(rec.items).toHaveLength(5);
    expect(rec.items.map((i) => i.item)).not.toContain(0);
    expect(rec.items[0]!.score).toBeGreaterThanOrEqual(rec.items[4]!.score);
    // every demo film has at least one genre, named as in the data
    for (const r of rec.items) expect(r.genres.length).toBeGreaterThan(0);
  });

  it('starts the backend once, after the dataset load, when init and start overlap', async () => {
    const order: string[] = [];
    const messages: FromWorker[] = [];
    const host = createWorkerHost((m) => messages.push(m), {
      initBackend: async () => {
        order.push('init start');
        await new Promise((r) => setTimeout(r, 20));
        order.push('init end');
        return initBackend('wasm');
      },
      loadDemo: async () => {
        order.push('load');
        return syntheticInputs(DEMO_SEED);
      },
      flushMs: 5,
    });
    const load = host.handle({ type: 'load', requestId: 1 as RequestId, source: { kind: 'demo' } });
    const init = host.handle({ type: 'init', backend: 'wasm' });
    await load;
    const run = host.handle({ type: 'start', runId: 'run-3' as RunId, config: quick });
    await Promise.all([init, run]);
    expect(order).toEqual(['load', 'init start', 'init end']);
    expect(messages.filter((m) => m.type === 'ready')).toHaveLength(1);
    expect(messages.some((m) => m.type === 'events' && m.events.some((e) => e.type === 'finished'))).toBe(
      true,
    );
  });

  it('pauses, resumes and stops a run', async () => {
    const { host, events } = makeHost();
    await host.handle({ type: 'load', requestId: 1 as RequestId, source: { kind: 'demo' } });
    const runId = 'run-2' as RunId;
    const done = host.handle({ type: 'start', runId, config: { ...quick, epochs: 50 } });
    while (!events(runId).some((e) => e.type === 'step')) await new Promise((r) => setTimeout(r, 5));
    await host.handle({ type: 'pause', runId });
    await new Promise((r) => setTimeout(r, 50));
    const paused = events(runId).filter((e) => e.type === 'step').length;
    await new Promise((r) => setTimeout(r, 100));
    expect(events(runId).filter((e) => e.type === 'step').length).toBeLessThanOrEqual(paused + 1);
    await host.handle({ type: 'resume', runId });
    await host.handle({ type: 'stop', runId });
    await done;
    const stream = events(runId);
    expect(stream[stream.length - 1]!.type).toBe('stopped');
    expect(stream.filter((e) => e.type === 'epoch').length).toBeLessThan(50);
  });
});
