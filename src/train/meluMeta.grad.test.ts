// MeLU meta-gradients (src/train/meluMeta.ts) against a float64 finite difference of an independent
// plain-JS implementation of the same meta-loss (tests/oracle/melu64.ts). A float32 finite difference
// would be meaningless here: the MAML loss jumps at every support ReLU kink (batched-meta-step.md).
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { MeluDims, MeluParams } from '../models/melu';
import { batchTensors, makeBatch } from './batch';
import type { InnerConfig } from './meta';
import type { FineTune } from './adaptation';
import { meluMetaGradient, meluMetaGradPerTaskTape, meluPredict, type MeluStrategy } from './meluMeta';
import { meluMetaGradRaggedTape } from './meluRagged';
import { tinyProblem } from '../../tests/helpers/tinyProblem';
import { switchToWebGPU } from '../../tests/helpers/webgpu';
import {
  dot,
  meluShapes,
  randomRecord,
  relativeMaxDiff,
  toFlat,
  unitDirection,
} from '../../tests/helpers/params';
import { directional } from '../../tests/oracle/mlp64';
import {
  meluDeltas64,
  meluMetaLoss64,
  meluQueryLoss64,
  rates64,
  type Problem64,
} from '../../tests/oracle/melu64';

const E = 3;
const H = 5;
const prob = tinyProblem(11, { tasks: 5 });
const dims: MeluDims = { e: E, hidden: H, user: prob.layout.user, item: prob.layout.item };
const taskIds = [0, 1, 2, 3, 4];
const p64: Problem64 = { layout: prob.layout, tasks: prob.tasks, taskIds, e: E };

/** Random parameters of a MeLU with `layers` hidden layers (the output bias near the rating scale). */
function makeParams(seed: number, learnedRates = false, layers = 2): MeluParams {
  const shapes: Record<string, number[]> = meluShapes(prob.layout, E, H, layers);
  if (learnedRates) shapes.localLogRate = [3 + 2 * layers];
  const r = randomRecord(shapes, seed, 0.6);
  const out = `b${layers + 1}`;
  return { ...r, [out]: tf.add(r[out]!, 3) } as unknown as MeluParams;
}

const STRATEGIES: MeluStrategy[] = ['loop', 'tile', 'algebraic', 'ragged'];

