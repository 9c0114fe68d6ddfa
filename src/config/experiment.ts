/**
 * THE configuration table: every setting of an experiment, once. Defaults, ranges, meanings, the URL
 * hash, the CLI flags, the UI form and validation all derive from it (see codec.ts and presets.ts).
 * Adding a field here is all it takes to get it everywhere; the compiler checks the rest.
 */
import { booleanField, enumField, intField, numberField } from './fields';
import { MAMO_FIELDS, MELO_FIELDS, MML_FIELDS } from './modelFields';

export const BACKENDS = ['auto', 'webgpu', 'wasm', 'webgl', 'cpu'] as const;
export type BackendPreference = (typeof BACKENDS)[number];

export const CONFIG_TABLE = {
  // --- experiment
  model: enumField({
    group: 'experiment',
    label: 'Model',
    help: 'MAMO (memory-augmented meta-optimization), MeLU (MAML over an MLP recommender), MELO (MAML++ over a sequential recommender with an adaptive weighted support loss; protocol sequence) or MML (ID and text meta-learners for next-item ranking with adaptive fusion and a cold-start item generator; protocol sequence).',
    options: ['mamo', 'melu', 'melo', 'mml'] as const,
    optionLabels: ['MAMO', 'MeLU (MAML)', 'MELO (sequential)', 'MML (multimodal, ranking)'],
    defaultValue: 'mamo',
  }),
  seed: intField({
    group: 'experiment',
    label: 'Seed',
    help: 'Seeds the user split, query sampling, initial weights and batch order: same seed, same run.',
    min: 0,
    max: 2147483647,
    defaultValue: 1,
  }),
  backend: enumField({
    group: 'experiment',
    label: 'Backend',
    help: 'tfjs backend; auto tries webgpu, then wasm, webgl, cpu and reports why it fell back.',
    options: BACKENDS,
    defaultValue: 'auto',
  }),
  // --- data
  protocol: enumField({
    group: 'data',
    label: 'Cold-start protocol',
    help: "melu: random 20% new users, new items by release year; mamo: the MAMO code's time split; published: MeLU's split files; sequence: MELO's time-ordered windows, query = each user's latest positions (new items by release year as melu).",
    options: ['melu', 'mamo', 'published', 'sequence'] as const,
    optionLabels: [
      'MeLU (year / random users)',
      'MAMO (time split)',
      "MeLU's published split",
      'MELO (sequences, latest positions)',
    ],
    defaultValue: 'melu',
  }),
  zipPrefix: intField({
    group: 'data',
    label: 'Zip prefix',
    help: 'Leading zip-code characters used as a user feature (0 = no zip feature; MeLU uses all 5).',
    min: 0,
    max: 5,
    defaultValue: 3,
  }),
  newItemYear: intField({
    group: 'data',
    label: 'New-item year',
    help: 'melu/published protocols: items released in or after this year are new (0 = auto: 1998 on ML-1M, else ~20% of items).',
    min: 0,
    max: 3000,
    defaultValue: 0,
  }),
  sequenceWindow: intField({
    group: 'data',
    label: 'Sequence window',
    help: "sequence protocol: positions of a task's window, support then query (MELO's max_seq_len: 30).",
    min: 4,
    max: 200,
    defaultValue: 30,
  }),
  sequenceQuery: intField({
    group: 'data',
    label: 'Query positions',
    help: "sequence protocol: the latest positions of a user's window that are the query (the rest of the window is the support).",
    min: 1,
    max: 50,
    defaultValue: 3,
  }),
  sequenceMinRatings: intField({
    group: 'data',
    label: 'Min ratings per user',
    help: "sequence protocol: users with fewer kept ratings are dropped (MELO's min_sequence: 5; at least query positions + 2).",
    min: 3,
    max: 1000,
    defaultValue: 5,
  }),
  sequenceMinItemRatings: intField({
    group: 'data',
    label: 'Min ratings per item',
    help: "sequence protocol: items with fewer ratings are dropped first (MELO's min_item: 50).",
    min: 1,
    max: 10000,
    defaultValue: 50,
  }),
  sequenceNewUsers: enumField({
    group: 'data',
    label: 'New users (sequence)',
    help: "sequence protocol: which users are new (test) users: a seeded draw (MELO's) or the latest to arrive, i.e. the users whose first rating comes last (MML's: users who arrive after a time cut are new). The validation users are fixed either way.",
    options: ['random', 'arrival'] as const,
    optionLabels: ['seeded draw (MELO)', 'latest arrivals (MML)'],
    defaultValue: 'random',
  }),
  itemDecade: booleanField({
    group: 'data',
    label: 'Item decade',
    help: "Use the item's release decade as a feature (MeLU's code has no year feature; off in the melu-paper preset).",
    defaultValue: true,
  }),
  itemGenres: enumField({
    group: 'data',
    label: 'Item genres',
    help: "movielens: the item file's genres (18 on MovieLens); omdb: the OMDb genres of MeLU's movies_extrainfos.dat (25), which MeLU's code uses (the item file's genres when that file is not loaded).",
    options: ['movielens', 'omdb'] as const,
    defaultValue: 'movielens',
  }),
  featureMinCount: intField({
    group: 'data',
    label: 'Feature min count',
    help: "A feature value seen by fewer than this many training users or items reads its field's unknown row (0 = every value has its own row, as MeLU's full vocabularies; values only new users or items have then keep their initial row).",
    min: 0,
    max: 100,
    defaultValue: 2,
  }),
  // --- model
  embeddingDim: intField({
    group: 'model',
    label: 'Embedding size',
    help: 'Size e of every field embedding (MeLU: 32).',
    min: 2,
    max: 256,
    defaultValue: 32,
  }),
  hiddenDim: intField({
    group: 'model',
    label: 'Hidden size',
    help: 'Width of the hidden layers (MeLU: 2 x 64; MAMO: the embedding networks and the recommender).',
    min: 4,
    max: 512,
    defaultValue: 64,
  }),
  hiddenLayers: intField({
    group: 'model',
    label: 'Hidden layers',
    help: "MeLU's hidden layers before the rating output (the paper: 2). Each is a ReLU layer of the hidden size, adapted locally like the others (and the non-meta network's). MAMO keeps its own networks.",
    min: 1,
    max: 6,
    defaultValue: 2,
    models: ['melu'],
  }),
  initScheme: enumField({
    group: 'model',
    label: 'Initialisation',
    help: "glorot: Glorot-uniform weights, zero hidden biases, the output bias at the mean training rating, every embedding row N(0, 1); pytorch: PyTorch's defaults as in MeLU's code: every linear weight and bias (the output bias too) U(-1/sqrt(fan_in), 1/sqrt(fan_in)), single-valued fields' rows N(0, 1) (nn.Embedding), multi-hot fields' rows U(-1/sqrt(V), 1/sqrt(V)) for a vocabulary of V values (MeLU's bias-free nn.Linear over the multi-hot vector).",
    options: ['glorot', 'pytorch'] as const,
    defaultValue: 'glorot',
    models: ['melu'],
  }),
  // --- training
  epochs: intField({
    group: 'training',
    label: 'Epochs',
    help: 'Passes over the training tasks.',
    min: 1,
    max: 1000,
    defaultValue: 10,
  }),
  batchSize: intField({
    group: 'training',
    label: 'Meta-batch',
    help: 'Tasks (users) per meta-step; they are trained as one tensor program.',
    min: 1,
    max: 1024,
    defaultValue: 32,
  }),
  dropLastBatch: booleanField({
    group: 'training',
    label: 'Drop last batch',
    help: "Skip each epoch's last batch of tasks when it is smaller than the meta-batch (meta-training, pre-training and the non-meta baseline alike; MeLU's code trains int(N / batch) batches per epoch; off = train it too).",
    defaultValue: false,
  }),
  innerSteps: intField({
    group: 'training',
    label: 'Local steps',
    help: 'Gradient steps of local adaptation on the support set.',
    min: 1,
    max: 20,
    defaultValue: 1,
  }),
  innerLr: numberField({
    group: 'training',
    label: 'Local rate',
    help: 'Step size of local adaptation (MeLU alpha, MAMO rho).',
    min: 1e-8,
    max: 10,
    log: true,
    defaultValue: 0.01,
  }),
  outerLr: numberField({
    group: 'training',
    label: 'Meta rate',
    help: 'Step size of the global update (MeLU beta with Adam, MAMO lambda).',
    min: 1e-7,
    max: 1,
    log: true,
    defaultValue: 1e-3,
  }),
  outerOptimizer: enumField({
    group: 'training',
    label: 'Meta optimizer',
    help: 'Optimizer of the global update: Adam (MeLU) or plain SGD (MAMO paper).',
    options: ['adam', 'sgd'] as const,
    defaultValue: 'adam',
  }),
  metaOrder: enumField({
    group: 'training',
    label: 'Meta-gradient',
    help: 'first-order: gradient at the adapted weights; second-order: true MAML, through the local steps.',
    options: ['first-order', 'second-order'] as const,
    defaultValue: 'first-order',
  }),
  gradClip: numberField({
    group: 'training',
    label: 'Gradient clip',
    help: "Clip each training step's gradient (the meta-batch's, averaged over its tasks, all parameters together; also the supervised steps of pre-training and of the non-meta baseline) to this global norm; MAMO also clips each task's gradient written to the fast-gradient memory M_U to it (0 = off; the MAMO code uses 5).",
    min: 0,
    max: 1000,
    defaultValue: 0,
  }),
  weightDecay: numberField({
    group: 'training',
    label: 'Weight decay',
    help: 'Decoupled decay of weight matrices and embedding tables at every training step (meta-steps, pre-training and the non-meta baseline), p <- p - meta rate*decay*p (0 = off; never biases).',
    min: 0,
    max: 100,
    defaultValue: 0,
  }),
  localRateLr: numberField({
    group: 'training',
    label: 'Learned local rates',
    help: 'Meta-learn one local step size per adapted tensor (MAMO: per tensor of theta_u, theta_i, theta_r, one for M_uI; Meta-SGD per tensor, as MAML++ per layer): step_k = local rate * exp(rho_k), rho meta-updated by the meta optimizer at this rate (0 = off: one fixed local rate, as in the papers).',
    min: 0,
    max: 1,
    defaultValue: 0,
  }),
  pretrainEpochs: intField({
    group: 'training',
    label: 'Pre-training epochs',
    help: 'First train the network this many epochs on every training rating (plain MSE, like the non-meta baseline; MAMO: at the personalised init, memories read but not written), then meta-train from there (0 = from the random init, as in the papers).',
    min: 0,
    max: 1000,
    defaultValue: 0,
  }),
  supervisedWeight: numberField({
    group: 'training',
    label: 'Supervised weight',
    help: 'Add this times the plain MSE of the un-adapted weights (MeLU: the shared ones; MAMO: the personalised init from the memories) on every rating of the batch to the meta-loss, so the initialisation is also a good population model (0 = the meta-loss alone, as in the papers).',
    min: 0,
    max: 10,
    defaultValue: 0,
  }),
  resampleTasks: booleanField({
    group: 'training',
    label: 'Re-draw tasks',
    help: "Each epoch, re-draw every training user's support/query partition from their ratings: more distinct tasks from the same data (off = the split's fixed partition, as in MeLU).",
    defaultValue: false,
  }),
  trainQueryShare: numberField({
    group: 'training',
    label: 'Training query share',
    help: "With re-drawn tasks: the share of each training user's ratings drawn as query (0 = keep the split's sizes). Evaluation always uses the split's support and query.",
    min: 0,
    max: 0.9,
    defaultValue: 0,
  }),
  featureDropout: numberField({
    group: 'training',
    label: 'Feature dropout',
    help: "Training only (pre-training too): in each batch, each item's genres, directors and actors fields, each drawn on its own, read their unknown row with this probability, so the unknown rows learn 'not known' (new items mostly lack them); the non-meta baseline chooses on validation whether to use it too (0 = off).",
    min: 0,
    max: 0.9,
    defaultValue: 0,
  }),
  // --- MELO, MAMO memories (config/modelFields.ts)
  ...MELO_FIELDS,
  ...MML_FIELDS,
  ...MAMO_FIELDS,
  // --- evaluation
  evalEvery: intField({
    group: 'evaluation',
    label: 'Evaluate every',
    help: 'Evaluate validation and test scenarios before training, every this many epochs and after the last.',
    min: 1,
    max: 1000,
    defaultValue: 1,
  }),
  evalUsers: intField({
    group: 'evaluation',
    label: 'Users per scenario',
    help: "Evaluate at most this many tasks per scenario (0 = all); a seeded sample keeps it fast in the browser (the bias baseline's shrinkage choice, plain arithmetic, uses every validation task).",
    min: 0,
    max: 1000000,
    defaultValue: 0,
  }),
  chooseLocalRate: booleanField({
    group: 'evaluation',
    label: 'Local rate on validation',
    help: "At each evaluation, choose the local rate that adapts the model to an evaluated user's support set on the validation users (mean MAE), from the grid the non-meta baseline chooses its fine-tuning rate from plus the training local rate: one rate for warm query items (chosen on the validation warm cells), one for new items (on the item-cold cells) (off = the training local rate; MAMO: rho).",
    defaultValue: false,
  }),
  baselines: booleanField({
    group: 'evaluation',
    label: 'Baselines',
    help: 'Also compute the global mean, support mean, bias (global mean + item bias + user residual), no-adaptation and non-meta fine-tuning baselines (the bias and non-meta choices on validation users).',
    defaultValue: true,
  }),
  nonMetaMaxEpochs: intField({
    group: 'evaluation',
    label: 'Non-meta epochs at most',
    help: "The most epochs the non-meta baseline trains: its number of epochs is chosen on the validation users (every second epoch and the last) up to this (0 = as many as the model, pre-training included). docs/results.md gives it the tuning's range, so a model that chose few epochs does not cut the baseline short.",
    min: 0,
    max: 1000,
    defaultValue: 0,
  }),
} as const;

type Table = typeof CONFIG_TABLE;
export type ConfigKey = keyof Table;

type ValueOf<F> = F extends { kind: 'enum'; options: readonly (infer O)[] }
  ? O
  : F extends { kind: 'number' }
    ? number
    : F extends { kind: 'boolean' }
      ? boolean
      : never;

/** One experiment's settings: every key of CONFIG_TABLE with its value type. */
export type TrainConfig = { -readonly [K in ConfigKey]: ValueOf<Table[K]> };

export const CONFIG_KEYS = Object.keys(CONFIG_TABLE) as ConfigKey[];

/** The defaults of the table. */
export const DEFAULT_CONFIG: TrainConfig = Object.fromEntries(
  CONFIG_KEYS.map((key) => [key, CONFIG_TABLE[key].defaultValue]),
) as TrainConfig;

/** True when a setting applies to the given model (fields without `models` apply to all). */
export function appliesTo(key: ConfigKey, model: TrainConfig['model']): boolean {
  const field = CONFIG_TABLE[key];
  return !('models' in field) || (field.models as readonly string[]).includes(model);
}
