// `npm run tune -- <dataset> <model>` (= npm run cli -- tune): a small grid of hyper-parameters, each trained with seed 1 (or
// with the seeds in TUNE_SEEDS=1,2,3, curves averaged) and evaluated on VALIDATION users only every few
// epochs (the test scenarios are never looked at). The best (configuration, epoch) by mean validation
// MAE is written to docs/tuning/<dataset>-<model>.json, which src/cli/results.ts reads. Grids are small on
// purpose: 2 cores, minutes per run. Trials already recorded in that file with the same epochs and seeds
// are reused (TUNE_FRESH=1 reruns them all).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CONFIG, type TrainConfig } from '../config/experiment';
import { DATASETS } from '../experiment/datasets';
import { runHeadless, validationMae } from '../experiment/headless';
import { BASE, DATASET_ROWS, GRIDS, type TuningResult } from '../experiment/tuneGrids';
import { initBackend } from '../kernels/backend';
import { loadNamed } from './datasets';
/** `npm run tune -- <dataset> <melu|mamo> [epochs]` (the file comment says what it does). */
export async function tune(argv: readonly string[]): Promise<void> {
  const [datasetName = 'ml-100k', model = 'melu', epochArg] = argv as [string, 'melu' | 'mamo', string?];
  const spec = DATASETS[datasetName];
  if (!spec)
    throw new Error(`Unknown dataset ${datasetName}; expected one of ${Object.keys(DATASETS).join(', ')}`);
  if (model !== 'melu' && model !== 'mamo')
    throw new Error(`Unknown model ${String(model)}; expected melu or mamo`);
  const backend = await initBackend('wasm');
  const dataset = await loadNamed(datasetName);
  const epochs = Number(epochArg ?? 20);
  const evalEvery = 2;
  // TUNE_SEEDS=1,2,3: each trial's validation curve is the mean over these seeds (each seed draws its
  // own validation users; a small validation set, 36 warm users on ml-100k, makes one seed noisy)
  const seeds = (process.env.TUNE_SEEDS ?? '1').split(',').map(Number);
  const base: TrainConfig = {
    ...DEFAULT_CONFIG,
    ...BASE[model],
    protocol: spec.protocol,
    seed: 1,
    backend: 'wasm',
    baselines: false,
  };
  const dir = join(import.meta.dirname, '..', '..', 'docs', 'tuning');
  const file = join(dir, `${datasetName}-${model}.json`);
  // trials already in the file (same epochs and evaluation period) are reused unless TUNE_FRESH=1
  const previous =
    existsSync(file) && !process.env.TUNE_FRESH
      ? (JSON.parse(readFileSync(file, 'utf8')) as TuningResult)
      : null;
  const cached = new Map(
    previous &&
      previous.epochs === epochs &&
      previous.evalEvery === evalEvery &&
      JSON.stringify(previous.seeds ?? [1]) === JSON.stringify(seeds)
      ? previous.trials.map((t) => [JSON.stringify(t.overrides), t] as const)
      : [],
  );
  const trials: TuningResult['trials'] = [];
  const save = () => {
    const finished = trials.filter((t) => t.validationMae !== null);
    const winner = finished.reduce((a, b) => (b.validationMae! < a.validationMae! ? b : a));
    const result: TuningResult = {
      dataset: datasetName,
      model,
      epochs,
      evalEvery,
      seeds,
      trials,
      chosen: { ...BASE[model], ...winner.overrides, epochs: winner.bestEpoch },
    };
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
    return result;
  };
  for (const overrides of [...GRIDS[model], ...(DATASET_ROWS[datasetName]?.[model] ?? [])]) {
    const key = JSON.stringify(overrides);
    const hit = cached.get(key);
    if (hit) {
      trials.push(hit);
      console.log(`${model} ${key}: reused, best validation MAE ${hit.validationMae ?? 'diverged'}`);
      continue;
    }
    try {
      let curve: [number, number][] = [];
      let seconds = 0;
      for (const seed of seeds) {
        const config: TrainConfig = {
          ...base,
          ...overrides,
          model,
          protocol: spec.protocol,
          // a row's own epochs cap its run (costly rows); the best epoch is chosen among those evaluated
          epochs: Math.min(epochs, overrides.epochs ?? epochs),
          evalEvery,
          seed,
          baselines: false,
          backend: 'wasm',
        };
        const outcome = await runHeadless(dataset, config, true, backend);
        const own = outcome.evaluations
          .filter((e) => e.epoch > 0)
          .map((e) => [e.epoch, validationMae(e.validation) / seeds.length] as [number, number]);
        curve = curve.length ? curve.map(([e, v], k) => [e, v + own[k]![1]]) : own;
        seconds += outcome.seconds;
      }
      const best = curve.reduce((a, b) => (b[1] < a[1] ? b : a));
      trials.push({ overrides, bestEpoch: best[0], validationMae: best[1], curve, seconds });
      console.log(
        `${model} ${key}: best validation MAE ${best[1].toFixed(4)} at epoch ${best[0]} (${seconds.toFixed(0)} s, seeds ${seeds.join(',')}) curve ${curve.map(([e, v]) => `${e}:${v.toFixed(3)}`).join(' ')}`,
      );
    } catch (error) {
      // a diverging setting is a result of the grid, not a failure of the tuning
      if ((error as { code?: string }).code !== 'diverged') throw error;
      const message = (error as Error).message;
      trials.push({ overrides, bestEpoch: 0, validationMae: null, curve: [], seconds: 0, diverged: message });
      console.log(`${model} ${key}: diverged: ${message}`);
    }
    save(); // after every trial, so an interrupted tuning keeps what it measured
  }
  console.log(`chosen: ${JSON.stringify(save().chosen)}`);
}
