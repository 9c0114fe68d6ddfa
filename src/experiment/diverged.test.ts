// A job whose training diverges (docs/protocol.md, section 12): it picks among the checkpoints evaluated
// before the divergence and records the guard's message, or, with none before it, fails with a sentence;
// the merged document lists it. The synthetic demo at tiny sizes, cpu, plain SGD at rates that diverge.
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type TrainConfig } from '../config/experiment';
import { SCENARIOS } from '../data/scenarios/types';
import { initBackend, type BackendInfo } from '../kernels/backend';
import { demoDataset } from '../../tests/helpers/demo';
import { fakePart } from '../../tests/helpers/parts';
import { runJob } from './job';
import { renderMerged } from './render';
import { jobsOf, parseSpec } from './spec';

let backend: BackendInfo;
beforeAll(async () => {
  backend = await initBackend('cpu');
});

const base = (outerLr: number): TrainConfig => ({
  ...DEFAULT_CONFIG,
  model: 'melu',
  innerLr: 0.7,
  outerLr,
  outerOptimizer: 'sgd',
  baselines: false,
  evalUsers: 5,
  embeddingDim: 4,
  hiddenDim: 8,
  featureDropout: 0,
});
const options = { selection: 'per-kind' as const, chooseLocalRate: false, baselines: [] };

describe('a diverged job', () => {
  it(
    'picks among the checkpoints evaluated before the divergence and records it',
    { timeout: 120_000 },
    async () => {
      // checkpoints every second epoch; at these rates the meta-loss passes the guard in epoch 3
      const r = await runJob(await demoDataset(), base(0.05), 1, 8, backend, options);
      expect(r.diverged).toHaveLength(1);
      const at = Number(
        /^dropout 0: The meta-loss reached .* at epoch (\d+), step/.exec(r.diverged![0]!)?.[1],
      );
      expect(at).toBeGreaterThan(2);
      for (const pick of Object.values(r.picks.model)) expect(pick!.epoch).toBeLessThan(at);
      for (const s of SCENARIOS) expect(Number.isFinite(r.model[s]!.mae), s).toBe(true);
    },
  );

  it('without a checkpoint before it, fails with a sentence', { timeout: 120_000 }, async () => {
    await expect(runJob(await demoDataset(), base(0.07), 1, 8, backend, options)).rejects.toThrow(
      /^No checkpoint was evaluated before training diverged: dropout 0: The meta-loss reached/,
    );
  });

  it('is listed under its dataset in the merged document', () => {
    const spec = parseSpec({
      datasets: ['demo'],
      variants: [{ name: 'A', preset: 'melu-paper', baselines: [] }],
      seeds: [1, 2],
      epochs: 2,
      parts: 'p',
    });
    const diverged = { ...fakePart(spec, { variant: 0, seed: 2, shift: 0 }) };
    const part = { ...diverged, result: { ...diverged.result, diverged: ['dropout 0: it blew up'] } };
    const doc = renderMerged(
      spec,
      's.json',
      jobsOf(spec),
      [fakePart(spec, { variant: 0, seed: 1, shift: 0 }), part],
      new Map(),
    );
    expect(doc).toContain(
      'Diverged (docs/protocol.md, section 12: the picks are among the checkpoints evaluated before the divergence): A seed 2 (dropout 0: it blew up).',
    );
  });
});
