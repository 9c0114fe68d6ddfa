// Where the time goes before the first meta-step of the default configuration on the synthetic demo
// (the app's first Train): seconds from runExperiment's start to each event type's first arrival.
// Printed, never asserted. `npx tsx bench/firstPoint.ts [wasm|cpu] [key=value ...]`
import { readPaths } from '../src/cli/readPaths';
import { DEFAULT_CONFIG, type TrainConfig } from '../src/config/experiment';
import { loadDataset } from '../src/data/detect';
import { readSource } from '../src/data/source';
import { initBackend, type BackendName } from '../src/kernels/backend';
import { prepareExperiment } from '../src/train/prepare';
import { runExperiment } from '../src/train/run';

const backendName = (process.argv[2] ?? 'wasm') as BackendName;
const overrides = Object.fromEntries(
  process.argv.slice(3).map((kv) => {
    const [k, v] = kv.split('=') as [string, string];
    return [k, v === 'true' ? true : v === 'false' ? false : Number.isNaN(Number(v)) ? v : Number(v)];
  }),
) as Partial<TrainConfig>;
const config: TrainConfig = { ...DEFAULT_CONFIG, ...overrides };
const t0 = performance.now();
const backend = await initBackend(backendName);
const tBackend = performance.now();
const dataset = await loadDataset(readSource(readPaths(['public/datasets/demo'])));
const prepared = prepareExperiment(dataset, config);
const tData = performance.now();
console.log(
  `backend ${backend.name} ${((tBackend - t0) / 1000).toFixed(2)} s; data+split ${((tData - tBackend) / 1000).toFixed(2)} s`,
);
const start = performance.now();
const seen = new Set<string>();
await runExperiment(
  { datasetName: dataset.name, split: prepared.split, layout: prepared.layout, config, backend },
  (e) => {
    const key = e.type === 'phase' ? `phase ${e.name}${e.done === 0 ? ' start' : ''}` : e.type;
    if (seen.has(key)) return;
    seen.add(key);
    console.log(`${((performance.now() - start) / 1000).toFixed(2)} s  ${key}`);
  },
);
console.log(`total ${((performance.now() - start) / 1000).toFixed(2)} s`);
