// `npm run results` (= npm run cli -- results): writes docs/results-pre-v1.md. For each staged dataset and model, the configuration
// chosen on validation users (docs/tuning/<dataset>-<model>.json, from `npm run tune`) is trained with
// seeds 1, 2, 3 under per-item-kind selection (src/experiment/job.ts): for the model and the non-meta
// baseline alike, the validation users choose the feature dropout and the epoch separately for the
// test scenarios with warm query items and for those with new ones. Every number in the tables comes
// from these runs (mean +- std over the seeds). Each (dataset, model) is a part, stored in
// docs/results-runs/<dataset>-<model>.json, so parts can run as separate processes side by side and
// the document is assembled from whatever parts are stored:
//   npm run results                                   every part, then the document
//   npm run results -- --only <dataset> [--model m]   those parts, then the document
//     [--epochs n]                                     the epoch budget of those parts (default RESULTS_EPOCHS)
//   npm run results -- --assemble                     the document from the stored parts
//   npm run results -- --speed-only                   only the speed section (docs/bench-latest.md)
// The section on the single-checkpoint protocol reads docs/results-single-runs.json (its runs, made
// by this script at commit 41d13af, when that was the protocol).
// The same runs as jobs of a spec, with per-user errors and paired intervals: experiments/results-legacy.json
// (npm run cli -- experiment experiments/results-legacy.json; docs/scale-out.md).
import { migrateKeys } from '../config/migrations';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CONFIG, type TrainConfig } from '../config/experiment';
import type { RunSummary } from '../train/events';
import { initBackend } from '../kernels/backend';
import { DATASETS } from '../experiment/datasets';
import { RESULTS_OPTIONS, runJob, type PerKindSeed } from '../experiment/job';
import {
  MODELS,
  RESULTS_EPOCHS,
  renderPart,
  resultsIntro,
  singleProtocolSection,
  speedSection,
  type Model,
  type Part,
} from '../experiment/resultsReport';
import type { TuningResult } from '../experiment/tuneGrids';
import { datasetsRoot, loadNamed } from './datasets';

const ROOT = join(import.meta.dirname, '..', '..');
const DOCS = join(ROOT, 'docs');
const PARTS = join(DOCS, 'results-runs');
const SEEDS = [1, 2, 3];
const partFile = (dataset: string, model: string) => join(PARTS, `${dataset}-${model}.json`);
/** The runs of the protocol this one replaced (docs/results-single-runs.json), if stored. */
const single = () => {
  const file = join(DOCS, 'results-single-runs.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, RunSummary[]>) : null;
};
/** The last `npm run bench` output, if stored. */
const benchText = () => {
  const file = join(DOCS, 'bench-latest.md');
  return existsSync(file) ? readFileSync(file, 'utf8') : null;
};

async function computePart(name: string, model: Model, epochs?: number): Promise<void> {
  const spec = DATASETS[name]!;
  const tuningFile = join(DOCS, 'tuning', `${name}-${model}.json`);
  if (!existsSync(tuningFile)) {
    console.log(`${name} ${model}: no tuning result (run npm run tune -- ${name} ${model}); skipped`);
    return;
  }
  const tuning = JSON.parse(readFileSync(tuningFile, 'utf8')) as TuningResult;
  const dataset = await loadNamed(name);
  const base: TrainConfig = {
    ...DEFAULT_CONFIG,
    ...migrateKeys(tuning.chosen),
    model,
    protocol: spec.protocol,
  };
  const budget = epochs ?? RESULTS_EPOCHS;
  const backend = await initBackend('wasm');
  const seeds: PerKindSeed[] = [];
  for (const seed of SEEDS)
    seeds.push(
      await runJob(dataset, base, seed, budget, backend, RESULTS_OPTIONS, (l) =>
        console.log(`${name} ${model} ${l}`),
      ),
    );
  const part: Part = {
    dataset: name,
    model,
    date: new Date().toISOString().slice(0, 10),
    budget,
    tuning: { chosen: tuning.chosen, seeds: tuning.seeds ?? [1], epochs: tuning.epochs },
    seeds,
  };
  mkdirSync(PARTS, { recursive: true });
  writeFileSync(partFile(name, model), JSON.stringify(part) + '\n');
  console.log(`${name} ${model}: stored ${partFile(name, model)}`);
}

function assemble(): void {
  const out: string[] = ['# Results', ''];
  const parts: Part[] = [];
  const body: string[] = [];
  for (const [name, spec] of Object.entries(DATASETS)) {
    body.push(`## ${spec.label}`, '');
    const here = MODELS.map((m) => partFile(name, m)).filter(existsSync);
    if (!here.length) {
      body.push(
        spec.folders.some((f) => !existsSync(join(datasetsRoot(), f)))
          ? 'skipped: no data'
          : `not run yet: \`npm run results -- --only ${name}\``,
        '',
      );
      continue;
    }
    for (const file of here) {
      const part = JSON.parse(readFileSync(file, 'utf8')) as Part;
      parts.push(part);
      body.push(...renderPart(part));
    }
  }
  out.push(
    ...resultsIntro(parts).slice(2),
    ...body,
    ...singleProtocolSection(parts, single()),
    ...speedSection(benchText()),
  );
  writeFileSync(join(DOCS, 'results-pre-v1.md'), out.join('\n') + '\n');
  console.log(`wrote docs/results-pre-v1.md from ${parts.length} stored parts`);
}

/** `npm run results [-- flags]` (the flags of the file comment). */
export async function results(argv: readonly string[]): Promise<void> {
  const arg = (flag: string) => (argv.includes(flag) ? argv[argv.indexOf(flag) + 1] : undefined);
  const file = join(DOCS, 'results-pre-v1.md');
  if (argv.includes('--speed-only') && existsSync(file)) {
    // refresh only the speed section after a new `npm run bench`
    const text = readFileSync(file, 'utf8');
    const at = text.indexOf('## Speed and memory');
    writeFileSync(
      file,
      (at >= 0 ? text.slice(0, at) : text + '\n') + speedSection(benchText()).join('\n') + '\n',
    );
    console.log('refreshed the speed section of docs/results-pre-v1.md');
    return;
  }
  if (!argv.includes('--assemble')) {
    const only = arg('--only');
    const onlyModel = arg('--model');
    const epochArg = arg('--epochs');
    const epochs = epochArg === undefined ? undefined : Number(epochArg);
    if (epochs !== undefined && !(Number.isInteger(epochs) && epochs >= 2))
      throw new Error(`--epochs ${epochArg}: expected a whole number of epochs, at least 2`);
    if (only !== undefined && !DATASETS[only])
      throw new Error(`--only ${only}: expected one of ${Object.keys(DATASETS).join(', ')}`);
    if (onlyModel !== undefined && !(MODELS as readonly string[]).includes(onlyModel))
      throw new Error(`--model ${onlyModel}: expected one of ${MODELS.join(', ')}`);
    for (const [name, spec] of Object.entries(DATASETS)) {
      if (only !== undefined && name !== only) continue;
      if (spec.folders.some((f) => !existsSync(join(datasetsRoot(), f)))) {
        console.log(`${name}: skipped: no data`);
        continue;
      }
      for (const model of MODELS)
        if (onlyModel === undefined || model === onlyModel) await computePart(name, model, epochs);
    }
  }
  assemble();
}
