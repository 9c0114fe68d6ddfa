// `npx tsx bench/nonMetaBudget.ts <ml-100k|ml-1m-published> <melu|mamo> <epochs> [seeds] [dropouts]`
// (defaults: seeds 1,2,3; dropouts 0): the non-meta half of `npm run results`' protocol alone
// (src/experiment/job.ts nonMetaSelection), with another epoch budget. It checks whether the baseline's
// picks, where they sit at the edge of the results budget, would move with more epochs. Prints each
// seed's per-kind picks (validation MAE) and the test MAE they report; writes nothing.
// docs/findings.md, section 7, used it.
import { SCENARIOS } from '../src/data/scenarios/types';
import { initBackend } from '../src/kernels/backend';
import { loadNamed, tunedBase } from '../src/cli/datasets';
import { experimentInput } from '../src/experiment/headless';
import { nonMetaSelection, seedConfig } from '../src/experiment/job';

const [name = 'ml-1m-published', model = 'mamo', epochArg = '30', seedArg = '1,2,3', dropArg = '0'] =
  process.argv.slice(2);
const { base } = tunedBase(name, model);
const dataset = await loadNamed(name);
const backend = await initBackend('wasm');
for (const seed of seedArg.split(',').map(Number)) {
  const config = seedConfig(base, seed, Number(epochArg));
  const { selection } = await nonMetaSelection(
    experimentInput(dataset, config, backend),
    config,
    seed,
    Number(epochArg),
    dropArg.split(',').map((d) => ({ featureDropout: Number(d) })),
    console.log,
  );
  for (const [kind, pick] of Object.entries(selection.picks()))
    if (pick) console.log(`seed ${seed} ${kind}: ${pick.label} (validation ${pick.mae.toFixed(4)})`);
  const reported = selection.reported();
  console.log(
    `seed ${seed} test MAE: ${SCENARIOS.filter((s) => reported[s])
      .map((s) => `${s} ${reported[s]!.metrics.mae.toFixed(4)}`)
      .join(', ')}`,
  );
}
