// `npx tsx bench/kindCurves.ts <ml-100k|ml-1m-published> <melu|mamo> [epochs] [overrides JSON]`:
// validation MAE per item kind (the warm cells, whose query items are warm, and the item-cold cells)
// every second epoch, at local rates chosen on those cells, for the non-meta baseline's network (with
// no feature dropout and with the model's) and for the tuned model of docs/tuning/<dataset>-<model>.json
// with more epochs (the overrides, e.g. '{"featureDropout":0}', change the model's run only, except
// "seed", which sets both runs' seed: 1 by default).
// Validation users only; the test scenarios are never looked at. It is what docs/findings.md cites
// about why the non-meta model is level with, or ahead of, the meta-learners on new users.
import { type TrainConfig } from '../src/config/experiment';
import type { ScenarioRecord } from '../src/train/events';
import { initBackend } from '../src/kernels/backend';
import { formatRates } from '../src/train/adaptation';
import { loadNamed, tunedBase } from '../src/cli/datasets';
import { experimentInput, nonMetaCheckpoints, runHeadless } from '../src/experiment/headless';

const [name = 'ml-1m-published', model = 'melu', epochArg, overridesArg = '{}'] = process.argv.slice(2);
const { base: tuned } = tunedBase(name, model);
const epochs = Number(epochArg ?? 16);
const overrides = JSON.parse(overridesArg) as Partial<TrainConfig>;
const dataset = await loadNamed(name);
const base: TrainConfig = {
  ...tuned,
  seed: overrides.seed ?? 1, // a seed override also re-draws the non-meta network's run
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
  await nonMetaCheckpoints(experimentInput(dataset, config, backend), async (_, epoch, rates, validation) =>
    console.log(`| non-meta, dropout ${dropout} | ${epoch} | ${kinds(validation)} | ${formatRates(rates)} |`),
  );
}
// the tuned model, its meta-training run on past the chosen epochs (pre-training epochs come first)
const modelConfig: TrainConfig = { ...base, ...overrides };
const modelEpochs = epochs - modelConfig.pretrainEpochs;
const outcome = await runHeadless(dataset, { ...modelConfig, epochs: modelEpochs }, true, backend);
for (const e of outcome.evaluations)
  console.log(
    `| ${model} (tuned${overridesArg === '{}' ? '' : `, ${overridesArg}`}; ${modelConfig.pretrainEpochs} pre-training epochs first) | ${e.epoch + modelConfig.pretrainEpochs} | ${kinds(e.validation)} | ${outcome.summary.localRate && e.epoch === modelEpochs ? formatRates(outcome.summary.localRate) : ''} |`,
  );
