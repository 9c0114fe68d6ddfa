// runMelo's per-epoch diagnostics on the synthetic demo at tiny sizes (wasm): one `meloDiagnostics`
// event per epoch (0 = before training), loss weights by rating with the LSTM (none without weighting),
// the learned-rate matrix equal to the summary's learned rates, the per-rating errors over the sample.
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { type TrainConfig } from '../config/experiment';
import { initBackend, type BackendInfo } from '../kernels/backend';
import type { MeloDiagnostics, RunSummary } from './events';
import { MELO_DIAGNOSTIC_TASKS } from './meloDiagnostics';
import { runOnDemo, TINY_MELO } from '../../tests/helpers/sequence';

let backend: BackendInfo;
beforeAll(async () => {
  backend = await initBackend('wasm');
});

const TINY: TrainConfig = { ...TINY_MELO, baselines: false };

async function run(config: TrainConfig): Promise<{ summary: RunSummary; diagnostics: MeloDiagnostics[] }> {
  const { summary, events } = await runOnDemo(config, backend);
  const diagnostics = events.flatMap((e) => (e.type === 'meloDiagnostics' ? [e] : []));
  return { summary, diagnostics };
}

describe('MELO diagnostics', () => {
  it('per epoch: loss weights by rating, the rate matrix, MAE per rating', { timeout: 120_000 }, async () => {
    const { summary, diagnostics } = await run(TINY);
    expect(diagnostics.map((d) => d.epoch)).toEqual([0, 1]);
    const last = diagnostics[1]!;
    expect(last.tasks).toBeGreaterThan(0);
    expect(last.tasks).toBeLessThanOrEqual(MELO_DIAGNOSTIC_TASKS);
    // loss weights: 5 ratings, non-negative (|g_phi|), ordered statistics
    expect(last.lossWeights).toHaveLength(5);
    const boxes = last.lossWeights!.filter((b) => b !== null);
    expect(boxes.length).toBeGreaterThan(1);
    for (const b of boxes) {
      expect(b.min).toBeGreaterThanOrEqual(0);
      expect(b.min <= b.q1 && b.q1 <= b.median && b.median <= b.q3 && b.q3 <= b.max).toBe(true);
    }
    // at initialisation the weights start near 1 (output bias 1, small output weights)
    for (const b of diagnostics[0]!.lossWeights!) if (b) expect(Math.abs(b.median - 1)).toBeLessThan(0.5);
    // the rate matrix is the summary's learned rates, key@step
    const { layers, steps, values } = last.innerRates;
    expect(steps).toBe(TINY.innerSteps);
    expect(values).toHaveLength(layers.length * steps);
    layers.forEach((key, i) => {
      for (let j = 0; j < steps; j++)
        expect(values[i * steps + j]).toBeCloseTo(summary.learnedLocalRates![`${key}@${j + 1}`]!, 6);
    });
    expect(diagnostics[0]!.innerRates.values.every((v) => Math.abs(v - TINY.innerLr) < 1e-7)).toBe(true);
    // per-rating errors: every query rating of the sampled tasks counted once
    expect(last.ratingErrors.map((r) => r.rating)).toEqual([1, 2, 3, 4, 5]);
    const counted = last.ratingErrors.reduce((s, r) => s + r.n, 0);
    expect(counted).toBeGreaterThan(0);
    expect(counted).toBeLessThanOrEqual(last.tasks * TINY.sequenceQuery);
    for (const r of last.ratingErrors)
      if (r.n) expect(Number.isFinite(r.maeBefore) && Number.isFinite(r.maeAfter)).toBe(true);
  });

  it('without a weighting network: rates and errors, no loss weights', { timeout: 120_000 }, async () => {
    const { diagnostics } = await run({ ...TINY, lossWeighting: 'none' });
    expect(diagnostics).toHaveLength(2);
    expect(diagnostics[1]!.lossWeights).toBeNull();
    expect(diagnostics[1]!.innerRates.values.length).toBeGreaterThan(0);
  });

  it('the supervised backbone (sequence-basic) emits none', { timeout: 120_000 }, async () => {
    const { diagnostics } = await run({ ...TINY, sequenceTraining: 'supervised' });
    expect(diagnostics).toHaveLength(0);
  });
});
