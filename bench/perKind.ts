// `npx tsx bench/perKind.ts <ml-100k|ml-1m-published> <melu|mamo> [epochs] [seeds]` (defaults 20 and
// 1,2,3): the test scenarios under PER-ITEM-KIND selection, a protocol next to the one of
// docs/results.md (docs/findings.md, section 3 says why). For the tuned model of docs/tuning/ and for the
// non-meta baseline's network alike, the same choices are open: feature dropout (the model's or none)
// and the epoch (every second one up to `epochs`, pre-training included). They are chosen on the
// VALIDATION users separately for each item kind. The best checkpoint on the validation warm cells gives
// the test scenarios with warm query items (warm, new user). The best on the validation item-cold cells
// gives those with new items (new item, new user & item). Every checkpoint is also evaluated on the test
// scenarios, and only the validation decides which of those numbers is reported; no test number
// chooses anything. Local rates are chosen on validation at every checkpoint, as in results.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CONFIG, type TrainConfig } from '../src/config/experiment';
import { SCENARIOS } from '../src/data/scenarios/types';
import { initBackend } from '../src/kernels/backend';
import { testTaskIds } from '../src/train/baselines';
import { predictTaskSet, scenarioMetrics } from '../src/train/evaluate';
import type { ScenarioRecord } from '../src/train/events';
import { createKindSelection, type KindSelection } from '../src/train/kindSelection';
import { itemKindOf } from '../src/train/localRate';
import { cell, DATASETS, experimentInput, loadNamed, nonMetaCheckpoints, runHeadless } from './experiment';
import type { TuningResult } from './tune';

const [name = 'ml-1m-published', model = 'melu', epochArg = '20', seedArg = '1,2,3'] = process.argv.slice(2);
const spec = DATASETS[name];
if (!spec) throw new Error(`Unknown dataset ${name}; expected one of ${Object.keys(DATASETS).join(', ')}`);
const tuning = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', 'docs', 'tuning', `${name}-${model}.json`), 'utf8'),
) as TuningResult;
const budget = Number(epochArg);
const seeds = seedArg.split(',').map(Number);
const dataset = await loadNamed(name);
const base: TrainConfig = {
  ...DEFAULT_CONFIG,
  ...tuning.chosen,
  protocol: spec.protocol,
  backend: 'wasm',
  baselines: false,
  evalEvery: 2,
  chooseLocalRate: true,
};
const dropouts = [...new Set([base.featureDropout, 0])];
type Reported = ReturnType<KindSelection['reported']>;

const backend = await initBackend('wasm');
const rows: { seed: number; model: Reported; nonMeta: Reported }[] = [];
for (const seed of seeds) {
  const modelBest = createKindSelection();
  for (const featureDropout of dropouts) {
    const config = { ...base, seed, featureDropout, epochs: budget - base.pretrainEpochs };
    const outcome = await runHeadless(dataset, config, false);
    for (const e of outcome.evaluations)
      if (e.epoch > 0)
        modelBest.consider(
          `dropout ${featureDropout}, epoch ${e.epoch + base.pretrainEpochs}`,
          e.validation,
          e.test,
        );
  }
  const nonMetaBest = createKindSelection();
  for (const featureDropout of dropouts) {
    const input = experimentInput(dataset, { ...base, seed, featureDropout, epochs: budget }, backend);
    await nonMetaCheckpoints(input, async (engine, epoch, rates, validation) => {
      if (!nonMetaBest.improves(validation)) return;
      const test: ScenarioRecord = {};
      for (const s of SCENARIOS) {
        const set = input.split.test[s];
        if (set.count === 0) continue;
        const ids = testTaskIds(seed, base.evalUsers, set.count, s);
        const p = await predictTaskSet(engine, set, ids, input.layout, { innerLr: rates[itemKindOf(s)] });
        test[s] = scenarioMetrics(set, p);
      }
      nonMetaBest.consider(`dropout ${featureDropout}, epoch ${epoch}`, validation, test);
    });
  }
  const row = { seed, model: modelBest.reported(), nonMeta: nonMetaBest.reported() };
  rows.push(row);
  for (const s of SCENARIOS)
    if (row.model[s] && row.nonMeta[s])
      console.log(
        `seed ${seed} ${s}: ${model} ${row.model[s].metrics.mae.toFixed(4)} (${row.model[s].label}) | non-meta ${row.nonMeta[s].metrics.mae.toFixed(4)} (${row.nonMeta[s].label})`,
      );
}

console.log('');
console.log(
  `${spec.label}, ${model}, per-item-kind selection on validation, seeds ${seeds.join(', ')}, up to ${budget} epochs`,
);
console.log(`| scenario | ${model} MAE | non-meta MAE | ${model} better in |`);
console.log('|---|---|---|---|');
for (const s of SCENARIOS) {
  const both = rows.filter((r) => r.model[s] && r.nonMeta[s]);
  if (!both.length) continue;
  const wins = both.filter((r) => r.model[s]!.metrics.mae < r.nonMeta[s]!.metrics.mae).length;
  console.log(
    `| ${s} | ${cell(both.map((r) => r.model[s]!.metrics.mae))} | ${cell(both.map((r) => r.nonMeta[s]!.metrics.mae))} | ${wins} of ${both.length} seeds |`,
  );
}
