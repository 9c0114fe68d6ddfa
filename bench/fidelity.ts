// `npx tsx bench/fidelity.ts <seed> '<config json>' '<split options json>' <out.json>`: the melu-paper
// preset on MeLU's published split of the partial ML-1M (wasm, 20 epochs, no baselines) with config
// overrides and protocol options the config does not carry, e.g. '{"validationFraction":0,
// "warmTestFraction":0}' to train on every existing user as MeLU's code does (docs/fidelity.md).
// Writes the run summary (scenarios with mae, rmse, maeBefore) as JSON.
import { writeFileSync } from 'node:fs';
import { DEFAULT_CONFIG, type TrainConfig } from '../src/config/experiment';
import { PRESETS } from '../src/config/presets';
import type { SplitOptions } from '../src/data/scenarios/options';
import { initBackend } from '../src/kernels/backend';
import { loadNamed } from '../src/cli/datasets';
import { prepareExperiment } from '../src/train/prepare';
import { runExperiment } from '../src/train/run';

const [seed = '1', json = '{}', splitJson = '{}', out = 'fidelity.json'] = process.argv.slice(2);
const dataset = await loadNamed('ml-1m-published');
const config: TrainConfig = {
  ...DEFAULT_CONFIG,
  ...PRESETS['melu-paper'].values,
  protocol: 'published',
  backend: 'wasm',
  epochs: 20,
  baselines: false,
  seed: Number(seed),
  ...(JSON.parse(json) as Partial<TrainConfig>),
};
const backend = await initBackend('wasm');
const { split, layout } = prepareExperiment(dataset, config, JSON.parse(splitJson) as Partial<SplitOptions>);
console.log(`training tasks ${split.train.count}`);
const summary = await runExperiment({ datasetName: dataset.name, split, layout, config, backend }, (e) => {
  if (e.type === 'epoch') console.log(`epoch ${e.record.epoch}: train loss ${e.record.trainLoss.toFixed(4)}`);
  if (e.type === 'failed') console.log(`FAILED: ${e.message}`);
});
writeFileSync(out, JSON.stringify({ ...summary, split: split.summary }, null, 2));
console.log(`wrote ${out}`);
