// A reload mid-run, in Node: the worker posts an end-of-epoch snapshot, a fresh worker host (the
// reloaded page's) is started with it, and the later epochs are bit-identical to the run that was
// never interrupted (same step losses, epoch losses and evaluations). A damaged snapshot is refused.
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type TrainConfig } from '../config/experiment';
import { DEMO_SEED, syntheticInputs } from '../data/synthetic';
import { initBackend } from '../kernels/backend';
import type { TrainEvent } from '../train/events';
import { createWorkerHost } from './host';
import type { FromWorker, RequestId, RunId, RunSnapshot } from './protocol';

const tiny = (model: TrainConfig['model']): TrainConfig => ({
  ...DEFAULT_CONFIG,
  model,
  epochs: 3,
  batchSize: 32,
  embeddingDim: 8,
  hiddenDim: 16,
  memorySlots: 3,
  evalUsers: 8,
  baselines: false,
  backend: 'wasm',
});

async function runOnce(config: TrainConfig, resume?: RunSnapshot) {
  const messages: FromWorker[] = [];
  const host = createWorkerHost((m) => messages.push(m), {
    initBackend: () => initBackend('wasm'),
    loadDemo: async () => syntheticInputs(DEMO_SEED),
    flushMs: 1,
  });
  await host.handle({ type: 'load', requestId: 1 as RequestId, source: { kind: 'demo' } });
  await host.handle({ type: 'start', runId: 'r' as RunId, config, ...(resume ? { resume } : {}) });
  const stream = messages.flatMap((m) => (m.type === 'events' ? [...m.events] : []));
  const snapshots = messages.flatMap((m) => (m.type === 'snapshot' ? [m.snapshot] : []));
  // each snapshot follows its epoch's events: the events posted before it end with that epoch's
  const before = messages.flatMap((m, i) =>
    m.type === 'snapshot'
      ? [
          messages
            .slice(0, i)
            .flatMap((p) => (p.type === 'events' ? p.events.filter((e) => e.type === 'epoch') : [])),
        ]
      : [],
  );
  return { stream, snapshots, before };
}

const steps = (s: TrainEvent[]) => s.flatMap((e) => (e.type === 'step' ? [[e.step, e.loss]] : []));
const epochLosses = (s: TrainEvent[]) =>
  s.flatMap((e) => (e.type === 'epoch' ? [[e.record.epoch, e.record.trainLoss]] : []));
const evaluations = (s: TrainEvent[]) =>
  s.flatMap((e) => (e.type === 'evaluated' ? [[e.epoch, e.test, e.validation]] : []));

describe('resume after a reload', () => {
  it.each(['melu', 'mamo'] as const)(
    '%s: from the end-of-epoch-1 snapshot, epochs 2 and 3 are bit-identical to the uninterrupted run',
    async (model) => {
      const config = tiny(model);
      const plain = await runOnce(config);
      expect(plain.stream.at(-1)!.type).toBe('finished');
      // one snapshot per epoch but the last, each at the next epoch's start, after that epoch's events
      expect(plain.snapshots.map((s) => [s.epoch, s.stepInEpoch, s.epochs.length])).toEqual([
        [2, 0, 1],
        [3, 0, 2],
      ]);
      expect(plain.before.map((epochs) => epochs.length)).toEqual([1, 2]);
      // as IndexedDB would give it back
      const stored = structuredClone(plain.snapshots[0]!);
      const resumed = await runOnce(config, stored);
      expect(resumed.stream.at(-1)!.type).toBe('finished');
      const later = (s: TrainEvent[]) => s.filter((e) => !('epoch' in e) || e.epoch !== 1);
      expect(steps(resumed.stream)).toEqual(steps(plain.stream).filter(([step]) => step! > stored.step));
      expect(epochLosses(resumed.stream)).toEqual(epochLosses(plain.stream).slice(1));
      expect(evaluations(resumed.stream)).toEqual(evaluations(later(plain.stream)).filter(([e]) => e !== 0));
      expect(epochLosses(resumed.stream).map(([e]) => e)).toEqual([2, 3]);
      expect(evaluations(resumed.stream).map(([e]) => e)).toContain(3);
      expect(steps(resumed.stream).length).toBeGreaterThan(0);
      const finished = resumed.stream.at(-1)!;
      const summary = finished.type === 'finished' ? finished.summary : null;
      expect(summary!.epochs.map((e) => e.trainLoss)).toEqual(epochLosses(plain.stream).map(([, l]) => l));
    },
    120_000,
  );

  it('with baselines: the snapshot carries their results, so the resumed summary and per-user errors keep them', async () => {
    const config = { ...tiny('melu'), baselines: true };
    const plain = await runOnce(config);
    const stored = structuredClone(plain.snapshots[0]!);
    expect(Object.keys(stored.baselines!.metrics).length).toBeGreaterThan(0);
    const resumed = await runOnce(config, stored);
    // computed once, before the reload: not again
    expect(resumed.stream.some((e) => e.type === 'baselines')).toBe(false);
    const summaryOf = (s: TrainEvent[]) => {
      const last = s.at(-1)!;
      return last.type === 'finished' ? last.summary : null;
    };
    const [a, b] = [summaryOf(plain.stream)!, summaryOf(resumed.stream)!];
    expect(b.baselines).toEqual(a.baselines);
    expect(b.scenarios).toEqual(a.scenarios);
    for (const key of ['nonMetaLr', 'nonMetaEpochs', 'biasLambdas', 'nonMetaFineTune'] as const)
      expect(b[key]).toEqual(a[key]);
    const lastErrors = (s: TrainEvent[]) => s.filter((e) => e.type === 'evaluated').at(-1)!;
    expect(lastErrors(resumed.stream)).toMatchObject({
      userErrors: (lastErrors(plain.stream) as { userErrors: unknown }).userErrors,
    });
  }, 180_000);

  it('refuses a damaged snapshot as config, in words, before training', async () => {
    const config = tiny('melu');
    const bad = {
      epoch: 2,
      stepInEpoch: 0,
      step: 5,
      epochs: [{ epoch: 1, trainLoss: 1, seconds: 1, usersPerSecond: 1 }],
      state: { w: { values: new Float32Array(3), shape: [2, 2], dtype: 'float32' } },
    } as unknown as RunSnapshot;
    const { stream } = await runOnce(config, bad);
    const failed = stream.at(-1)!;
    expect(failed.type).toBe('failed');
    expect(failed.type === 'failed' && failed.code).toBe('config');
    expect(failed.type === 'failed' && failed.message).toMatch(
      /stored training state cannot be resumed \(state\.w holds a wrong number of values\)/,
    );
    expect(stream.some((e) => e.type === 'step')).toBe(false);
  });
});
