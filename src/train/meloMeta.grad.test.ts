// MELO's meta-gradient (meloMeta.ts) against a float64 finite difference of an independent plain-JS
// meta-loss (tests/oracle/melo64.ts) on two tiny tasks: <grad, v> over (theta, local rates, phi) for
// second order (true MAML through the weighted local steps, with and without MSL; LSTM, MLP and no
// weighting; the attention and the GRU backbone) and first order (local gradients held constant: phi gets no gradient).
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../lib/rng';
import { initSequence, sequenceKeys, type SequenceDims } from '../models/sequence';
import { initWeighting, type Weighting } from '../models/sequenceWeighting';
import { meloMetaGradient, type MeloConfig, type MeloState, type SequenceBatch } from './meloMeta';
import { meloMetaLoss64, type Record64, type Task64 } from '../../tests/oracle/melo64';

const dims: SequenceDims = { items: 7, length: 4, hidden: 4, heads: 2, blocks: 2, ffn: 4 };
const TASKS: Task64[] = [
  { items: [1, 2, 3, 4], ratings: [4, 2, 5, 3], support: 3 },
  { items: [5, 2, 6], ratings: [1, 3, 4], support: 2 },
];
const STEPS = 2;

function batchOf(tasks: Task64[]): SequenceBatch {
  const pad = (f: (t: Task64, l: number) => number) =>
    tasks.flatMap((t) => Array.from({ length: dims.length }, (_, l) => (l < t.items.length ? f(t, l) : 0)));
  const shape: [number, number] = [tasks.length, dims.length];
  return {
    items: tf.tensor2d(
      pad((t, l) => t.items[l]!),
      shape,
      'int32',
    ),
    ratings: tf.tensor2d(
      pad((t, l) => t.ratings[l]!),
      shape,
    ),
    support: tf.tensor2d(
      pad((t, l) => (l < t.support ? 1 : 0)),
      shape,
    ),
    query: tf.tensor2d(
      pad((t, l) => (l >= t.support ? 1 : 0)),
      shape,
    ),
    supportLength: Math.max(...tasks.map((t) => t.support)),
  };
}

const rng = createRng(5);
const noisy = (r: Record<string, tf.Tensor>, std: number) =>
  Object.fromEntries(
    Object.entries(r).map(([k, t]) => [
      k,
      tf.add(
        t,
        tf.tensor(
          Float32Array.from({ length: t.size }, () => rng.normal() * std),
          t.shape,
        ),
      ),
    ]),
  );

function makeState(weighting: Weighting, d: SequenceDims = dims): MeloState {
  const theta = noisy(initSequence(d, createRng(1), 3), 0.3);
  const rateKeys = ['itemRows', ...sequenceKeys(d).filter((k) => k !== 'itemEmb')];
  const rates = Object.fromEntries(
    rateKeys.map((k) => [
      k,
      tf.tensor1d(Float32Array.from({ length: STEPS }, () => 0.05 + 0.03 * rng.next())),
    ]),
  );
  const phi = weighting === 'none' ? null : noisy(initWeighting(weighting, 3, createRng(2)), 0.4);
  return { theta, rates, phi };
}

async function to64(r: Readonly<Record<string, tf.Tensor>>): Promise<Record64> {
  const out: Record64 = {};
  for (const [k, t] of Object.entries(r))
    out[k] = { shape: t.shape, data: Float64Array.from(await t.data()) };
  return out;
}

const direction = (r: Record64): Record64 =>
  Object.fromEntries(
    Object.entries(r).map(([k, t]) => [k, { shape: t.shape, data: t.data.map(() => rng.normal()) }]),
  );
const moved = (r: Record64, v: Record64, e: number): Record64 =>
  Object.fromEntries(
    Object.entries(r).map(([k, t]) => [
      k,
      { shape: t.shape, data: t.data.map((x, i) => x + e * v[k]!.data[i]!) },
    ]),
  );
