// `npm run tune -- <dataset> <model>`: a small grid of hyper-parameters, each trained with seed 1 and
// evaluated on VALIDATION users only every few epochs (the test scenarios are never looked at). The best
// (configuration, epoch) by mean validation MAE is written to docs/tuning/<dataset>-<model>.json, which
// results.ts reads. Grids are small on purpose: 2 cores, minutes per run. Trials already recorded in that
// file with the same epochs are reused (TUNE_FRESH=1 reruns them all).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CONFIG, type TrainConfig } from '../src/config/experiment';
import { PRESETS } from '../src/config/presets';
import { DATASETS, loadNamed, runHeadless, validationMae } from './experiment';

type Grid = Partial<TrainConfig>[];

/**
 * What every trial starts from before its overrides (fixed here, not read from the tuned presets, which
 * are set FROM the tuning: recorded trials stay comparable when a preset changes).
 */
const BASE: Record<'melu' | 'mamo', Partial<TrainConfig>> = {
  melu: {
    model: 'melu',
    embeddingDim: 32,
    hiddenDim: 64,
    innerSteps: 1,
    innerLr: 0.01,
    outerLr: 1e-3,
    outerOptimizer: 'adam',
    batchSize: 32,
    metaOrder: 'first-order',
    gradClip: 0,
  },
  mamo: {
    model: 'mamo',
    embeddingDim: 32,
    hiddenDim: 64,
    memorySlots: 3,
    alpha: 0.5,
    beta: 0.05,
    gamma: 0.1,
    tau: 0.01,
    innerSteps: 1,
    innerLr: 0.01,
    outerLr: 1e-3,
    outerOptimizer: 'adam',
    batchSize: 32,
    metaOrder: 'first-order',
    gradClip: 5,
  },
};

const GRIDS: Record<'melu' | 'mamo', Grid> = {
  melu: [
    { ...PRESETS['melu-paper'].values }, // MeLU's own settings, as a reference point
    { innerLr: 5e-2, outerLr: 1e-3 },
    { innerLr: 5e-2, outerLr: 1e-3, weightDecay: 3 },
    // MeLU-5 (the paper's 5 local updates): a bias needs several steps to reach a user's own level
    { innerSteps: 5, innerLr: 1e-2, outerLr: 1e-3 },
    // decoupled weight decay: the item side over-fits the warm items (validation item-cold MAE rises)
    { innerSteps: 5, innerLr: 1e-2, outerLr: 1e-3, weightDecay: 1 },
    { innerSteps: 5, innerLr: 1e-2, outerLr: 1e-3, weightDecay: 3 },
    { innerSteps: 5, innerLr: 1e-2, outerLr: 1e-3, weightDecay: 10 },
    // around the best so far: a faster local rate, smaller embeddings, a coarser (less sparse) zip
    { innerSteps: 5, innerLr: 2e-2, outerLr: 1e-3, weightDecay: 3 },
    { innerSteps: 5, innerLr: 1e-2, outerLr: 1e-3, weightDecay: 3, embeddingDim: 16 },
    { innerSteps: 5, innerLr: 1e-2, outerLr: 1e-3, weightDecay: 3, zipPrefix: 2 },
  ],
  mamo: [
    { ...PRESETS['mamo-paper'].values }, // the paper's settings and its printed memory-write rule
    { attentionScale: 10 },
    { attentionScale: 10, weightDecay: 1 },
    { attentionScale: 10, weightDecay: 3 },
    { attentionScale: 10, weightDecay: 10 },
    { attentionScale: 1, weightDecay: 3 },
    { innerLr: 5e-2, attentionScale: 10, weightDecay: 3 },
  ],
};

export interface TuningResult {
  readonly dataset: string;
  readonly model: 'melu' | 'mamo';
  readonly epochs: number;
  readonly evalEvery: number;
  readonly trials: {
    overrides: Partial<TrainConfig>;
    bestEpoch: number;
    /** best mean validation MAE; null when the setting diverged */
    validationMae: number | null;
    diverged?: string;
    curve: [number, number][];
    seconds: number;
  }[];
  readonly chosen: Partial<TrainConfig>;
}

async function main(): Promise<void> {
  const [datasetName = 'ml-100k', model = 'melu', epochArg] = process.argv.slice(2) as [
    string,
    'melu' | 'mamo',
    string?,
  ];
  const spec = DATASETS[datasetName]!;
  const dataset = await loadNamed(datasetName);
  const epochs = Number(epochArg ?? 20);
  const evalEvery = 2;
  const base: TrainConfig = {
    ...DEFAULT_CONFIG,
    ...BASE[model],
    protocol: spec.protocol,
    seed: 1,
    backend: 'wasm',
    baselines: false,
  };
  const dir = join(import.meta.dirname, '..', 'docs', 'tuning');
  const file = join(dir, `${datasetName}-${model}.json`);
  // trials already in the file (same epochs and evaluation period) are reused unless TUNE_FRESH=1
  const previous =
    existsSync(file) && !process.env.TUNE_FRESH
      ? (JSON.parse(readFileSync(file, 'utf8')) as TuningResult)
      : null;
  const cached = new Map(
    previous && previous.epochs === epochs && previous.evalEvery === evalEvery
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
      trials,
      chosen: { ...BASE[model], ...winner.overrides, epochs: winner.bestEpoch },
    };
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
    return result;
  };
  for (const overrides of GRIDS[model]) {
    const key = JSON.stringify(overrides);
    const hit = cached.get(key);
    if (hit) {
      trials.push(hit);
      console.log(`${model} ${key}: reused, best validation MAE ${hit.validationMae ?? 'diverged'}`);
      continue;
    }
    const config: TrainConfig = {
      ...base,
      ...overrides,
      model,
      protocol: spec.protocol,
      epochs,
      evalEvery,
      seed: 1,
      baselines: false,
      backend: 'wasm',
    };
    try {
      const outcome = await runHeadless(dataset, config, true);
      const curve = outcome.evaluations
        .filter((e) => e.epoch > 0)
        .map((e) => [e.epoch, validationMae(e.validation)] as [number, number]);
      const best = curve.reduce((a, b) => (b[1] < a[1] ? b : a));
      trials.push({ overrides, bestEpoch: best[0], validationMae: best[1], curve, seconds: outcome.seconds });
      console.log(
        `${model} ${key}: best validation MAE ${best[1].toFixed(4)} at epoch ${best[0]} (${outcome.seconds.toFixed(0)} s) curve ${curve.map(([e, v]) => `${e}:${v.toFixed(3)}`).join(' ')}`,
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

await main();
