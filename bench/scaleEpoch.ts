// One MeLU training epoch on a large set, for bench/scale.ts, in its own process (its peak RSS is its
// own): `npx tsx bench/scaleEpoch.ts <path>` loads the set (the CLI's path), splits it with MeLU's
// protocol, and trains one epoch of the melu-paper preset (ragged plan, wasm, first order, its backward by
// hand). Prints {ratings, tasks, loadMs, splitMs, epochMs, tasksPerSecond, peakRssMB} as JSON.
import { DEFAULT_CONFIG, type TrainConfig } from '../src/config/experiment';
import { PRESETS } from '../src/config/presets';
import { loadPaths } from '../src/cli/readPaths';
import { experimentInput } from '../src/experiment/headless';
import { initBackend } from '../src/kernels/backend';
import { createRng } from '../src/lib/rng';
import { createEngine, trainEpochs } from '../src/train/epochs';

const path = process.argv[2];
if (!path) throw new Error('Expected a path: npx tsx bench/scaleEpoch.ts <folder or zip>');
const t0 = performance.now();
const dataset = await loadPaths([path]);
const loadMs = performance.now() - t0;
const config: TrainConfig = {
  ...DEFAULT_CONFIG,
  ...PRESETS['melu-paper'].values,
  epochs: 1,
  baselines: false,
};
const backend = await initBackend('wasm');
const t1 = performance.now();
const input = experimentInput(dataset, config, backend);
const splitMs = performance.now() - t1;
const engine = createEngine(input, createRng(config.seed).fork('bench'));
let tasks = 0;
const t2 = performance.now();
await trainEpochs(
  engine,
  input,
  {},
  createRng(1),
  (e) => (tasks += e.tasks ?? 0),
  async () => {},
  { epochs: 1, supervised: false },
);
const epochMs = performance.now() - t2;
engine.dispose();
console.log(
  JSON.stringify({
    ratings: dataset.ratings.count,
    trainingTasks: input.split.train.count,
    tasks,
    loadMs,
    splitMs,
    epochMs,
    tasksPerSecond: input.split.train.count / (epochMs / 1000),
    peakRssMB: process.resourceUsage().maxRSS / 1024,
  }),
);
