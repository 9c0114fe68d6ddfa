// MAMO meta-gradients (src/train/mamoMeta.ts) against a float64 finite difference of an independent
// plain-JS MAMO (tests/oracle/mamo64.ts), and the tile and loop strategies against each other.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { MamoDims, MamoParams } from '../models/mamo';
import type { MemoryState } from '../models/memory';
import { batchTensors, makeBatch } from './batch';
import { mamoMetaGradient, mamoMetaGradTile, type MamoConfig, type MamoStrategy } from './mamoMeta';
import { mamoPredict } from './mamoPredict';
import { tinyProblem } from '../../tests/helpers/tinyProblem';
import { switchToWebGPU } from '../../tests/helpers/webgpu';
import {
  dot,
  mamoShapes,
  randomRecord,
  relativeMaxDiff,
  toFlat,
  unitDirection,
} from '../../tests/helpers/params';
import { directional } from '../../tests/oracle/mlp64';
import type { Problem64 } from '../../tests/oracle/melu64';
import {
  mamoAdapted64,
  mamoFirstOrderLoss64,
  mamoMetaLoss64,
  type MamoSetup64,
} from '../../tests/oracle/mamo64';

const E = 3;
const H = 4;
const K = 3;
const prob = tinyProblem(21, { tasks: 4 });
const dims: MamoDims = { e: E, hidden: H, slots: K, user: prob.layout.user, item: prob.layout.item };
const DU = prob.layout.user.indexFields * E;
const USER_NET = DU * H + H + H * E + E;
const taskIds = [0, 1, 2, 3];
const p64: Problem64 = { layout: prob.layout, tasks: prob.tasks, taskIds, e: E };
const TAU = 0.5;
const SCALE = 2;

function makeParams(learnedRates = false): MamoParams {
  const r = randomRecord(mamoShapes(prob.layout, E, H), 3, 0.7);
  // learned log-rates: steps between about 0.5x and 2x the configured 0.1
  const rates = learnedRates ? randomRecord({ localLogRate: [13] }, 5, 0.3) : {};
  return { ...r, ...rates, br3: tf.add(r.br3, 3) } as unknown as MamoParams;
}

async function makeMemory(): Promise<{ memory: MemoryState; setup: MamoSetup64 }> {
  const m = randomRecord({ profile: [K, DU], gradient: [K, USER_NET], task: [K, E, 2 * E] }, 4, 0.8);
  // the flat M_U rows hold wu1, bu1, wu2, bu2 in order; M_UI = [user half | item half]
  const sizes = [DU * H, H, H * E, E];
  const parts = tf.split(m.gradient!, sizes, 1) as tf.Tensor2D[];
  const [taskUser, taskItem] = tf.split(m.task!, 2, 2) as tf.Tensor3D[];
  const memory: MemoryState = {
    profile: m.profile as tf.Tensor2D,
    gradient: { wu1: parts[0]!, bu1: parts[1]!, wu2: parts[2]!, bu2: parts[3]! },
    taskUser: taskUser!,
    taskItem: taskItem!,
  };
  const setup: MamoSetup64 = {
    prob: p64,
    hidden: H,
    tau: TAU,
    scale: SCALE,
    slope: 0.1,
    memory: {
      k: K,
      profile: Float64Array.from(await m.profile.data()),
      gradient: Float64Array.from(await m.gradient.data()),
      task: Float64Array.from(await m.task.data()),
    },
  };
  return { memory, setup };
}

function run(
  strategy: MamoStrategy,
  params: MamoParams,
  memory: MemoryState,
  cfg: MamoConfig,
  ids = taskIds,
) {
  const b = batchTensors(makeBatch(prob.tasks, ids, prob.layout), prob.layout);
  return mamoMetaGradient(strategy, params, memory, dims, b, cfg);
}

