// `npx tsx bench/sameNumbers.ts > out.json`: does a code change move the non-meta row's numbers? Run it in
// two checkouts (copy this file into the older one: it imports only what commit 0e4abaa already has) and
// compare the outputs with `cmp`. It trains protocol v1's non-meta network on ML-1M's published split
// (seed 101, one of the grid's 12 trained configurations) for 2 epochs through nonMetaCheckpoints, as a
// v1 job does, and at the epoch-2 checkpoint prints, for each of the 8 FINE_TUNE_GRID_V1 fine-tunings,
// the local rates chosen on validation users, every validation metric, and a hash of the test
// predictions (before and after adaptation) at the chosen rates. wasm in Node; the seconds go to stderr.
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { DEFAULT_CONFIG, type TrainConfig } from '../src/config/experiment';
import { PRESETS } from '../src/config/presets';
import { initBackend } from '../src/kernels/backend';
import { loadNamed } from '../src/cli/datasets';
import { DATASETS } from '../src/experiment/datasets';
import { experimentInput, nonMetaCheckpoints } from '../src/experiment/headless';
import { FINE_TUNE_GRID_V1, itemKindOf } from '../src/train/adaptation';
import { predictTaskSet } from '../src/train/evaluate';
import { ratingRange } from '../src/train/epochs';
import { evaluationSample } from '../src/train/sample';
import { SCENARIOS } from '../src/data/scenarios/types';

const name = 'ml-1m-published';
const chosen = (
  JSON.parse(readFileSync(`docs/tuning-v1/${name}-melu.json`, 'utf8')) as { chosen: Partial<TrainConfig> }
).chosen;
const config: TrainConfig = {
  ...DEFAULT_CONFIG,
  ...PRESETS['melu-paper'].values,
  ...chosen,
  protocol: DATASETS[name]!.protocol,
  seed: 101,
  epochs: 2,
  featureDropout: 0.3,
  outerLr: 1e-3,
  weightDecay: 3,
};
const dataset = await loadNamed(name);
const backend = await initBackend('wasm');
const input = experimentInput(dataset, config, backend);
const range = ratingRange(input.split.train);
const sample = evaluationSample(101, config.evalUsers);
const out: unknown[] = [];
const t0 = performance.now();
await nonMetaCheckpoints(
  input,
  async (engine, epoch, rates, validation, fineTune) => {
    // the test loop of experiment/nonMetaRow.ts nonMetaConfiguration (job.ts's at 0e4abaa), copied:
    // this file must also run at 0e4abaa
    const h = createHash('sha256');
    for (const s of SCENARIOS) {
      const set = input.split.test[s];
      if (set.count === 0) continue;
      const ids = sample.tasks('test', s, set.count);
      const p = await predictTaskSet(engine, set, ids, input.layout, {
        innerLr: rates[itemKindOf(s)],
        range,
        fineTune,
      });
      h.update(Buffer.from(p.before.predicted.buffer));
      h.update(Buffer.from(p.after.predicted.buffer));
    }
    out.push({ epoch, fineTune, rates, validation, test: h.digest('hex').slice(0, 16) });
  },
  (e) => e === 2,
  FINE_TUNE_GRID_V1,
);
console.error(`seconds ${((performance.now() - t0) / 1000).toFixed(0)}`);
console.log(JSON.stringify(out));
