// `npx tsx bench/rateChoice.ts [non-meta|melu+|mamo+] [dataset]`: the wall time of one checkpoint's
// local-rate choice on the validation users, as a protocol v1 job runs it (localRate.ts
// validationAtRates over candidateRates): the non-meta row tries 8 rates for each of its 8 fine-tunings
// (FINE_TUNE_GRID_V1), MeLU+ and MAMO+ 8 rates with their own adaptation. The engine is untrained (the
// cost does not depend on the weights), the config is the tuning file's choice (docs/tuning-v1), seed
// 101's evaluation sample, wasm in Node. Prints each fine-tuning's seconds alone and the checkpoint's
// total as a job runs it (the non-meta row: all 8 fine-tunings in one sweep, validationAtFineTunings,
// which shares the batches, the prediction before adaptation and the first local steps across them; the
// first of three passes warms up) and the peak of the tensors alive during the sweep, as one JSON line.
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_CONFIG, type TrainConfig } from '../src/config/experiment';
import { PRESETS } from '../src/config/presets';
import { initBackend } from '../src/kernels/backend';
import { loadNamed } from '../src/cli/datasets';
import { DATASETS } from '../src/experiment/datasets';
import { experimentInput } from '../src/experiment/headless';
import { createEngine } from '../src/train/epochs';
import { createRng } from '../src/lib/rng';
import { FINE_TUNE_GRID_V1, FULL_FINE_TUNE, formatFineTune } from '../src/train/adaptation';
import { candidateRates, validationAtFineTunings, validationAtRates } from '../src/train/localRate';
import { evaluationSample } from '../src/train/sample';

const [row = 'non-meta', name = 'ml-1m-published'] = process.argv.slice(2);
const model = row === 'mamo+' ? 'mamo' : 'melu';
const tuning = `docs/tuning-v1/${name}-${model}.json`;
const chosen = (JSON.parse(readFileSync(tuning, 'utf8')) as { chosen: Partial<TrainConfig> }).chosen;
const config: TrainConfig = {
  ...DEFAULT_CONFIG,
  ...PRESETS[model === 'mamo' ? 'mamo-paper' : 'melu-paper'].values,
  ...chosen,
  protocol: DATASETS[name]!.protocol,
  seed: 101,
};
const dataset = await loadNamed(name);
const backend = await initBackend('wasm');
const input = experimentInput(dataset, config, backend);
const engine = createEngine(input, createRng(1), row === 'non-meta');
const picker = evaluationSample(config.seed, config.evalUsers).picker(
  row === 'non-meta' ? 'nonMetaValidation' : 'validation',
);
const fineTunes = row === 'non-meta' ? FINE_TUNE_GRID_V1 : [FULL_FINE_TUNE];
const rates = candidateRates(config.innerLr);

async function checkpoint(): Promise<{ total: number; each: Record<string, number> }> {
  const each: Record<string, number> = {};
  for (const fineTune of fineTunes) {
    const t1 = performance.now();
    await validationAtRates(engine, input, rates, picker, fineTune);
    each[formatFineTune(fineTune)] = +((performance.now() - t1) / 1000).toFixed(2);
  }
  const t0 = performance.now();
  await validationAtFineTunings(engine, input, rates, picker, fineTunes);
  return { total: +((performance.now() - t0) / 1000).toFixed(2), each };
}

// the tensors alive at once during the checkpoint's sweep (tf.profile's peak), MB
const peak = (
  await tf.profile(async () => {
    await validationAtFineTunings(engine, input, rates, picker, fineTunes);
  })
).peakBytes;

await checkpoint(); // warm-up: kernels compiled, memory grown
const runs = [await checkpoint(), await checkpoint()];
console.log(
  JSON.stringify({
    row,
    dataset: name,
    rates: rates.length,
    seconds: runs.map((r) => r.total),
    peakTensorMB: Math.round(peak / 2 ** 20),
    alone: runs.map(
      (r) =>
        +Object.values(r.each)
          .reduce((a, b) => a + b, 0)
          .toFixed(2),
    ),
    fineTunings: runs[1]!.each,
  }),
);
engine.dispose();
