// `npm run tune -- <dataset> <model>`: a small grid of hyper-parameters, each trained with seed 1 (or
// with the seeds in TUNE_SEEDS=1,2,3, curves averaged) and evaluated on VALIDATION users only every few
// epochs (the test scenarios are never looked at). The best (configuration, epoch) by mean validation
// MAE is written to docs/tuning/<dataset>-<model>.json, which results.ts reads. Grids are small on
// purpose: 2 cores, minutes per run. Trials already recorded in that file with the same epochs and seeds
// are reused (TUNE_FRESH=1 reruns them all).
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

/** The best MeLU row above on ML-1M, and variations that each add one idea (or two). */
const MELU_BEST: Partial<TrainConfig> = { innerSteps: 5, innerLr: 1e-2, outerLr: 1e-3, weightDecay: 3 };
const MELU_AGAINST_NON_META: Grid = [
  { ...MELU_BEST, resampleTasks: true },
  { ...MELU_BEST, featureDropout: 0.3 },
  { ...MELU_BEST, resampleTasks: true, featureDropout: 0.3 },
  { ...MELU_BEST, resampleTasks: true, featureDropout: 0.3, supervisedWeight: 1 },
  { ...MELU_BEST, resampleTasks: true, featureDropout: 0.3, pretrainEpochs: 8 },
  // (added later) validation warm users still favoured the non-meta model on ML-1M: a heavier
  // supervised term moves the shared weights toward it while the meta-loss keeps the adaptation
  { ...MELU_BEST, resampleTasks: true, featureDropout: 0.3, supervisedWeight: 3 },
  { ...MELU_BEST, resampleTasks: true, featureDropout: 0.3, supervisedWeight: 10 },
  // the non-meta baseline mostly chose no feature dropout; a larger query share gives the meta-loss
  // more ratings per task; pre-training plus the supervised term
  { ...MELU_BEST, resampleTasks: true, supervisedWeight: 1 },
  { ...MELU_BEST, resampleTasks: true, featureDropout: 0.3, supervisedWeight: 1, trainQueryShare: 0.5 },
  { ...MELU_BEST, resampleTasks: true, featureDropout: 0.3, supervisedWeight: 1, pretrainEpochs: 4 },
  // (added later) true MAML: the meta-gradient through the 5 local steps (second-order tile, ~2x the
  // time of the first-order loop), on the choice above; 8 epochs, as the first-order row chose epoch 4
  {
    ...MELU_BEST,
    resampleTasks: true,
    featureDropout: 0.3,
    supervisedWeight: 1,
    pretrainEpochs: 4,
    metaOrder: 'second-order',
    epochs: 8,
  },
  // (added later) the choice above with learned local rates (one step size per adapted tensor,
  // meta-learned: Meta-SGD per tensor, as MAML++'s per-layer rates); first order on ML-1M seed 1 moved
  // them to 0.006-0.02 (a validation-only trial, seed 1)
  {
    ...MELU_BEST,
    resampleTasks: true,
    featureDropout: 0.3,
    supervisedWeight: 1,
    pretrainEpochs: 4,
    metaOrder: 'second-order',
    localRateLr: 0.03,
    epochs: 8,
  },
];

/**
 * MAMO against the non-meta baseline (added after the rows of GRIDS.mamo): the two data-side ideas that
 * helped MeLU, re-drawn support/query partitions and cold-start feature dropout, on both attention
 * scales the datasets chose.
 */
const MAMO_AGAINST_NON_META: Grid = [1, 10].flatMap((attentionScale) => [
  { attentionScale, weightDecay: 3, resampleTasks: true },
  { attentionScale, weightDecay: 3, featureDropout: 0.3 },
  { attentionScale, weightDecay: 3, resampleTasks: true, featureDropout: 0.3 },
  // (added after the three above) the supervised term of MeLU's ML-1M choice: validation warm users
  // still favoured the non-meta model
  { attentionScale, weightDecay: 3, supervisedWeight: 1 },
  { attentionScale, weightDecay: 3, resampleTasks: true, featureDropout: 0.3, supervisedWeight: 1 },
  // MAMO-5: five local steps, which helped MeLU most (the ragged strategy made them affordable)
  { attentionScale, weightDecay: 3, innerSteps: 5 },
  { attentionScale, weightDecay: 3, resampleTasks: true, featureDropout: 0.3, innerSteps: 5 },
]);

/**
 * (added later) On ML-1M's choice, MAMO-5 with re-drawn tasks and dropout: the ideas that moved MeLU
 * toward the non-meta model on the user side, supervised pre-training (at the personalised init,
 * memories read, not written) and the supervised term, and true second-order meta-gradients.
 */
const MAMO5: Partial<TrainConfig> = {
  attentionScale: 10,
  weightDecay: 3,
  resampleTasks: true,
  featureDropout: 0.3,
  innerSteps: 5,
};
const MAMO_USER_SIDE: Grid = [
  { ...MAMO5, pretrainEpochs: 4 },
  { ...MAMO5, supervisedWeight: 1 },
  { ...MAMO5, metaOrder: 'second-order', epochs: 14 },
  // (added later) learned local rates, one per adapted tensor (chosen by MeLU on ML-1M)
  { ...MAMO5, localRateLr: 0.03 },
];

/** Rows tried on one dataset only: ML-100K chose 16-d embeddings, so its variations keep them. */
const DATASET_ROWS: Record<string, Partial<Record<'melu' | 'mamo', Grid>>> = {
  'ml-100k': {
    melu: [
      ...MELU_AGAINST_NON_META.map((row) => ({ ...row, embeddingDim: 16 })),
      // (added later) ML-100K's choice with learned local rates
      { ...MELU_BEST, embeddingDim: 16, localRateLr: 0.03 },
    ],
    // (added later) ML-100K's choice with learned local rates
    mamo: [{ attentionScale: 1, weightDecay: 3, localRateLr: 0.03 }],
  },
  'ml-1m-published': { mamo: MAMO_USER_SIDE },
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
    // against the non-meta baseline (its validation warm MAE was lower): more distinct tasks (re-drawn
    // support/query partitions), cold-start feature dropout (67% of ML-1M's new films have no known
    // director, 29% of the training films), the supervised loss of the shared weights added to the
    // meta-loss, and meta-training started from a supervised network (added after the rows above)
    ...MELU_AGAINST_NON_META,
  ],
  mamo: [
    { ...PRESETS['mamo-paper'].values }, // the paper's settings and its printed memory-write rule
    { attentionScale: 10 },
    { attentionScale: 10, weightDecay: 1 },
    { attentionScale: 10, weightDecay: 3 },
    { attentionScale: 10, weightDecay: 10 },
    { attentionScale: 1, weightDecay: 3 },
    { innerLr: 5e-2, attentionScale: 10, weightDecay: 3 },
    ...MAMO_AGAINST_NON_META,
  ],
};

export interface TuningResult {
  readonly dataset: string;
  readonly model: 'melu' | 'mamo';
  readonly epochs: number;
  readonly evalEvery: number;
  /** seeds each trial was trained with (its curve is the mean over them); [1] when absent */
  readonly seeds?: readonly number[];
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
  const dir = join(import.meta.dirname, '..', 'docs', 'tuning');
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
        const outcome = await runHeadless(dataset, config, true);
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

await main();
