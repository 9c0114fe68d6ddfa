// `npx tsx bench/perKind.ts <ml-100k|ml-1m-published> <melu|mamo> [epochs] [seeds]` (defaults 20 and
// 1,2,3): the protocol of `npm run results` (src/experiment/job.ts) for one model, with another epoch
// budget or other seeds, printed as a table of the model against its non-meta baseline; it writes
// nothing. docs/findings.md, section 3, used it.
import { SCENARIOS } from '../src/data/scenarios/types';
import { loadNamed, tunedBase } from '../src/cli/datasets';
import { runJob, type PerKindSeed, type PickInfo } from '../src/experiment/job';
import { cell } from '../src/experiment/seedStats';
import { initBackend } from '../src/kernels/backend';
import { itemKindOf } from '../src/train/adaptation';

const [name = 'ml-1m-published', model = 'melu', epochArg = '20', seedArg = '1,2,3'] = process.argv.slice(2);
const { spec, base } = tunedBase(name, model);
const dataset = await loadNamed(name);
const backend = await initBackend('wasm');
const label = (p: PickInfo | undefined) => (p ? `dropout ${p.featureDropout}, epoch ${p.epoch}` : '–');
const rows: PerKindSeed[] = [];
for (const seed of seedArg.split(',').map(Number)) {
  const row = await runJob(dataset, base, seed, Number(epochArg), backend, undefined, console.log);
  rows.push(row);
  for (const s of SCENARIOS) {
    const k = itemKindOf(s);
    if (row.model[s] && row.baselines.nonMeta?.[s])
      console.log(
        `seed ${seed} ${s}: ${model} ${row.model[s].mae.toFixed(4)} (${label(row.picks.model[k] ?? row.picks.model.warmItems)}) | non-meta ${row.baselines.nonMeta[s].mae.toFixed(4)} (${label(row.picks.nonMeta[k] ?? row.picks.nonMeta.warmItems)})`,
      );
  }
}

console.log('');
console.log(
  `${spec.label}, ${model}, per-item-kind selection on validation, seeds ${seedArg}, up to ${epochArg} epochs`,
);
console.log(`| scenario | ${model} MAE | non-meta MAE | ${model} better in |`);
console.log('|---|---|---|---|');
for (const s of SCENARIOS) {
  const both = rows.filter((r) => r.model[s] && r.baselines.nonMeta?.[s]);
  if (!both.length) continue;
  const wins = both.filter((r) => r.model[s]!.mae < r.baselines.nonMeta![s]!.mae).length;
  console.log(
    `| ${s} | ${cell(both.map((r) => r.model[s]!.mae))} | ${cell(both.map((r) => r.baselines.nonMeta![s]!.mae))} | ${wins} of ${both.length} seeds |`,
  );
}
