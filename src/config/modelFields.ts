/**
 * The model-specific rows of the configuration table (config/experiment.ts spreads them into
 * CONFIG_TABLE in this order): MELO's inner loop and loss weighting, and MAMO's memories. Kept apart
 * only for size; every rule of the table (one row per setting, its help, range and models) holds.
 */
import { enumField, intField, numberField } from './fields';

/** MELO (sequence protocol): LSLR, the multi-step loss and the adaptive loss weighting. */
export const MELO_FIELDS = {
  sequenceEncoder: enumField({
    group: 'model',
    label: 'Sequence encoder',
    help: "MELO/MML backbone: causal self-attention blocks (SASRec-like, MELO's) or stacked GRU layers (GRU4Rec-like; the attention blocks setting gives the layer count, heads are unused).",
    options: ['attention', 'gru'] as const,
    optionLabels: ['self-attention (SASRec)', 'GRU'],
    defaultValue: 'attention',
    models: ['melo', 'mml'],
  }),
  attentionBlocks: intField({
    group: 'model',
    label: 'Attention blocks',
    help: 'MELO backbone: causal self-attention blocks (SASRec-like, width = hidden size; MELO: 2), or GRU layers with the GRU encoder.',
    min: 1,
    max: 8,
    defaultValue: 2,
    models: ['melo', 'mml'],
  }),
  attentionHeads: intField({
    group: 'model',
    label: 'Attention heads',
    help: 'MELO backbone: heads per block (must divide the hidden size).',
    min: 1,
    max: 16,
    defaultValue: 2,
    models: ['melo', 'mml'],
  }),
  lossWeighting: enumField({
    group: 'training',
    label: 'Loss weighting',
    help: "MELO's adaptive weighted support loss: lstm (task-state recurrent encoder over rating, prediction, loss), mlp (per-position MLP), none (plain MSE: MAML++ on the sequence model). The weighting network learns only with second-order meta-gradients (the melo preset); first order keeps it at its init.",
    options: ['lstm', 'mlp', 'none'] as const,
    defaultValue: 'lstm',
    models: ['melo'],
  }),
  weightingHidden: intField({
    group: 'training',
    label: 'Weighting width',
    help: 'Hidden size of the loss-weighting LSTM or MLP (MELO: 32).',
    min: 2,
    max: 256,
    defaultValue: 32,
    models: ['melo'],
  }),
  weightingLr: numberField({
    group: 'training',
    label: 'Weighting rate',
    help: "Adam rate of the loss-weighting network, cosine-annealed to a tenth (MELO's lstm_lr: 0.1).",
    min: 1e-6,
    max: 1,
    log: true,
    defaultValue: 0.01,
    models: ['melo'],
  }),
  stepRateLr: numberField({
    group: 'training',
    label: 'Per-step rates',
    help: 'MAML++ LSLR: Adam rate of the learned local rate of every tensor and local step, initialised at the local rate (MELO: 1e-3; 0 = fixed rates).',
    min: 0,
    max: 1,
    defaultValue: 1e-3,
    models: ['melo'],
  }),
  multiStepEpochs: numberField({
    group: 'training',
    label: 'Multi-step loss epochs',
    help: 'MAML++ MSL: for this many epochs the query loss after every local step counts (weights annealed to the last step), then only the last (0 = last step only; MELO: the first half of training).',
    min: 0,
    max: 1000,
    defaultValue: 0,
    models: ['melo'],
  }),
  sequenceTraining: enumField({
    group: 'training',
    label: 'Sequence training',
    help: "meta: MELO's meta-training; supervised: the backbone alone on every training position, no adaptation (MELO's 'basic').",
    options: ['meta', 'supervised'] as const,
    defaultValue: 'meta',
    models: ['melo'],
  }),
} as const;

/** MML (sequence protocol, next-item ranking): which learners, the text embedding, the generator. */
export const MML_FIELDS = {
  mmlLearners: enumField({
    group: 'model',
    label: 'MML learners',
    help: "fusion: the ID and text meta-learners with the adaptive fusion layer (MML); id: the ID learner alone (new items' rows from the generator); text: the text learner alone.",
    options: ['fusion', 'id', 'text'] as const,
    defaultValue: 'fusion',
    models: ['mml'],
  }),
  textDim: intField({
    group: 'model',
    label: 'Text embedding size',
    help: "Dims of each item's text embedding: hashed TF-IDF of title, genres, directors, actors, by a seeded random projection, L2-normalised (no download; no image modality).",
    min: 4,
    max: 256,
    defaultValue: 32,
    models: ['mml'],
  }),
  generatorNeighbours: intField({
    group: 'model',
    label: 'Generator neighbours K',
    help: "MML's item-embedding generator: a new item's ID row = attention over its K nearest training items by text (MML: 5; 0 = off, new items keep their initial rows).",
    min: 0,
    max: 50,
    defaultValue: 5,
    models: ['mml'],
  }),
} as const;

/** MAMO's memories: slots, write rates, write rule, attention scale. */
export const MAMO_FIELDS = {
  memorySlots: intField({
    group: 'memory',
    label: 'Memory slots K',
    help: 'Number of user preference types held by the memories.',
    min: 1,
    max: 32,
    defaultValue: 3,
    models: ['mamo'],
  }),
  profileWriteRate: numberField({
    group: 'memory',
    label: 'Profile memory write rate (alpha)',
    help: "The paper's alpha: write rate r of the profile memory M_P, with v = the user profile p_u (paper: M_P <- r a v^T + (1 - r) M_P; slot-gated: M_P[k] <- M_P[k] + r a_k (v - M_P[k])).",
    min: 0,
    max: 1,
    defaultValue: 0.5,
    models: ['mamo'],
  }),
  gradientWriteRate: numberField({
    group: 'memory',
    label: 'Gradient memory write rate (beta)',
    help: "The paper's beta: write rate r of the fast-gradient memory M_U, with v = the task's query-loss gradient w.r.t. its adapted theta_u, clipped per task to the gradient clip (written in the memory-write form, as the profile write).",
    min: 0,
    max: 1,
    defaultValue: 0.05,
    models: ['mamo'],
  }),
  preferenceWriteRate: numberField({
    group: 'memory',
    label: 'Preference memory write rate (gamma)',
    help: "The paper's gamma: write rate r of the task memory M_UI (the users' preference matrices), with v = the task's locally adapted M_uI (written in the memory-write form, as the profile write).",
    min: 0,
    max: 1,
    defaultValue: 0.1,
    models: ['mamo'],
  }),
  personalInitScale: numberField({
    group: 'memory',
    label: 'Personalised init scale (tau)',
    help: "The paper's tau: the personalised initial user network theta_u = phi_u - tau b_u, b_u read from the gradient memory M_U (0: every user starts at phi_u).",
    min: 0,
    max: 10,
    defaultValue: 0.01,
    models: ['mamo'],
  }),
  memoryWrite: enumField({
    group: 'memory',
    label: 'Memory write',
    help: 'paper: M <- r a(x)v + (1-r) M decays every slot at every write; slot-gated: M_k <- M_k + r a_k (v - M_k), a slot moves only as far as it was read.',
    options: ['slot-gated', 'paper'] as const,
    defaultValue: 'slot-gated',
    models: ['mamo'],
  }),
  attentionScale: numberField({
    group: 'memory',
    label: 'Attention scale',
    help: 'a = softmax(scale * cos(p_u, M_P)); the paper uses 1, at which cosines in [-1, 1] give near-uniform attention and slots never separate.',
    min: 0.01,
    max: 100,
    log: true,
    defaultValue: 10,
    models: ['mamo'],
  }),
} as const;
