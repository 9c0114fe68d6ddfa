// `npx tsx bench/kindCurves.ts <ml-100k|ml-1m-published> <melu|mamo> [epochs] [overrides JSON]`:
// validation MAE per item kind (the warm cells, whose query items are warm, and the item-cold cells)
// every second epoch, at local rates chosen on those cells, for the non-meta baseline's network (with
// no feature dropout and with the model's) and for the tuned model of docs/tuning/<dataset>-<model>.json
// with more epochs (the overrides, e.g. '{"featureDropout":0}', change the model's run only).
// Validation users only; the test scenarios are never looked at. It is what docs/findings.md cites
// about why the non-meta model is level with, or ahead of, the meta-learners on new users.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CONFIG, type TrainConfig } from '../src/config/experiment';
import type { ScenarioRecord } from '../src/train/events';
import { initBackend } from '../src/kernels/backend';
import { createRng } from '../src/lib/rng';
import { createEngine, trainEpochs } from '../src/train/epochs';
import { candidateRates, chooseLocalRate, formatRates } from '../src/train/localRate';
import { DATASETS, experimentInput, loadNamed, runHeadless } from './experiment';
import type { TuningResult } from './tune';

const [name = 'ml-1m-published', model = 'melu', epochArg, overridesArg = '{}'] = process.argv.slice(2);
const spec = DATASETS[name];
if (!spec) throw new Error(`Unknown dataset ${name}; expected one of ${Object.keys(DATASETS).join(', ')}`);
const tuning = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', 'docs', 'tuning', `${name}-${model}.json`), 'utf8'),
) as TuningResult;
const epochs = Number(epochArg ?? 16);
const dataset = await loadNamed(name);
const base: TrainConfig = {
  ...DEFAULT_CONFIG,
  ...tuning.chosen,
  protocol: spec.protocol,
  seed: 1,
  backend: 'wasm',
  baselines: false,
  evalEvery: 2,
  chooseLocalRate: true,
};
const kinds = (r: ScenarioRecord) =>
  `warm cells ${r.warm?.mae.toFixed(4) ?? '-'}, item-cold cells ${r.item_cold?.mae.toFixed(4) ?? '-'}`;

console.log(`| network | epoch | validation MAE | local rates (warm / new items) |`);
console.log(`|---|---|---|---|`);
// the non-meta network: plain MSE on every training rating, as computeBaselines trains it
const backend = await initBackend('wasm');
for (const dropout of [...new Set([0, base.featureDropout])]) {
  const config: TrainConfig = { ...base, featureDropout: dropout, epochs };
  const input = experimentInput(dataset, config, backend);
  const rng = createRng(config.seed).fork('baselines');
  const engine = createEngine(input, rng.fork('nonMeta'), true);
  await trainEpochs(
    engine,
    input,
    {},
    rng.fork('nonMetaBatches'),
    null,
    async (record) => {
      if (record.epoch % 2) return;
      const c = await chooseLocalRate(engine, input, candidateRates(config.innerLr), (s) =>
        createRng(config.seed).fork('evaluation').fork(`nonMetaValidation:${s}`),
      );
      if (c)
        console.log(
          `| non-meta, dropout ${dropout} | ${record.epoch} | ${kinds(c.record)} | ${formatRates(c.rates)} |`,
        );
    },
    { epochs, supervised: true },
  );
  engine.dispose();
}
// the tuned model, its meta-training run on past the chosen epochs (pre-training epochs come first)
const modelConfig: TrainConfig = { ...base, ...(JSON.parse(overridesArg) as Partial<TrainConfig>) };
const modelEpochs = epochs - modelConfig.pretrainEpochs;
const outcome = await runHeadless(dataset, { ...modelConfig, epochs: modelEpochs }, true);
for (const e of outcome.evaluations)
  console.log(
    `| ${model} (tuned${overridesArg === '{}' ? '' : `, ${overridesArg}`}; ${modelConfig.pretrainEpochs} pre-training epochs first) | ${e.epoch + modelConfig.pretrainEpochs} | ${kinds(e.validation)} | ${outcome.summary.localRate && e.epoch === modelEpochs ? formatRates(outcome.summary.localRate) : ''} |`,
  );
