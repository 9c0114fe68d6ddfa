// `npx tsx bench/rateSweep.ts <ml-100k|ml-1m-published> '<config json>'`: trains the configured model
// and the non-meta baseline's network (plain MSE, same epochs), then prints each one's validation MAE
// at every local rate of LOCAL_RATE_GRID and at 0.1 (validation users only, never the test scenarios).
// It is how LOCAL_RATE_GRID (src/train/localRate.ts) was bracketed.
import { DEFAULT_CONFIG, type TrainConfig } from '../src/config/experiment';
import { initBackend } from '../src/kernels/backend';
import type { ModelEngine } from '../src/train/engine';
import { createEngine, trainEpochs } from '../src/train/epochs';
import { LOCAL_RATE_GRID, validationAtRates } from '../src/train/localRate';
import { runExperiment } from '../src/train/run';
import { loadNamed } from '../src/cli/datasets';
import { DATASETS } from '../src/experiment/datasets';
import { experimentInput } from '../src/experiment/headless';
import { createRng } from '../src/lib/rng';
import { evaluationSample } from '../src/train/sample';

const [name = 'ml-1m-published', json = '{}'] = process.argv.slice(2);
const spec = DATASETS[name];
if (!spec) throw new Error(`Unknown dataset ${name}; expected one of ${Object.keys(DATASETS).join(', ')}`);
const dataset = await loadNamed(name);
const config: TrainConfig = {
  ...DEFAULT_CONFIG,
  protocol: spec.protocol,
  ...(JSON.parse(json) as Partial<TrainConfig>),
  baselines: false,
  chooseLocalRate: false,
};
const backend = await initBackend('wasm');
const input = experimentInput(dataset, config, backend);
const rates = [...LOCAL_RATE_GRID, 0.1];
const sample = evaluationSample(config.seed, config.evalUsers).picker('validation');

async function print(label: string, engine: ModelEngine): Promise<void> {
  for (const r of await validationAtRates(engine, input, rates, sample))
    console.log(
      `${label} rate ${r.lr}: mean ${r.mae.toFixed(4)} | ${Object.entries(r.record)
        .map(([s, m]) => `${s} ${m!.mae.toFixed(4)}`)
        .join(' | ')}`,
    );
}

let model: ModelEngine | null = null;
await runExperiment(input, () => {}, { validationOnly: true, retainEngine: (e) => (model = e) });
await print(config.model, model!);
(model as ModelEngine | null)?.dispose();
// the non-meta network exactly as computeBaselines trains it (same forks), without its dropout choice
const rng = createRng(config.seed).fork('baselines');
const nonMeta = createEngine(input, rng.fork('nonMeta'), true);
await trainEpochs(nonMeta, input, {}, rng.fork('nonMetaBatches'), null, async () => {}, {
  epochs: config.epochs + (config.model === 'melu' ? config.pretrainEpochs : 0),
  supervised: true,
});
await print('non-meta', nonMeta);
nonMeta.dispose();