const config = (steps: number, order: MamoConfig['order']): MamoConfig => ({
  steps,
  lr: 0.1,
  order,
  personalInitScale: TAU,
  attentionScale: SCALE,
});

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`MAMO meta-gradient on ${backend}`, () => {
    beforeAll(async () => {
      expect(await tf.setBackend(backend)).toBe(true);
    });

    for (const strategy of ['tile', 'ragged', 'loop'] as const) {
      for (const steps of [1, 2]) {
        it(`${strategy}, ${steps} step(s), second order = FD of the float64 meta-loss`, async () => {
          const params = makeParams();
          const { memory, setup } = await makeMemory();
          const flat = await toFlat(params);
          const v = unitDirection(flat.data.length, 31);
          const r = run(strategy, params, memory, config(steps, 'second-order'));
          const exact = mamoMetaLoss64(flat, setup, steps, 0.1);
          expect(Math.abs((await r.loss.data())[0]! - exact) / exact).toBeLessThan(1e-5);
          const fd = directional(flat, v, 1e-6, (x) => mamoMetaLoss64(x, setup, steps, 0.1));
          expect(Math.abs((await dot(r.grads, flat, v)) - fd) / Math.abs(fd)).toBeLessThan(1e-5);
        });
        it(`${strategy}, ${steps} step(s), first order = FD with memory reads and local changes frozen`, async () => {
          const params = makeParams();
          const { memory, setup } = await makeMemory();
          const flat = await toFlat(params);
          const v = unitDirection(flat.data.length, 32);
          const r = run(strategy, params, memory, config(steps, 'first-order'));
          const adapted = mamoAdapted64(flat, setup, steps, 0.1);
          const fd = directional(flat, v, 1e-6, (x) => mamoFirstOrderLoss64(x, flat, setup, adapted));
          expect(Math.abs((await dot(r.grads, flat, v)) - fd) / Math.abs(fd)).toBeLessThan(1e-5);
        });
      }
    }

    for (const strategy of ['tile', 'ragged', 'loop'] as const) {
      for (const steps of [1, 2]) {
        for (const order of ['second-order', 'first-order'] as const) {
          it(`learned local rates: ${strategy}, ${steps} step(s), ${order}, the rates' gradient too`, async () => {
            const params = makeParams(true);
            const { memory, setup } = await makeMemory();
            const flat = await toFlat(params);
            const r = run(strategy, params, memory, config(steps, order));
            const adapted = mamoAdapted64(flat, setup, steps, 0.1);
            const f =
              order === 'second-order'
                ? (x: typeof flat) => mamoMetaLoss64(x, setup, steps, 0.1)
                : (x: typeof flat) => mamoFirstOrderLoss64(x, flat, setup, adapted, 0.1);
            const exact = f(flat);
            expect(Math.abs((await r.loss.data())[0]! - exact) / exact).toBeLessThan(1e-5);
            // a direction over every parameter, and one along the log-rates alone
            const v = unitDirection(flat.data.length, 33);
            const onRates = new Float64Array(flat.data.length);
            const i = flat.keys.indexOf('localLogRate');
            for (let k = 0; k < 13; k++) onRates[flat.offsets[i]! + k] = v[k]! + 0.3;
            for (const dir of [v, onRates]) {
              const fd = directional(flat, dir, 1e-6, f);
              expect(Math.abs((await dot(r.grads, flat, dir)) - fd) / Math.abs(fd)).toBeLessThan(1e-5);
            }
          });
        }
      }
    }

    it('tile = ragged = loop for the meta-gradient and every memory-write ingredient', async () => {
      const params = makeParams();
      const { memory } = await makeMemory();
      for (const [order, other] of [
        ['first-order', 'loop'],
        ['second-order', 'loop'],
        ['first-order', 'ragged'],
        ['second-order', 'ragged'],
      ] as const) {
        const a = run('tile', params, memory, config(2, order));
        const b = run(other, params, memory, config(2, order));
        expect(await relativeMaxDiff(a.grads, b.grads)).toBeLessThan(1e-5);
        const extras = (r: typeof a) => ({
          attention: r.attention,
          profiles: r.profiles,
          ...r.userGradients,
          muiUser: r.muiUser,
          muiItem: r.muiItem,
        });
        expect(await relativeMaxDiff(extras(a), extras(b))).toBeLessThan(1e-5);
      }
    });

    it('first and second order differ', async () => {
      const params = makeParams();
      const { memory } = await makeMemory();
      const fo = run('tile', params, memory, config(1, 'first-order'));
      const so = run('tile', params, memory, config(1, 'second-order'));
      expect(await relativeMaxDiff(fo.grads, so.grads)).toBeGreaterThan(1e-3);
    });
  });
}

