// runMml end to end (through runExperiment, model 'mml') on the synthetic demo at tiny sizes (wasm):
// the event stream and summary shape of the other models, ranking metrics finite and in [0, 1], fusion
// weights summing to 1, the generator's neighbours reported, determinism per seed, no tensor leak.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { type TrainConfig } from '../config/experiment';
import { PRESETS } from '../config/presets';
import { SCENARIOS } from '../data/scenarios/types';
import { initBackend, type BackendInfo } from '../kernels/backend';
import type { MmlInspection, RunSummary, TrainEvent } from './events';
import { RANKING_KS } from './ranking';
import { runOnDemo, TINY_MML } from '../../tests/helpers/sequence';

let backend: BackendInfo;
beforeAll(async () => {
  backend = await initBackend('wasm');
});

/** The fused run of the first test (the learners' breakdown the single-learner presets must match). */
let fused: RunSummary | null = null;

const TINY = TINY_MML;
const run = (config: TrainConfig) => runOnDemo(config, backend);

describe('MML on the synthetic demo (tiny, 2 epochs)', () => {
  it(
    'emits the usual events; metrics in range; fusion weights sum to 1; deterministic; no leak',
    { timeout: 180_000 },
    async () => {
      const { summary, events } = await run(TINY);
      fused = summary;
      const types = new Set(events.map((e) => e.type));
      for (const t of ['started', 'step', 'epoch', 'evaluated', 'finished'])
        expect(types.has(t as TrainEvent['type'])).toBe(true);
      expect(summary.epochs).toHaveLength(2);
      for (const e of summary.epochs) expect(Number.isFinite(e.trainLoss)).toBe(true);
      for (const s of SCENARIOS) {
        const m = summary.scenarios[s]!;
        expect(m.ranking, s).toBeDefined();
        const reports = [
          m.ranking!.after,
          m.ranking!.before,
          m.ranking!.learners!.id!,
          m.ranking!.learners!.text!,
        ];
        for (const r of reports) {
          expect(r.cases).toBe(m.ratings);
          for (const k of RANKING_KS)
            for (const v of [r[`recall${k}`], r[`mrr${k}`], r[`ndcg${k}`]]) {
              expect(Number.isFinite(v)).toBe(true);
              expect(v).toBeGreaterThanOrEqual(0);
              expect(v).toBeLessThanOrEqual(1);
            }
          expect(r.mrr5).toBeLessThanOrEqual(r.ndcg5);
          expect(r.ndcg5).toBeLessThanOrEqual(r.recall5);
          expect(r.recall5).toBeLessThanOrEqual(r.recall20);
        }
      }
      const evaluated = events.filter((e) => e.type === 'evaluated');
      expect(evaluated.map((e) => e.epoch)).toEqual([0, 1, 2]);
      const mml = evaluated.at(-1)!.mml as MmlInspection;
      expect(mml.learners).toEqual(['id', 'text']);
      expect(mml.users.length).toBeGreaterThan(0);
      expect(mml.weights.length).toBe(mml.users.length * 2);
      for (let r = 0; r < mml.users.length; r++) {
        const [a, b] = [mml.weights[2 * r]!, mml.weights[2 * r + 1]!];
        expect(a).toBeGreaterThan(0);
        expect(a + b).toBeCloseTo(1, 5);
      }
      expect(mml.k).toBe(3);
      expect(mml.newItems.length).toBeGreaterThan(0);
      expect(mml.neighbours.length).toBe(mml.newItems.length * 3);
      for (let i = 0; i < mml.newItems.length; i++) {
        let sum = 0;
        for (let k = 0; k < 3; k++) sum += mml.attention[i * 3 + k]!;
        expect(sum).toBeCloseTo(1, 5);
      }
      // every sampled new item and neighbour named by its dataset title
      for (const i of [...mml.newItems, ...mml.neighbours]) expect(mml.titles?.[i], `item ${i}`).toBeTruthy();
      // a second run (kernels warm): the same numbers, every tensor disposed
      const tensors = tf.memory().numTensors;
      const again = await run(TINY);
      expect(tf.memory().numTensors).toBe(tensors);
      expect(again.summary.epochs[1]!.trainLoss).toBe(summary.epochs[1]!.trainLoss);
      expect(again.summary.scenarios.warm!.ranking!.after).toEqual(summary.scenarios.warm!.ranking!.after);
    },
  );

  it(
    "mml-id and mml-text train exactly the fused run's learners: their rankings are its breakdown",
    { timeout: 120_000 },
    async () => {
      for (const learner of ['id', 'text'] as const) {
        const preset = PRESETS[learner === 'id' ? 'mml-id' : 'mml-text'].values;
        const { summary, events } = await run({ ...TINY, ...preset, ...pick(TINY) });
        for (const s of SCENARIOS) {
          const m = summary.scenarios[s]!;
          expect(m.ranking!.learners).toBeUndefined();
          expect(m.ranking!.after).toEqual(fused!.scenarios[s]!.ranking!.learners![learner]);
        }
        const mml = events.filter((e) => e.type === 'evaluated').at(-1)!.mml!;
        expect(mml.learners).toEqual([learner]);
        expect(Array.from(mml.weights).every((w) => w === 1)).toBe(true);
      }
    },
  );

  it('refuses another protocol and second order with a config failure', async () => {
    for (const change of [{ protocol: 'melu' }, { metaOrder: 'second-order' }] as const) {
      const { events } = await run({ ...TINY, ...change });
      expect(events.at(-1)).toMatchObject({ type: 'failed', code: 'config' });
    }
  });

  it('the GRU encoder: ranking metrics in range', { timeout: 120_000 }, async () => {
    const { summary } = await run({ ...TINY, sequenceEncoder: 'gru', epochs: 1 });
    for (const s of SCENARIOS) {
      const r = summary.scenarios[s]!.ranking!.after;
      expect(r.recall10 >= 0 && r.recall10 <= 1, s).toBe(true);
    }
  });
});

/** TINY's sizes, epochs and sample, to lay over a preset. */
function pick(c: TrainConfig): Partial<TrainConfig> {
  const keys = [
    'hiddenDim',
    'attentionBlocks',
    'textDim',
    'generatorNeighbours',
    'sequenceWindow',
    'sequenceMinItemRatings',
    'innerSteps',
    'batchSize',
    'epochs',
    'evalUsers',
  ] as const;
  return Object.fromEntries(keys.map((k) => [k, c[k]]));
}
