/**
 * Presets are partial configs over CONFIG_TABLE. "paper" presets reproduce the published settings
 * (mamo-spec.md sections 2-3); "tuned" presets were chosen on validation users only (docs/results-pre-v1.md
 * says how: the command and the grid), never on the test scenarios.
 */
import type { TrainConfig } from './experiment';

export interface Preset {
  readonly label: string;
  readonly help: string;
  readonly values: Partial<TrainConfig>;
}

/** MAMO's memory hyper-parameters from the paper (K, alpha, beta, gamma, tau); tuning keeps them. */
export const MAMO_MEMORY = {
  memorySlots: 3,
  profileWriteRate: 0.5,
  gradientWriteRate: 0.05,
  preferenceWriteRate: 0.1,
  personalInitScale: 0.01,
} as const;

/** MELO's shared settings (peers.md A: the backbone, MAML++'s rates and multi-step loss, the optimiser). */
const MELO_BASE = {
  model: 'melo',
  protocol: 'sequence',
  hiddenDim: 32,
  attentionBlocks: 2,
  attentionHeads: 2,
  innerSteps: 3,
  innerLr: 0.01,
  outerLr: 1e-3,
  outerOptimizer: 'adam',
  metaOrder: 'second-order',
  gradClip: 5,
  batchSize: 16,
  epochs: 10,
  stepRateLr: 1e-3,
  multiStepEpochs: 5,
  sequenceTraining: 'meta',
} as const;

/** MML's shared settings (peers.md B.2-B.3; the backbone at MELO's sizes, first order as MML). */
const MML_BASE = {
  model: 'mml',
  protocol: 'sequence',
  hiddenDim: 32,
  attentionBlocks: 2,
  attentionHeads: 2,
  textDim: 32,
  generatorNeighbours: 5,
  innerSteps: 3,
  innerLr: 0.1,
  outerLr: 1e-3,
  outerOptimizer: 'adam',
  metaOrder: 'first-order',
  gradClip: 5,
  batchSize: 16,
  epochs: 10,
} as const;

