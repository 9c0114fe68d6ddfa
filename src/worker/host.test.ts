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

  it('streams a large file given as a File (Blob): MovieLens 25M shape, then a malformed line', async () => {
    const { host, last } = makeHost();
    const csv = (rows: string) => new Blob([`userId,movieId,rating,timestamp\n${rows}`]);
    await host.handle({
      type: 'load',
      requestId: 1 as RequestId,
      source: {
        kind: 'files',
        files: [{ path: 'ml-25m/ratings.csv', blob: csv('1,1,4.5,1147880044\n2,1,0.5,1147880045\n') }],
      },
    });
    expect(last('loaded')!.summary.ratings).toBe(2);
    await host.handle({
      type: 'load',
      requestId: 2 as RequestId,
      source: { kind: 'files', files: [{ path: 'ml-25m/ratings.csv', blob: csv('1,1,4.5,1\n2,1,9,2\n') }] },
    });
    expect(last('loadFailed')!.error.message).toBe(
      'Expected rating in 0.5..5 in half stars at ml-25m/ratings.csv line 3, got 9',
    );
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

  it('adds files to what is loaded and says what each file contributed; a bad add keeps everything', async () => {
    const { host, last } = makeHost();
    const demo = syntheticInputs(DEMO_SEED);
    const part = (names: string[]) => ({
      kind: 'files' as const,
      files: demo
        .filter((f) => names.some((n) => f.path.endsWith(n)))
        .map((f) => ({ path: f.path, bytes: f.bytes.slice().buffer })),
    });
    await host.handle({ type: 'load', requestId: 1 as RequestId, source: part(['u.data']) });
    const first = last('loaded')!.summary;
    expect(first.notes.some((n) => n.startsWith('no item file'))).toBe(true);
    await host.handle({
      type: 'load',
      requestId: 2 as RequestId,
      source: part(['u.item', 'u.user', 'u.genre']),
      mode: 'add',
    });
    const merged = last('loaded')!.summary;
    expect(merged.ratings).toBe(first.ratings);
    expect(merged.notes.some((n) => n.startsWith('no item file'))).toBe(false);
    expect(merged.contributions.map((c) => [c.path.split('/').pop(), c.role, c.rows])).toEqual([
      ['u.data', 'ratings (ml-100k)', first.ratings],
      ['u.item', 'items (ml-100k)', merged.items],
      ['u.user', 'users (ml-100k)', merged.users],
      ['u.genre', 'genre names (ml-100k)', 19],
    ]);
    // a malformed add: refused with file and line, the merged dataset stays
    const bad = new TextEncoder().encode('1|24|M|technician|85711\n2|old|F|other|94043\n');
    await host.handle({
      type: 'load',
      requestId: 3 as RequestId,
      source: { kind: 'files', files: [{ path: 'u.user', bytes: bad.buffer }] },
      mode: 'add',
    });
    expect(last('loadFailed')!.error.message).toBe('Expected an age in years at u.user line 2, got old');
    await host.handle({
      type: 'split',
      requestId: 4 as RequestId,
      protocol: 'melu',
      seed: 1,
      newItemYear: 0,
    });
    expect(last('splitReady')!.summary.test.warm.tasks).toBeGreaterThan(0);
  });

  it('refuses the published protocol without split files as config, before any backend starts', async () => {
    const inits: string[] = [];
    const messages: FromWorker[] = [];
    const host = createWorkerHost((m) => messages.push(m), {
      initBackend: async (p) => {
        inits.push(p);
        return initBackend('wasm');
      },
      loadDemo: async () => syntheticInputs(DEMO_SEED),
      flushMs: 5,
    });
    await host.handle({ type: 'load', requestId: 1 as RequestId, source: { kind: 'demo' } });
    const loaded = messages.find((m) => m.type === 'loaded');
    expect(loaded?.type === 'loaded' && loaded.summary.protocolBlockers.published).toMatch(
      /^The published protocol needs MeLU's split files/,
    );
    await host.handle({ type: 'start', runId: 'p' as RunId, config: { ...quick, protocol: 'published' } });
    const failed = messages.flatMap((m) => (m.type === 'events' ? [...m.events] : [])).at(-1);
    expect(failed?.type === 'failed' && [failed.code, failed.message.slice(0, 50)]).toEqual([
      'config',
      "The published protocol needs MeLU's split files (u",
    ]);
    expect(inits).toEqual([]);
  });

  it('a backend that cannot start fails with code backend and a sentence to act on', async () => {
    const messages: FromWorker[] = [];
    const host = createWorkerHost((m) => messages.push(m), {
      initBackend: async () => {
        throw new Error('navigator.gpu is undefined');
      },
      loadDemo: async () => syntheticInputs(DEMO_SEED),
      flushMs: 5,
    });
    await host.handle({ type: 'load', requestId: 1 as RequestId, source: { kind: 'demo' } });
    await host.handle({ type: 'start', runId: 'b' as RunId, config: { ...quick, backend: 'webgpu' } });
    const failed = messages.flatMap((m) => (m.type === 'events' ? [...m.events] : [])).at(-1);
    expect(failed).toMatchObject({
      type: 'failed',
      code: 'backend',
      message:
        'The webgpu backend could not start: navigator.gpu is undefined. Choose another backend (wasm works everywhere) and start again.',
    });
  });

  it('a device lost mid-run: resumes on wasm from the last committed step, same losses as without', async () => {
    const config = { ...quick, epochs: 2 };
    const losses = async (loseAfter: number | null) => {
      const messages: FromWorker[] = [];
      let lose: ((reason: string) => void) | null = null;
      let lost = false;
      const host = createWorkerHost(
        (m) => {
          messages.push(m);
          // the simulated loss, once, as soon as step `loseAfter` has been reported
          const step = m.type === 'events' ? m.events.filter((e) => e.type === 'step').at(-1) : undefined;
          if (loseAfter !== null && !lost && lose && step?.type === 'step' && step.step >= loseAfter) {
            lost = true;
            lose('The device was lost (simulated)');
          }
        },
        {
          initBackend: () => initBackend('wasm'),
          loadDemo: async () => syntheticInputs(DEMO_SEED),
          flushMs: 1,
          watchBackend: (_backend, onLost) => {
            lose = onLost;
            return () => (lose = null);
          },
          snapshotEveryStep: true,
        },
      );
      await host.handle({ type: 'load', requestId: 1 as RequestId, source: { kind: 'demo' } });
      await host.handle({ type: 'start', runId: 'd' as RunId, config });
      const stream = messages.flatMap((m) => (m.type === 'events' ? [...m.events] : []));
      return { stream, lost };
    };
    const plain = await losses(null);
    const interrupted = await losses(3);
    expect(interrupted.lost).toBe(true);
    const steps = (s: TrainEvent[]) => s.flatMap((e) => (e.type === 'step' ? [[e.step, e.loss]] : []));
    // every step once, in order, with the loss it has without the loss of the device
    expect(steps(interrupted.stream)).toEqual(steps(plain.stream));
    const started = interrupted.stream.filter((e) => e.type === 'started');
    expect(started).toHaveLength(2);
    const resumed = started[1]!;
    const reason = resumed.type === 'started' ? resumed.backend.fallbacks.at(-1)!.reason : '';
    const [, at, from] =
      /^The device was lost \(simulated\) at step (\d+); resumed on wasm from step (\d+)$/.exec(reason)!;
    // from the last committed step, not an older copy
    expect(Number(at)).toBe(Number(from) + 1);
    expect(interrupted.stream.at(-1)!.type).toBe('finished');
    expect(interrupted.stream.filter((e) => e.type === 'epoch')).toHaveLength(2);
  });
});
