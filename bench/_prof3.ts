import * as tf from '@tensorflow/tfjs';
import { DEFAULT_CONFIG, type TrainConfig } from '../src/config/experiment';
import { PRESETS } from '../src/config/presets';
import { initBackend } from '../src/kernels/backend';
import { createRng, permutation } from '../src/lib/rng';
import { batchTensors, disposeBatchTensors, makeBatch } from '../src/train/batch';
import { createMamoEngine, createMeluEngine } from '../src/train/engine';
import { chooseStrategy } from '../src/train/strategy';
import { problem } from '../bench/metaStep';
const model = (process.argv[2] ?? 'melu') as 'melu' | 'mamo';
await initBackend('wasm');
const tuned = process.env.CFG ? JSON.parse((await import('node:fs')).readFileSync(process.env.CFG, 'utf8')).chosen : {};
const config: TrainConfig = { ...tuned, ...DEFAULT_CONFIG, ...PRESETS[`${model}-paper`].values, ...(process.env.SECOND ? { innerSteps: 5, innerLr: 0.01, metaOrder: 'second-order' as const } : {}), ...tuned };
const strategy = chooseStrategy(model, 'wasm', config.innerSteps);
const { layout, train } = await problem(config);
const options = { config, layout, meanRating: 3.6, rng: createRng(1), strategy: strategy as 'tile' };
const engine = model === 'melu' ? createMeluEngine(options) : createMamoEngine(options);
const order = permutation(train.count, createRng(2));
const size = config.batchSize;
const byName: Record<string, number> = {};
const byShape: Record<string, number> = {};
let total = 0; let wall = 0;
for (let s = 0; s < 12; s++) {
  const ids = order.subarray(s * size, (s + 1) * size);
  const batch = batchTensors(makeBatch(train, ids, layout), layout);
  const b = { tasks: ids.length, groups: [batch], positions: [Int32Array.from(ids, (_, i) => i)] };
  const step = async () => { const loss = engine.trainStep(b); await loss.data(); loss.dispose(); };
  if (s < 2) await step();
  else {
    const t0 = performance.now();
    const profile = await tf.profile(step);
    wall += performance.now() - t0;
    for (const k of profile.kernels) { const ms = await k.kernelTimeMs as number; byName[k.name] = (byName[k.name] ?? 0) + ms; total += ms; if (process.env.SHAPES && (process.env.SHAPES.split(',').includes(k.name))) { const key = k.name + ' ' + JSON.stringify(k.inputShapes).replace(/\b\d{3,4}\b/g, 'R') + ' -> ' + JSON.stringify(k.outputShapes).replace(/\b\d{3,4}\b/g, 'R'); byShape[key] = (byShape[key] ?? 0) + ms; } }
  }
  disposeBatchTensors(batch);
  engine.commit();
}
console.log(model, strategy, 'kernel ms/step', (total / 10).toFixed(2), 'wall ms/step (profiled)', (wall / 10).toFixed(2));
for (const [k, v] of Object.entries(byName).sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(k.padEnd(28), (v / 10).toFixed(2));

for (const [k, v] of Object.entries(byShape).sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(k.padEnd(100), (v / 10).toFixed(3));
