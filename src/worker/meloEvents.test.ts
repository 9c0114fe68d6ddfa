// MELO's diagnostics through the worker protocol (Node, no Worker): the host runs a tiny MELO on the
// demo, its `events` messages survive a structured clone (what postMessage and IndexedDB do), and the
// page's reducer (ui/state/runState.ts) folds them into `run.melo`, one entry per epoch.
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { type TrainConfig } from '../config/experiment';
import { DEMO_SEED, syntheticInputs } from '../data/synthetic';
import { initBackend } from '../kernels/backend';
import { replay } from '../ui/state/runState';
import { createWorkerHost } from './host';
import { TINY_MELO } from '../../tests/helpers/sequence';
import type { FromWorker, RequestId, RunId, TrainEvent } from './protocol';

const TINY: TrainConfig = { ...TINY_MELO, batchSize: 32, epochs: 2, baselines: false };

describe('MELO diagnostics through the worker protocol', () => {
  it('reach the run state, per epoch', { timeout: 120_000 }, async () => {
    const messages: FromWorker[] = [];
    const host = createWorkerHost((m) => messages.push(structuredClone(m)), {
      initBackend: () => initBackend('wasm'),
      loadDemo: async () => syntheticInputs(DEMO_SEED),
      flushMs: 5,
    });
    await host.handle({ type: 'load', requestId: 1 as RequestId, source: { kind: 'demo' } });
    const runId = 'melo-1' as RunId;
    await host.handle({ type: 'start', runId, config: TINY });
    const events: TrainEvent[] = messages.flatMap((m) =>
      m.type === 'events' && m.runId === runId ? [...m.events] : [],
    );
    expect(events[events.length - 1]!.type).toBe('finished');
    const view = replay(TINY, events);
    expect(view.melo.map((d) => d.epoch)).toEqual([0, 1, 2]);
    const last = view.melo[2]!;
    expect(last.lossWeights!.some((b) => b !== null && b.n > 0)).toBe(true);
    expect(last.innerRates.values).toHaveLength(last.innerRates.layers.length * TINY.innerSteps);
    expect(last.ratingErrors.reduce((s, r) => s + r.n, 0)).toBeGreaterThan(0);
    // a MAMO run's view has none
    expect(
      replay(
        { ...TINY, model: 'mamo' },
        events.filter((e) => e.type !== 'meloDiagnostics'),
      ).melo,
    ).toEqual([]);
  });
});