function metaGrad(strategy: MeluStrategy, params: MeluParams, inner: InnerConfig, ids = taskIds) {
  const b = batchTensors(makeBatch(prob.tasks, ids, prob.layout), prob.layout);
  return meluMetaGradient(strategy, params, dims, b, inner);
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`MeLU meta-gradient on ${backend}`, () => {
    beforeAll(async () => {
      expect(await tf.setBackend(backend)).toBe(true);
    });

    describe('vs float64 finite differences', () => {
      for (const steps of [1, 2]) {
        for (const strategy of STRATEGIES) {
          if (strategy === 'algebraic' && steps > 1) continue;
          it(`${strategy}, ${steps} step(s), second order: <grad, v> = FD of the true MAML loss`, async () => {
            const params = makeParams(5);
            const inner: InnerConfig = { steps, lr: 0.05, order: 'second-order' };
            const flat = await toFlat(params);
            const v = unitDirection(flat.data.length, 7);
            const { loss, grads } = metaGrad(strategy, params, inner);
            const exact = meluMetaLoss64(flat, p64, steps, 0.05);
            expect(Math.abs((await loss.data())[0]! - exact) / exact).toBeLessThan(1e-5);
            const fd = directional(flat, v, 1e-6, (x) => meluMetaLoss64(x, p64, steps, 0.05));
            const analytic = await dot(grads, flat, v);
            expect(Math.abs(analytic - fd) / Math.abs(fd)).toBeLessThan(1e-5);
          });
          it(`${strategy}, ${steps} step(s), first order: <grad, v> = FD with the local change frozen`, async () => {
            const params = makeParams(5);
            const inner: InnerConfig = { steps, lr: 0.05, order: 'first-order' };
            const flat = await toFlat(params);
            const v = unitDirection(flat.data.length, 8);
            const { grads } = metaGrad(strategy, params, inner);
            const frozen = meluDeltas64(flat, p64, steps, 0.05);
            const fd = directional(flat, v, 1e-6, (x) => meluQueryLoss64(x, p64, frozen));
            const analytic = await dot(grads, flat, v);
            expect(Math.abs(analytic - fd) / Math.abs(fd)).toBeLessThan(1e-5);
          });
        }
      }
    });

    // at MeLU's 2 hidden layers and at 3 (config hiddenLayers: every formulation loops over the
    // record's layers, models/melu.ts meluLayers; the oracle too)
    describe('learned local rates (one per adapted tensor) vs float64 finite differences', () => {
      for (const [steps, layers] of [
        [1, 2],
        [2, 2],
        [1, 3],
        [2, 3],
      ] as const) {
        for (const strategy of STRATEGIES) {
          if (strategy === 'algebraic' && steps > 1) continue;
          for (const order of ['second-order', 'first-order'] as const) {
            it(`${strategy}, ${steps} step(s), ${order}, ${layers} hidden layers: the rates' gradient too`, async () => {
              const params = makeParams(6, true, layers);
              const inner: InnerConfig = { steps, lr: 0.05, order };
              const flat = await toFlat(params);
              const frozen = { lr: 0.05, rates: rates64(flat, 0.05) };
              const deltas = meluDeltas64(flat, p64, steps, 0.05);
              const f =
                order === 'second-order'
                  ? (x: typeof flat) => meluMetaLoss64(x, p64, steps, 0.05)
                  : (x: typeof flat) => meluQueryLoss64(x, p64, deltas, frozen);
              const { loss, grads } = metaGrad(strategy, params, inner);
              const exact = f(flat);
              expect(Math.abs((await loss.data())[0]! - exact) / exact).toBeLessThan(1e-5);
              // a direction over every parameter, and one along the log-rates alone
              const v = unitDirection(flat.data.length, 17);
              const onRates = new Float64Array(flat.data.length);
              const i = flat.keys.indexOf('localLogRate');
              for (let k = 0; k < 3 + 2 * layers; k++) onRates[flat.offsets[i]! + k] = v[k]! + 0.3;
              for (const dir of [v, onRates]) {
                const fd = directional(flat, dir, 1e-6, f);
                const analytic = await dot(grads, flat, dir);
                expect(Math.abs(analytic - fd) / Math.abs(fd)).toBeLessThan(1e-5);
              }
            });
          }
        }
      }
    });

    describe('strategies agree', () => {
      for (const order of ['first-order', 'second-order'] as const) {
        it(`loop = tile = algebraic = ragged (${order})`, async () => {
          const params = makeParams(9);
          const inner: InnerConfig = { steps: 1, lr: 0.05, order };
          const loop = metaGrad('loop', params, inner);
          for (const other of ['tile', 'algebraic', 'ragged'] as const) {
            const g = metaGrad(other, params, inner);
            expect(await relativeMaxDiff(g.grads, loop.grads)).toBeLessThan(1e-5);
            expect(Math.abs((await g.loss.data())[0]! - (await loop.loss.data())[0]!)).toBeLessThan(1e-5);
          }
        });
      }

      for (const order of ['first-order', 'second-order'] as const) {
        it(`loop = tile = ragged with 3 local steps (${order})`, async () => {
          const params = makeParams(9);
          const inner: InnerConfig = { steps: 3, lr: 0.05, order };
          const loop = metaGrad('loop', params, inner);
          for (const other of ['tile', 'ragged'] as const) {
            const g = metaGrad(other, params, inner);
            expect(await relativeMaxDiff(g.grads, loop.grads)).toBeLessThan(1e-5);
            expect(Math.abs((await g.loss.data())[0]! - (await loop.loss.data())[0]!)).toBeLessThan(1e-5);
          }
        });
      }

      it('first and second order differ where the local step matters', async () => {
        const params = makeParams(9);
        const fo = metaGrad('tile', params, { steps: 1, lr: 0.05, order: 'first-order' });
        const so = metaGrad('tile', params, { steps: 1, lr: 0.05, order: 'second-order' });
        expect(await relativeMaxDiff(fo.grads, so.grads)).toBeGreaterThan(1e-3);
      });

      it('the meta-gradient of a batch is the mean of the per-task meta-gradients', async () => {
        const params = makeParams(9);
        const inner: InnerConfig = { steps: 1, lr: 0.05, order: 'second-order' };
        const batch = metaGrad('algebraic', params, inner);
        const per = taskIds.map((t) => metaGrad('algebraic', params, inner, [t]).grads);
        const mean: Record<string, tf.Tensor> = {};
        for (const key of Object.keys(batch.grads)) {
          mean[key] = tf.div(tf.addN(per.map((g) => g[key as keyof MeluParams]!)), per.length);
        }
        expect(await relativeMaxDiff(batch.grads, mean)).toBeLessThan(1e-5);
      });
    });
  });
}