export const PRESETS = {
  'melu-paper': {
    label: 'MeLU paper',
    help: "MeLU (Lee et al. 2019) as the authors' code runs it: 1 local step, local rate 5e-6, Adam 5e-5, 32 users per batch (the last, smaller batch dropped), full zip, OMDb genres, no release-year feature, every feature value its own row, PyTorch's default initialisation (docs/fidelity.md).",
    values: {
      model: 'melu',
      initScheme: 'pytorch',
      itemDecade: false,
      itemGenres: 'omdb',
      featureMinCount: 0,
      dropLastBatch: true,
      embeddingDim: 32,
      hiddenDim: 64,
      innerSteps: 1,
      innerLr: 5e-6,
      outerLr: 5e-5,
      outerOptimizer: 'adam',
      batchSize: 32,
      epochs: 20,
      zipPrefix: 5,
      metaOrder: 'first-order',
      gradClip: 0,
    },
  },
  'melu-tuned': {
    label: 'MeLU+ (our variant, tuned)',
    help: "MeLU+, not the paper's method: MeLU-5 (5 local steps) with true second-order meta-gradients, learned local rates (one step size per adapted tensor, meta-learned at rate 0.03), weight decay 3, re-drawn tasks, feature dropout 0.3 and a supervised term of weight 1, 4 supervised pre-training epochs then 4 meta-training epochs: chosen on validation users of the ML-1M published split (docs/tuning/). The local rate at evaluation is chosen on the validation users, like the fine-tuning rate of the non-meta baseline.",
    values: {
      model: 'melu',
      embeddingDim: 32,
      hiddenDim: 64,
      innerSteps: 5,
      innerLr: 0.01,
      outerLr: 1e-3,
      outerOptimizer: 'adam',
      weightDecay: 3,
      resampleTasks: true,
      featureDropout: 0.3,
      supervisedWeight: 1,
      pretrainEpochs: 4,
      batchSize: 32,
      epochs: 4,
      chooseLocalRate: true,
      metaOrder: 'second-order',
      localRateLr: 0.03,
      gradClip: 0,
    },
  },
  'mamo-paper': {
    label: 'MAMO paper',
    help: 'MAMO (Dong et al. 2020): K=3, alpha 0.5, beta 0.05, gamma 0.1, tau 0.01, local SGD rho 0.01, global SGD lambda 0.05.',
    values: {
      model: 'mamo',
      embeddingDim: 32,
      hiddenDim: 64,
      ...MAMO_MEMORY,
      attentionScale: 1,
      memoryWrite: 'paper',
      innerSteps: 1,
      innerLr: 0.01,
      outerLr: 0.05,
      outerOptimizer: 'sgd',
      batchSize: 32,
      epochs: 10,
      metaOrder: 'first-order',
      gradClip: 5,
    },
  },
  'mamo-tuned': {
    label: 'MAMO+ (our variant: slot-gated memory, tuned)',
    help: "MAMO+, not the paper's method: MAMO-5 (5 local steps) with slot-gated memory writes, attention scale 10, learned local rates (one step size per adapted tensor, meta-learned at rate 0.03), weight decay 3, re-drawn tasks and feature dropout 0.3, 12 epochs: chosen on validation users of the ML-1M published split (docs/tuning/). The local rate at evaluation is chosen on the validation users, like the fine-tuning rate of the non-meta baseline.",
    values: {
      model: 'mamo',
      embeddingDim: 32,
      hiddenDim: 64,
      ...MAMO_MEMORY,
      memoryWrite: 'slot-gated',
      attentionScale: 10,
      innerSteps: 5,
      innerLr: 0.01,
      outerLr: 1e-3,
      outerOptimizer: 'adam',
      weightDecay: 3,
      resampleTasks: true,
      featureDropout: 0.3,
      batchSize: 32,
      epochs: 12,
      chooseLocalRate: true,
      metaOrder: 'first-order',
      localRateLr: 0.03,
      gradClip: 5,
    },
  },
  melo: {
    label: 'MELO paper',
    help: "MELO (Kim et al. 2023) on the sequence protocol: 2 causal attention blocks, 2 heads, hidden 32; 3 local steps over every parameter, second order, per-layer per-step learned rates (Adam 1e-3) and the multi-step loss for the first half of training; the LSTM loss weighting (hidden 32, Adam 0.1); Adam 1e-3 cosine-annealed, clip 5, 16 users per batch. Local rate 0.01 on raw 1..5 ratings (MELO's 1e-3 is on ratings / 5).",
    values: { ...MELO_BASE, lossWeighting: 'lstm', weightingHidden: 32, weightingLr: 0.1 },
  },
  'maml-sequence': {
    label: 'MAML++ on sequences (no adaptive loss)',
    help: "MELO's 'MAML' column: the melo preset with a plain MSE support loss.",
    values: { ...MELO_BASE, lossWeighting: 'none' },
  },
  'melo-mlp': {
    label: 'MELO with MLP weighting',
    help: "MELO's ablation: the melo preset with the per-position MLP weighting (mean, std, rating, prediction, loss) instead of the LSTM.",
    values: { ...MELO_BASE, lossWeighting: 'mlp', weightingHidden: 32, weightingLr: 0.1 },
  },
  'melo-gru': {
    label: 'MELO with a GRU backbone',
    help: 'The melo preset with the GRU encoder (2 stacked GRU layers, hidden 32) instead of the attention blocks: the sequential backbone variant. Ours, not in the MELO paper.',
    values: {
      ...MELO_BASE,
      lossWeighting: 'lstm',
      weightingHidden: 32,
      weightingLr: 0.1,
      sequenceEncoder: 'gru',
    },
  },
  'sequence-basic': {
    label: 'Sequential backbone, no meta-learning',
    help: "MELO's 'Basic': the same backbone trained on every training position with Adam 1e-3, no local adaptation.",
    values: {
      model: 'melo',
      protocol: 'sequence',
      hiddenDim: 32,
      attentionBlocks: 2,
      attentionHeads: 2,
      outerLr: 1e-3,
      outerOptimizer: 'adam',
      gradClip: 5,
      batchSize: 16,
      epochs: 10,
      sequenceTraining: 'supervised',
    },
  },
  mml: {
    label: 'MML (ID + text, fused)',
    help: "MML (Pan et al. 2022) on the sequence protocol, ranking the next item over all items: ID and text meta-learners (2 causal attention blocks, hidden 32, text = hashed TF-IDF projected to 32 dims), each first-order meta-trained with 3 local SGD steps (rate 0.1) on the positions, blocks and final norm; per-user adaptive fusion; new items' ID rows from a K=5 text-neighbour generator. Untuned.",
    values: { ...MML_BASE, mmlLearners: 'fusion' },
  },
  'mml-id': {
    label: 'MML: ID learner alone',
    help: "The mml preset's ID meta-learner alone (with the item generator for new items): what fusion is compared against.",
    values: { ...MML_BASE, mmlLearners: 'id' },
  },
  'mml-text': {
    label: 'MML: text learner alone',
    help: "The mml preset's text meta-learner alone (items represented by their projected text embeddings only).",
    values: { ...MML_BASE, mmlLearners: 'text' },
  },
} as const satisfies Record<string, Preset>;

export type PresetName = keyof typeof PRESETS;
export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];
