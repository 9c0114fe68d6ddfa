// `npx tsx bench/kernelCount.ts <melu|mamo> [strategy] [backend]`: tfjs kernels in one meta-step
// (engine.trainStep: meta-gradient and Adam update; tf.profile after one warm-up step), per kernel name,
// on the data of bench/metaStep.ts with the model's paper preset (1 local step, first order). Strategy
// default: the one strategy.ts picks for the backend; backend default webgpu (Dawn in Node: SwiftShader
// here, so counts, not timings). Prints one JSON line; `npm run bench` runs it for the webgpu rows.
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_CONFIG, type TrainConfig } from '../src/config/experiment';
import { PRESETS } from '../src/config/presets';
import { initBackend, type BackendName } from '../src/kernels/backend';
import { createRng, permutation } from '../src/lib/rng';
import { batchTensors, disposeBatchTensors, makeBatch } from '../src/train/batch';
import { createMamoEngine, createMeluEngine } from '../src/train/engine';
import { chooseStrategy } from '../src/train/strategy';
import { problem } from './metaStep';

const [model = 'melu', strategyArg, backend = 'webgpu'] = process.argv.slice(2) as [
  'melu' | 'mamo',
  string | undefined,
  BackendName,
];
const uninstall =
  backend === 'webgpu' ? await (await import('../src/cli/webgpuNode')).installNodeWebGPU() : null;
const info = await initBackend(backend);
if (info.name !== backend)
  throw new Error(`backend ${backend} unavailable: ${info.fallbacks.map((f) => f.reason).join('; ')}`);
const config: TrainConfig = { ...DEFAULT_CONFIG, ...PRESETS[`${model}-paper`].values };
const strategy = strategyArg ?? chooseStrategy(model, backend, config.innerSteps);
// KERNELS_TINY=1: a tiny random problem (same kernels, seconds on SwiftShader; for development)
const { layout, train } = process.env.KERNELS_TINY
  ? await import('../tests/helpers/tinyProblem').then(({ tinyProblem }) => {
      const p = tinyProblem(1, { tasks: 2 * config.batchSize });
      return { layout: p.layout, train: p.tasks };
    })
  : await problem(config);
const options = { config, layout, meanRating: 3.6, rng: createRng(1), strategy: strategy as 'tile' };
const engine = model === 'melu' ? createMeluEngine(options) : createMamoEngine(options);
const order = permutation(train.count, createRng(2));
const size = config.batchSize;
const byName: Record<string, number> = {};
let kernels = 0;
// webgpu: also the GPU programs dispatched (Reshape and Identity share data and dispatch none; a fused
// kernel may dispatch several), by wrapping the backend's runWebGPUProgram during the profiled step
let dispatches = 0;
let counting = false;
const gpu = tf.backend() as unknown as { runWebGPUProgram?: (...args: unknown[]) => unknown };
if (gpu.runWebGPUProgram) {
  const original = gpu.runWebGPUProgram.bind(gpu);
  gpu.runWebGPUProgram = (...args: unknown[]) => {
    if (counting) dispatches++;
    return original(...args);
  };
}
for (let s = 0; s < 2; s++) {
  const ids = order.subarray(s * size, (s + 1) * size);
  const batch = batchTensors(makeBatch(train, ids, layout), layout);
  const b = { tasks: ids.length, groups: [batch], positions: [Int32Array.from(ids, (_, i) => i)] };
  const step = async () => {
    const loss = engine.trainStep(b);
    await loss.data();
    loss.dispose();
  };
  if (s === 0) await step();
  else {
    counting = true;
    const profile = await tf.profile(step);
    counting = false;
    kernels = profile.kernels.length;
    for (const k of profile.kernels) {
      byName[k.name] = (byName[k.name] ?? 0) + 1;
      if (process.env.KERNELS_LIST)
        console.error(k.name, JSON.stringify(k.inputShapes), JSON.stringify(k.outputShapes));
    }
  }
  disposeBatchTensors(batch);
  engine.commit();
}
engine.dispose();
const sorted = Object.fromEntries(Object.entries(byName).sort((a, b) => b[1] - a[1]));
console.log(
  JSON.stringify({ model, strategy, backend, order: config.metaOrder, kernels, dispatches, byName: sorted }),
);
uninstall?.();