// A third hidden layer (config hiddenLayers: 3): the strategies agree there too (the float64 checks at
// depth 3 are in the learned-rates section above).
for (const backend of ['cpu', 'wasm'] as const) {
  describe(`MeLU with 3 hidden layers on ${backend}`, () => {
    beforeAll(async () => {
      expect(await tf.setBackend(backend)).toBe(true);
    });
    it('loop = tile = algebraic = ragged at depth 3 (both orders)', async () => {
      const params = makeParams(13, false, 3);
      for (const order of ['first-order', 'second-order'] as const) {
        const inner: InnerConfig = { steps: 1, lr: 0.05, order };
        const loop = metaGrad('loop', params, inner);
        for (const other of ['tile', 'algebraic', 'ragged'] as const)
          expect(await relativeMaxDiff(metaGrad(other, params, inner).grads, loop.grads)).toBeLessThan(1e-5);
      }
    });
  });
}

// The first-order ragged step is written out by hand (meluRagged.ts firstOrderByHand: no tape); the
// taped version of the same function is its reference here, besides the float64 oracle above.
for (const backend of ['cpu', 'wasm'] as const) {
  describe(`MeLU first-order ragged step by hand = through the tape, on ${backend}`, () => {
    beforeAll(async () => {
      expect(await tf.setBackend(backend)).toBe(true);
    });
    for (const [layers, rates] of [
      [2, false],
      [2, true],
      [3, true],
    ] as const) {
      it(`${layers} hidden layers${rates ? ', learned rates' : ''}: loss and every gradient (1e-5)`, async () => {
        const params = makeParams(21, rates, layers);
        const inner: InnerConfig = { steps: 1, lr: 0.05, order: 'first-order' };
        const b = batchTensors(makeBatch(prob.tasks, taskIds, prob.layout), prob.layout);
        const hand = meluMetaGradient('ragged', params, dims, b, inner);
        const tape = meluMetaGradRaggedTape(params, dims, b, inner);
        expect(Object.keys(hand.grads)).toEqual(Object.keys(tape.grads));
        expect(await relativeMaxDiff(hand.grads, tape.grads)).toBeLessThan(1e-5);
        expect(Math.abs((await hand.loss.data())[0]! - (await tape.loss.data())[0]!)).toBeLessThan(1e-5);
      });
    }
  });
}