// The ragged first-order step's backward is written out by hand (mamoByHand.ts); the taped version of
// the same step is its reference here, besides the float64 oracle above.
for (const backend of ['cpu', 'wasm'] as const) {
  describe(`MAMO first-order ragged step by hand = through the tape, on ${backend}`, () => {
    beforeAll(async () => {
      expect(await tf.setBackend(backend)).toBe(true);
    });
    for (const [steps, rates] of [
      [1, false],
      [2, true],
    ] as const) {
      it(`${steps} local step(s)${rates ? ', learned rates' : ''}: loss, gradients, memory-write ingredients (1e-5)`, async () => {
        const params = makeParams(rates);
        const { memory } = await makeMemory();
        const b = batchTensors(makeBatch(prob.tasks, taskIds, prob.layout), prob.layout);
        const cfg = config(steps, 'first-order');
        const hand = mamoMetaGradTile(params, memory, dims, b, cfg, 'ragged');
        const tape = mamoMetaGradTile(params, memory, dims, b, cfg, 'ragged', true);
        expect(Object.keys(hand.grads)).toEqual(Object.keys(tape.grads));
        expect(await relativeMaxDiff(hand.grads, tape.grads)).toBeLessThan(1e-5);
        expect(await relativeMaxDiff(hand.userGradients, tape.userGradients)).toBeLessThan(1e-5);
        expect(
          await relativeMaxDiff({ u: hand.muiUser, i: hand.muiItem }, { u: tape.muiUser, i: tape.muiItem }),
        ).toBeLessThan(1e-5);
        expect(Math.abs((await hand.loss.data())[0]! - (await tape.loss.data())[0]!)).toBeLessThan(1e-5);
      });
    }
    it('predictions after 3 local steps (learned rates): by hand on ragged rows = tile through the tape', async () => {
      const params = makeParams(true);
      const { memory } = await makeMemory();
      const b = batchTensors(makeBatch(prob.tasks, taskIds, prob.layout), prob.layout);
      const cfg = config(3, 'first-order');
      const hand = mamoPredict(params, memory, dims, b, cfg, 'ragged');
      const tape = mamoPredict(params, memory, dims, b, cfg, 'tile');
      const [h, t, before] = [await hand.after.data(), await tape.after.data(), await hand.before.data()];
      const real = await b.query.padWeight.data(); // padding slots hold no prediction
      const most = (f: (i: number) => number) =>
        Math.max(...Array.from(h, (_, i) => (real[i]! > 0 ? f(i) : 0)));
      expect(most((i) => Math.abs(h[i]! - before[i]!))).toBeGreaterThan(1e-3);
      expect(most((i) => Math.abs(h[i]! - t[i]!))).toBeLessThan(1e-5);
    });
  });
}

// The ragged plan on webgpu (Dawn + SwiftShader in Node: the WGSL segmented and row kernels and the
// fused attention, the plan strategy.ts picks there), against the float64 oracle; skipped without an adapter.
const webgpu = await switchToWebGPU();
describe.skipIf(!webgpu)('MAMO meta-gradient on webgpu, ragged plan', () => {
  beforeAll(async () => {
    expect(await tf.setBackend('webgpu')).toBe(true);
  });
  it('ragged, 1 step, first order = FD with memory reads and local changes frozen', async () => {
    const params = makeParams();
    const { memory, setup } = await makeMemory();
    const flat = await toFlat(params);
    const v = unitDirection(flat.data.length, 33);
    const r = run('ragged', params, memory, config(1, 'first-order'));
    const adapted = mamoAdapted64(flat, setup, 1, 0.1);
    const f = (x: typeof flat) => mamoFirstOrderLoss64(x, flat, setup, adapted);
    expect(Math.abs((await r.loss.data())[0]! - f(flat)) / f(flat)).toBeLessThan(1e-5);
    const fd = directional(flat, v, 1e-6, f);
    expect(Math.abs((await dot(r.grads, flat, v)) - fd) / Math.abs(fd)).toBeLessThan(1e-5);
  });
});
