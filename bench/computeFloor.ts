// `npx tsx bench/computeFloor.ts`: the arithmetic floor of a MeLU meta-step on tfjs-wasm in Node, to read
// the wasm throughput targets of issue #22 against (printed, never asserted).
//
// Multiply-adds of one meta-step of batch B on the bench data (bench/metaStep.ts problem), per row of a
// task (support or query) with F = Di H + H H + H (the item part of the first layer, a hidden layer,
// the output; the user part Du H is once per task, ragged layout):
//   first order, k local steps:  k (F + F + (F - Di H))  [support forward, dW, dX below the first layer]
//                                + 3 F (query forward, dW, dX to the embeddings)
//   second order adds the backward through every local step's own backward, counted as twice that
//   step's cost (reverse mode over a gradient): + k 2 (3 F - Di H)
// The rate: tfjs-wasm's 2-D matMul (XNNPACK) on [R, Di] x [Di, H], the step's biggest product shape at
// the batch's support rows R, best of 20 after warm-up: the fastest a product of these shapes runs here.
// floor ms/step = 2 MACs / rate; ceiling tasks/s = B / floor. Everything else (embedding bags, row
// scatters, elementwise ops, the optimizer, kernel dispatch) only adds to it. Then where a real step's
// time goes: tf.profile's kernel times of 10 engine.trainStep calls (MeLU paper preset, the ragged plan,
// after 2 warm-up steps), summed per kernel name, ms per step.
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_CONFIG, type TrainConfig } from '../src/config/experiment';
import { PRESETS } from '../src/config/presets';
import { initBackend } from '../src/kernels/backend';
import { createRng, permutation } from '../src/lib/rng';
import { sideWidth } from '../src/models/embedding';
import { batchTensors, disposeBatchTensors, makeBatch } from '../src/train/batch';
import { createMeluEngine } from '../src/train/engine';
import { chooseStrategy } from '../src/train/strategy';
import { problem } from './metaStep';

await initBackend('wasm');
const config: TrainConfig = { ...DEFAULT_CONFIG, ...PRESETS['melu-paper'].values };
const { layout, train } = await problem(config);
const e = config.embeddingDim;
const h = config.hiddenDim;
const di = sideWidth(layout.item, e);
const du = sideWidth(layout.user, e);
const b = config.batchSize;
const supportRows = train.supportOffsets[train.count]! / train.count;
const queryRows = train.queryOffsets[train.count]! / train.count;
const f = di * h + h * h + h;
const macs = (steps: number, secondOrder: boolean) => {
  const perTaskSupport = steps * (3 * f - di * h) * supportRows + steps * 2 * du * h;
  const perTaskQuery = 3 * f * queryRows + 3 * du * h;
  const second = secondOrder ? steps * 2 * ((3 * f - di * h) * supportRows + 2 * du * h) : 0;
  return b * (perTaskSupport + perTaskQuery + second);
};

// the rate: the first layer's product over a batch's support rows
const rows = Math.round(b * supportRows);
const x = tf.randomNormal([rows, di]);
const w = tf.randomNormal([di, h]);
for (let k = 0; k < 5; k++) tf.matMul(x, w).dispose();
let best = Infinity;
for (let k = 0; k < 20; k++) {
  const t = performance.now();
  const y = tf.matMul(x, w);
  await y.data();
  best = Math.min(best, performance.now() - t);
  y.dispose();
}
const rate = (2 * rows * di * h) / (best / 1000);

// where a step's time goes
const engine = createMeluEngine({
  config,
  layout,
  meanRating: 3.6,
  rng: createRng(1),
  strategy: chooseStrategy('melu', 'wasm', config.innerSteps),
});
const order = permutation(train.count, createRng(2));
const byName: Record<string, number> = {};
let kernelMs = 0;
let wallMs = 0;
const profiled = 10;
for (let s = 0; s < profiled + 2; s++) {
  const ids = order.subarray(s * b, (s + 1) * b);
  const batch = batchTensors(makeBatch(train, ids, layout), layout);
  const grouped = { tasks: ids.length, groups: [batch], positions: [Int32Array.from(ids, (_, i) => i)] };
  const step = async () => {
    const loss = engine.trainStep(grouped);
    await loss.data();
    loss.dispose();
  };
  if (s < 2) await step();
  else {
    const t = performance.now();
    const profile = await tf.profile(step);
    wallMs += performance.now() - t;
    for (const k of profile.kernels) {
      const ms = (await k.kernelTimeMs) as number;
      byName[k.name] = (byName[k.name] ?? 0) + ms / profiled;
      kernelMs += ms / profiled;
    }
  }
  disposeBatchTensors(batch);
  engine.commit();
}
engine.dispose();
const top = Object.entries(byName)
  .sort((p, q) => q[1] - p[1])
  .slice(0, 10)
  .map(([name, ms]) => ({ name, ms }));

const rowsOut = [
  ['MeLU one step, first order', 1, false],
  ['MeLU-5, first order', 5, false],
  ['MeLU-5, second order', 5, true],
] as const;
console.log(
  JSON.stringify({
    data: `${train.count} training tasks; per task ${supportRows.toFixed(1)} support and ${queryRows.toFixed(1)} query rows`,
    widths: { di, du, h },
    batch: b,
    matMulGflops: rate / 1e9,
    productShape: [rows, di, h],
    profiledStep: { kernelMs, wallMs: wallMs / profiled, top },
    rows: rowsOut.map(([name, steps, second]) => {
      const m = macs(steps, second);
      const floorMs = ((2 * m) / rate) * 1000;
      return { name, megaMacs: m / 1e6, floorMs, ceilingTasksPerSecond: b / (floorMs / 1000) };
    }),
  }),
);