// Several local steps on ragged rows are written out by hand too (meluRaggedSteps.ts: the second order by
// Hessian-vector products, no tape); the taped per-task step is its reference here, besides the oracle.
for (const backend of ['cpu', 'wasm'] as const) {
  describe(`MeLU K-step ragged meta-gradient by hand = through the tape, on ${backend}`, () => {
    beforeAll(async () => {
      expect(await tf.setBackend(backend)).toBe(true);
    });
    for (const [layers, rates, order, steps] of [
      [2, false, 'second-order', 3],
      [2, true, 'second-order', 2],
      [3, true, 'second-order', 3],
      [2, true, 'first-order', 3],
      [3, false, 'first-order', 2],
    ] as const) {
      it(`${layers} hidden layers, ${steps} steps, ${order}${rates ? ', learned rates' : ''}: loss and every gradient (1e-5)`, async () => {
        const params = makeParams(23, rates, layers);
        const inner: InnerConfig = { steps, lr: 0.05, order };
        const b = batchTensors(makeBatch(prob.tasks, taskIds, prob.layout), prob.layout);
        const hand = meluMetaGradient('ragged', params, dims, b, inner);
        const tape = meluMetaGradPerTaskTape('ragged', params, dims, b, inner);
        expect(Object.keys(hand.grads)).toEqual(Object.keys(tape.grads));
        expect(await relativeMaxDiff(hand.grads, tape.grads)).toBeLessThan(1e-5);
        expect(Math.abs((await hand.loss.data())[0]! - (await tape.loss.data())[0]!)).toBeLessThan(1e-5);
      });
    }
    it('predictions after 3 local steps (learned rates, 3 hidden layers): by hand = tile through the tape', async () => {
      const params = makeParams(29, true, 3);
      const inner: InnerConfig = { steps: 3, lr: 0.05, order: 'second-order' };
      const b = batchTensors(makeBatch(prob.tasks, taskIds, prob.layout), prob.layout);
      const hand = meluPredict('ragged', params, dims, b, inner);
      const tape = meluPredict('tile', params, dims, b, inner);
      const [h, t] = [await hand.after.data(), await tape.after.data()];
      const before = await hand.before.data();
      const real = await b.query.padWeight.data(); // padding slots hold no prediction
      const most = (f: (i: number) => number) =>
        Math.max(...Array.from(h, (_, i) => (real[i]! > 0 ? f(i) : 0)));
      expect(most((i) => Math.abs(h[i]! - before[i]!))).toBeGreaterThan(1e-3);
      expect(most((i) => Math.abs(h[i]! - t[i]!))).toBeLessThan(1e-5);
    });
    it('clipped fine-tuning (per-task norm over the moving keys): by hand = tile through the tape', async () => {
      const params = makeParams(31, false, 2);
      const inner: InnerConfig = { steps: 2, lr: 0.05, order: 'first-order' };
      const b = batchTensors(makeBatch(prob.tasks, taskIds, prob.layout), prob.layout);
      const real = await b.query.padWeight.data();
      const after = async (strategy: MeluStrategy, fineTune: FineTune) =>
        meluPredict(strategy, params, dims, b, inner, fineTune).after.data();
      for (const layers of ['all', 'last'] as const) {
        const free = await after('ragged', { layers, clip: 0, steps: 2 });
        for (const clip of [0.02, 0.3]) {
          const [h, t] = [
            await after('ragged', { layers, clip, steps: 2 }),
            await after('tile', { layers, clip, steps: 2 }),
          ];
          const most = (f: (i: number) => number) =>
            Math.max(...Array.from(h, (_, i) => (real[i]! > 0 ? f(i) : 0)));
          expect(
            most((i) => Math.abs(h[i]! - t[i]!)),
            `${layers} ${clip}`,
          ).toBeLessThan(1e-5);
          if (clip === 0.02)
            expect(
              most((i) => Math.abs(h[i]! - free[i]!)),
              layers,
            ).toBeGreaterThan(1e-4);
        }
      }
    });
  });
}

// The ragged plan on webgpu (Dawn + SwiftShader in Node: the WGSL segmented and row kernels, the plan
// strategy.ts picks there), against the same float64 finite differences; skipped without an adapter.
const webgpu = await switchToWebGPU();
describe.skipIf(!webgpu)('MeLU meta-gradient on webgpu, every layout', () => {
  beforeAll(async () => {
    expect(await tf.setBackend('webgpu')).toBe(true);
  });
  // ragged is the plan strategy.ts picks there; the others run where a backend lacks the kernels
  const cases = [1, 2].flatMap((steps) =>
    STRATEGIES.filter((s) => steps === 1 || s !== 'algebraic').flatMap((strategy) =>
      (['first-order', 'second-order'] as const).flatMap((order) =>
        [2, 3].map((layers) => [steps, strategy, order, layers] as const),
      ),
    ),
  );
  for (const [steps, strategy, order, layers] of cases) {
    it(`${strategy}, ${steps} step(s), ${order}, ${layers} hidden layers: <grad, v> = FD of the float64 loss`, async () => {
      const params = makeParams(5, false, layers);
      const inner: InnerConfig = { steps, lr: 0.05, order };
      const flat = await toFlat(params);
      const v = unitDirection(flat.data.length, 9);
      const { loss, grads } = metaGrad(strategy, params, inner);
      const frozen = meluDeltas64(flat, p64, steps, 0.05);
      const f =
        order === 'second-order'
          ? (x: typeof flat) => meluMetaLoss64(x, p64, steps, 0.05)
          : (x: typeof flat) => meluQueryLoss64(x, p64, frozen);
      const exact = f(flat);
      expect(Math.abs((await loss.data())[0]! - exact) / exact).toBeLessThan(1e-5);
      const fd = directional(flat, v, 1e-6, f);
      expect(Math.abs((await dot(grads, flat, v)) - fd) / Math.abs(fd)).toBeLessThan(1e-5);
    });
  }
});
