// `npx tsx bench/profile.ts <melu|mamo> <strategy> [backend]`: where one meta-step's time goes, per tfjs
// kernel name (tf.profile's kernelTimeMs summed over a few steps), on the same data as bench/metaStep.ts.
// A diagnostic for speed work; prints a table, asserts nothing.
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_CONFIG, type TrainConfig } from '../src/config/experiment';
import { PRESETS } from '../src/config/presets';
import { initBackend, type BackendName } from '../src/kernels/backend';
import { createRng, permutation } from '../src/lib/rng';
import { batchTensors, disposeBatchTensors, makeBatch } from '../src/train/batch';
import { createMamoEngine, createMeluEngine } from '../src/train/engine';
import { problem } from './metaStep';

const [model = 'melu', strategy = 'algebraic', backend = 'wasm'] = process.argv.slice(2) as [
  'melu' | 'mamo',
  string,
  BackendName,
];
await initBackend(backend);
const config: TrainConfig = { ...DEFAULT_CONFIG, ...PRESETS[`${model}-paper`].values };
const { layout, train } = await problem(config);
const options = { config, layout, meanRating: 3.6, rng: createRng(1), strategy: strategy as 'tile' };
const engine = model === 'melu' ? createMeluEngine(options) : createMamoEngine(options);
const order = permutation(train.count, createRng(2));
const size = config.batchSize;
const totals = new Map<string, { ms: number; calls: number }>();
let wall = 0;
const steps = 8;
for (let s = 0; s < steps + 2; s++) {
  const ids = order.subarray(s * size, (s + 1) * size);
  const batch = batchTensors(makeBatch(train, ids, layout), layout);
  const b = { tasks: ids.length, groups: [batch], positions: [Int32Array.from(ids, (_, i) => i)] };
  const t0 = performance.now();
  const profile = await tf.profile(async () => {
    const loss = engine.trainStep(b);
    await loss.data();
    loss.dispose();
  });
  if (s >= 2) {
    wall += performance.now() - t0;
    for (const k of profile.kernels) {
      const entry = totals.get(k.name) ?? { ms: 0, calls: 0 };
      entry.ms += Number(await k.kernelTimeMs);
      entry.calls++;
      totals.set(k.name, entry);
      if (
        process.env.SHAPES &&
        s === 2 &&
        (process.env.SHAPES === 'all' ||
          ['BatchMatMul', 'MetaRecGatherRows', 'MetaRecSegmentMatMul', 'Multiply', 'Concat'].includes(k.name))
      )
        console.log(
          k.name,
          Number(await k.kernelTimeMs).toFixed(2),
          JSON.stringify(k.inputShapes),
          JSON.stringify(k.outputShapes),
        );
    }
  }
  disposeBatchTensors(batch);
  engine.commit();
}
const rows = [...totals.entries()].sort((a, b) => b[1].ms - a[1].ms);
const kernelMs = rows.reduce((a, [, v]) => a + v.ms, 0);
console.log(
  `${model} ${strategy} ${backend}: ${(wall / steps).toFixed(1)} ms/step under the profiler, kernels ${(kernelMs / steps).toFixed(1)} ms/step`,
);
console.log('kernel | ms/step | calls/step');
for (const [name, v] of rows.slice(0, 25))
  console.log(`${name} | ${(v.ms / steps).toFixed(2)} | ${(v.calls / steps).toFixed(0)}`);