async function dot(g: Readonly<Record<string, tf.Tensor>>, v: Record64): Promise<number> {
  let s = 0;
  for (const [k, t] of Object.entries(g)) (await t.data()).forEach((x, i) => (s += x * v[k]!.data[i]!));
  return s;
}

const gruDims: SequenceDims = { ...dims, encoder: 'gru' };
const CASES: [string, Weighting, MeloConfig['order'], number[] | null, SequenceDims?][] = [
  ['second order, LSTM weighting, GRU backbone (melo-gru)', 'lstm', 'second-order', [0.3, 0.7], gruDims],
  ['second order, LSTM weighting, MSL', 'lstm', 'second-order', [0.3, 0.7]],
  ['second order, MLP weighting', 'mlp', 'second-order', null],
  ['second order, no weighting (maml-sequence), MSL', 'none', 'second-order', [0.4, 0.6]],
  ['first order, LSTM weighting', 'lstm', 'first-order', null],
  ['first order, no weighting, MSL', 'none', 'first-order', [0.4, 0.6]],
];

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`MELO meta-gradient vs float64 finite differences on ${backend}`, () => {
    beforeAll(async () => {
      expect(await tf.setBackend(backend)).toBe(true);
    });
    for (const [name, weighting, order, stepWeights, caseDims = dims] of backend === 'cpu'
      ? CASES
      : CASES.slice(0, 2)) {
      it(name, { timeout: 60_000 }, async () => {
        const state = makeState(weighting, caseDims);
        const config: MeloConfig = { steps: STEPS, order, weighting, stepWeights };
        const grad = meloMetaGradient(state, caseDims, batchOf(TASKS), config);
        const [theta, rates, phi] = [
          await to64(state.theta),
          await to64(state.rates),
          state.phi ? await to64(state.phi) : null,
        ];
        const [vt, vr, vp] = [direction(theta), direction(rates), phi ? direction(phi) : null];
        const cfg64 = {
          blocks: dims.blocks,
          heads: dims.heads,
          hidden: dims.hidden,
          steps: STEPS,
          weighting,
          order,
          stepWeights,
          encoder: caseDims.encoder ?? 'attention',
        };
        const record: number[][][][] = [];
        const base = meloMetaLoss64(theta, rates, phi, TASKS, cfg64, undefined, record);
        expect(Math.abs(base - (await grad.loss.data())[0]!)).toBeLessThan(1e-4 * Math.max(1, base));
        const frozen = order === 'first-order' ? record : undefined;
        const at = (e: number) =>
          meloMetaLoss64(
            moved(theta, vt, e),
            moved(rates, vr, e),
            phi && vp ? moved(phi, vp, e) : null,
            TASKS,
            cfg64,
            frozen,
          );
        const e = 1e-5;
        const fd = (at(e) - at(-e)) / (2 * e);
        const analytic =
          (await dot(grad.theta, vt)) +
          (await dot(grad.rates, vr)) +
          (grad.phi && vp ? await dot(grad.phi, vp) : 0);
        expect(
          Math.abs(analytic - fd) / Math.max(1e-2, Math.abs(fd)),
          `analytic ${analytic} fd ${fd}`,
        ).toBeLessThan(2e-3);
        if (phi && vp) {
          // phi alone: its part of the directional derivative (zero in first order)
          const fdPhi =
            (meloMetaLoss64(theta, rates, moved(phi, vp, e), TASKS, cfg64, frozen) -
              meloMetaLoss64(theta, rates, moved(phi, vp, -e), TASKS, cfg64, frozen)) /
            (2 * e);
          const aPhi = await dot(grad.phi!, vp);
          expect(
            Math.abs(aPhi - fdPhi) / Math.max(1e-3, Math.abs(fdPhi)),
            `phi: analytic ${aPhi} fd ${fdPhi}`,
          ).toBeLessThan(5e-3);
          if (order === 'second-order') expect(Math.abs(fdPhi)).toBeGreaterThan(1e-4);
        }
      });
    }
  });
}
