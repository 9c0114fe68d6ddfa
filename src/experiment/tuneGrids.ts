// The grids of `npm run tune` (src/cli/tune.ts): each row a partial config trained with seed 1 (or
// TUNE_SEEDS) and scored on VALIDATION users only; and the shape of docs/tuning/<dataset>-<model>.json.
import { MAMO_MEMORY } from '../config/presets';
import type { TrainConfig } from '../config/experiment';
import { PRESETS } from '../config/presets';

export type Grid = Partial<TrainConfig>[];

/**
 * What every trial starts from before its overrides (fixed here, not read from the tuned presets, which
 * are set FROM the tuning: recorded trials stay comparable when a preset changes).
 */
export const BASE: Record<'melu' | 'mamo', Partial<TrainConfig>> = {
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
    ...MAMO_MEMORY, // K, the write rates and the init scale in this order (stored trials' key order)
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
export const DATASET_ROWS: Record<string, Partial<Record<'melu' | 'mamo', Grid>>> = {
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

export const GRIDS: Record<'melu' | 'mamo', Grid> = {
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
