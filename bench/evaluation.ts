// `npx tsx bench/evaluation.ts [dataset] [model] [fineTune json]`: wall time of one evaluation pass
// (every validation and test task of every scenario, before and after local adaptation, as
// predictTaskSet does it during a run) on wasm in Node, with an untrained engine of the model's paper
// preset (the cost does not depend on the weights), or with EVAL_CONFIG=<tuning json> that file's chosen
// config over the preset (docs/tuning-v1/ml-1m-published-mamo.json: MAMO+'s). Prints one JSON line.
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_CONFIG, type TrainConfig } from '../src/config/experiment';
import { PRESETS } from '../src/config/presets';
import { initBackend } from '../src/kernels/backend';
import { loadNamed } from '../src/cli/datasets';
import { DATASETS } from '../src/experiment/datasets';
import { experimentInput } from '../src/experiment/headless';
import { createEngine } from '../src/train/epochs';
import { predictTaskSet } from '../src/train/evaluate';
import { ratingRange } from '../src/train/epochs';
import { createRng } from '../src/lib/rng';
import { SCENARIOS } from '../src/data/scenarios/types';
import type { FineTune } from '../src/train/adaptation';

const [name = 'ml-1m-published', model = 'melu', fineTuneJson = ''] = process.argv.slice(2);
const spec = DATASETS[name]!;
const dataset = await loadNamed(name);
const preset = model === 'mamo' ? 'mamo-paper' : model === 'non-meta' ? 'melu-paper' : 'melu-paper';
const chosen = process.env.EVAL_CONFIG
  ? (JSON.parse(readFileSync(process.env.EVAL_CONFIG, 'utf8')) as { chosen: Partial<TrainConfig> }).chosen
  : {};
const config: TrainConfig = {
  ...DEFAULT_CONFIG,
  ...PRESETS[preset as keyof typeof PRESETS].values,
  ...chosen,
  protocol: spec.protocol,
};
const backend = await initBackend('wasm');
const input = experimentInput(dataset, config, backend);
const engine = createEngine(input, createRng(1), model === 'non-meta');
const fineTune = fineTuneJson ? (JSON.parse(fineTuneJson) as FineTune) : undefined;
const range = ratingRange(input.split.train);

async function pass(): Promise<{ tasks: number; seconds: number }> {
  const t0 = performance.now();
  let tasks = 0;
  for (const part of ['validation', 'test'] as const)
    for (const s of SCENARIOS) {
      const set = input.split[part][s];
      if (set.count === 0) continue;
      const ids = Int32Array.from({ length: set.count }, (_, i) => i);
      await predictTaskSet(engine, set, ids, input.layout, {
        range,
        fineTune,
        innerLr: config.innerLr,
        batchSize: Number(process.env.EVAL_BATCH ?? 64),
      });
      tasks += set.count;
    }
  return { tasks, seconds: (performance.now() - t0) / 1000 };
}
await pass(); // warm-up: kernels compiled, shapes seen
const runs = [await pass(), await pass()];
const kernels = process.env.EVAL_PROFILE ? 0 : (await tf.profile(() => pass())).kernels.length;
console.log(
  JSON.stringify({
    dataset: name,
    model,
    fineTune: fineTune ?? null,
    tasks: runs[0]!.tasks,
    seconds: runs.map((r) => +r.seconds.toFixed(2)),
    kernels,
  }),
);
if (process.env.EVAL_PROFILE) {
  const info = await tf.profile(() => pass());
  const by = new Map<string, { n: number; ms: number }>();
  for (const k of info.kernels) {
    const r = by.get(k.name) ?? { n: 0, ms: 0 };
    r.n++;
    r.ms += Number(k.kernelTimeMs) || 0;
    by.set(k.name, r);
  }
  for (const [n, r] of [...by].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15))
    console.log(`${n}\t${r.n}\t${r.ms.toFixed(0)} ms`);
}
engine.dispose();
