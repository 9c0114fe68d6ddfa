/**
 * The one stream of events a run emits. The browser worker forwards it (batched) to the UI, the CLI
 * prints it, tests read it, and a saved run is its event log replayed. Plain data only (numbers,
 * strings, typed arrays), so it survives postMessage and IndexedDB.
 */
import type { TrainConfig } from '../config/experiment';
import type { DatasetIdentity } from '../data/identity';
import type { Scenario, SplitSummary } from '../data/scenarios/types';
import type { BackendInfo } from '../kernels/backend';
import type { FineTune, LocalRates } from './adaptation';
import type { ErrorMetrics } from './metrics';
import type { RankingReport } from './ranking';
import type { SeedErrors } from './userErrors';

export interface ScenarioMetrics extends ErrorMetrics {
  readonly tasks: number;
  readonly users: number;
  readonly ratings: number;
  /** The same metrics before local adaptation (the meta-learned init; MAMO: the personalised init). */
  readonly maeBefore: number;
  readonly rmseBefore: number;
  readonly ndcg3Before: number;
  readonly lossBefore: number;
  /** MML (next-item ranking; its rating fields are NaN): Recall, MRR, NDCG at 5, 10, 20 (ranking.ts). */
  readonly ranking?: RankingReport;
}

/**
 * MML's per-user view of an evaluation (test users): each evaluated task's fusion weights over the
 * learners, and for a capped sample of new items the generator's neighbours and attention.
 */
export interface MmlInspection {
  /** The learners, in the order of each weights row ('id', 'text'). */
  readonly learners: readonly string[];
  /** UserIndex, scenario index (SCENARIOS order) and task index (in its test TaskSet) of each row. */
  readonly users: Int32Array;
  readonly scenarios: Uint8Array;
  readonly tasks: Int32Array;
  /** [rows x learners] fusion weights after adaptation (each row sums to 1). */
  readonly weights: Float32Array;
  /** New items (ItemIndex) sampled, their K neighbours (ItemIndex) [items x K] and attention [items x K]. */
  readonly newItems: Int32Array;
  readonly k: number;
  readonly neighbours: Int32Array;
  readonly attention: Float32Array;
  /** Titles of the sampled new items and their neighbours, by ItemIndex (absent when the data has none). */
  readonly titles?: Readonly<Record<number, string>>;
}

export type ScenarioRecord = Partial<Record<Scenario, ScenarioMetrics>>;

export const BASELINES = ['globalMean', 'supportMean', 'bias', 'noAdaptation', 'nonMeta', 'basic'] as const;
export type BaselineName = (typeof BASELINES)[number];
export const BASELINE_LABELS: Record<BaselineName, string> = {
  globalMean: 'global mean',
  supportMean: "user's support mean",
  bias: "bias (global mean + item bias + user's support residual)",
  noAdaptation: 'meta-learned, no local adaptation',
  nonMeta: 'non-meta: trained on all warm ratings, fine-tuned on the support (rate chosen on validation)',
  basic: "MELO's basic: the sequential backbone trained on every training position, no adaptation",
};

/**
 * The parts of a run, in the order a researcher sees them: the first meta-training epoch runs before
 * the baselines, so the loss curve starts within seconds (the baselines, mostly the non-meta network's
 * training and its choices on validation, took ~5 s of a ~15 s demo run in Node, bench/firstPoint.ts).
 */
export const PHASES = ['pretraining', 'training', 'evaluation', 'baselines'] as const;
export type PhaseName = (typeof PHASES)[number];
export const PHASE_LABELS: Record<PhaseName, string> = {
  pretraining: 'supervised pre-training',
  training: 'meta-training',
  evaluation: 'evaluation',
  baselines: 'baselines',
};

export interface EpochRecord {
  readonly epoch: number;
  readonly trainLoss: number;
  readonly seconds: number;
  readonly usersPerSecond: number;
}

export interface RunSummary {
  readonly model: TrainConfig['model'];
  readonly dataset: string;
  /** The data's name, files and content hash (data/identity.ts), when the caller knew them. */
  readonly datasetIdentity?: DatasetIdentity;
  readonly protocol: TrainConfig['protocol'];
  readonly seed: number;
  readonly backend: BackendInfo['name'];
  readonly config: TrainConfig;
  readonly parameters: number;
  readonly epochs: readonly EpochRecord[];
  /** Test scenarios after the last completed evaluation. */
  readonly scenarios: ScenarioRecord;
  readonly validation: ScenarioRecord;
  readonly baselines: Partial<Record<BaselineName, ScenarioRecord>>;
  /**
   * The non-meta baseline's fine-tuning rates (warm items, new items), chosen on validation users
   * (absent without baselines).
   */
  readonly nonMetaLr?: LocalRates;
  /** The feature dropout the non-meta baseline trained with (chosen on validation: the model's or 0). */
  readonly nonMetaDropout?: number;
  /** The epochs the non-meta baseline trained for (chosen on validation, at most the model's). */
  readonly nonMetaEpochs?: number;
  /** How the non-meta baseline fine-tunes (layers, per-user gradient clip; chosen on validation). */
  readonly nonMetaFineTune?: FineTune;
  /** The non-meta baseline on the validation users at its chosen rate (what tuning compares against). */
  readonly nonMetaValidation?: ScenarioRecord;
  /** The bias baseline's shrinkage λ_i (item) and λ_u (user), chosen on validation users (with baselines). */
  readonly biasLambdas?: { readonly item: number; readonly user: number };
  /** With chooseLocalRate: the local rates of the last evaluation, chosen on validation users. */
  readonly localRate?: LocalRates;
  /**
   * With localRateLr: the meta-learned local step of each adapted tensor (key -> step at the configured
   * local rate; an evaluation rate r chosen on validation scales them all by r / innerLr).
   */
  readonly learnedLocalRates?: Readonly<Record<string, number>>;
  /** Epoch whose metrics are reported (the last evaluated). */
  readonly evaluatedEpoch: number;
  readonly seconds: number;
}

/** Box-plot statistics of a sample: extremes, type-7 quartiles (train/ratingStats.ts) and its size. */
export interface BoxStats {
  readonly min: number;
  readonly q1: number;
  readonly median: number;
  readonly q3: number;
  readonly max: number;
  readonly n: number;
}

/** Query ratings with one true rating value, and their MAE before / after local adaptation (null: none). */
export interface RatingErrors {
  readonly rating: number;
  readonly n: number;
  readonly maeBefore: number | null;
  readonly maeAfter: number | null;
}

/**
 * MELO's diagnostics at the end of an epoch (epoch 0: the initial state), on the first `tasks` validation
 * tasks of the evaluation sample (train/meloDiagnostics.ts): what the meta-learner learned.
 */
export interface MeloDiagnostics {
  readonly epoch: number;
  readonly tasks: number;
  /**
   * The learned loss weight w = |g_phi| of the support positions at the first local step, grouped by the
   * position's rating: entry r - 1 for rating r (null where no support position has it); null without
   * a weighting network (maml-sequence).
   */
  readonly lossWeights: readonly (BoxStats | null)[] | null;
  /** The learned local rates alpha_k[j] (LSLR): `values` row-major [layers x steps]. */
  readonly innerRates: {
    readonly layers: readonly string[];
    readonly steps: number;
    readonly values: readonly number[];
  };
  /** MAE per true rating 1..5 of these tasks' query ratings, before and after the local steps. */
  readonly ratingErrors: readonly RatingErrors[];
}

export type TrainErrorCode = 'diverged' | 'data' | 'backend' | 'config' | 'internal';

export type TrainEvent =
  | {
      type: 'started';
      backend: BackendInfo;
      split: SplitSummary;
      config: TrainConfig;
      parameters: number;
      stepsPerEpoch: number;
      strategy: string;
    }
  | {
      type: 'step';
      epoch: number;
      step: number;
      loss: number;
      /** tasks in this meta-batch and the step's wall time (s) */
      tasks: number;
      seconds: number;
      tasksPerSecond: number;
      numTensors: number;
      numBytes: number;
      /** Seconds since the run started (setup, evaluations and baselines included): the wall-clock axis. */
      elapsed?: number;
    }
  | { type: 'epoch'; record: EpochRecord }
  /**
   * Progress of the phase now running: `done` of `total` units (`unit`: meta-steps, supervised steps,
   * scenario sets, non-meta epochs). Sent when a phase starts (done = 0) and as it advances; the page
   * names it in the status line and estimates the time left from this phase's own rate.
   */
  | { type: 'phase'; name: PhaseName; done: number; total: number; unit: string }
  | {
      type: 'evaluated';
      epoch: number;
      test: ScenarioRecord;
      validation: ScenarioRecord;
      seconds: number;
      /** With chooseLocalRate: the local rates chosen on the validation users for this evaluation. */
      localRate?: LocalRates;
      /**
       * Per test user and scenario (train/userErrors.ts): n, support ratings, and Σ|e|, Σe² of the model
       * after adaptation ('model'), before it ('noAdaptation') and of every baseline computed (constant
       * over epochs, repeated in each evaluation so the last one alone is complete). Absent when tuning.
       */
      userErrors?: SeedErrors;
      /** MML: fusion weights per evaluated test task and the generator's neighbours. */
      mml?: MmlInspection;
    }
  /**
   * The baselines' rows, once; `userErrors` their per-user errors on the test sample (baselines run
   * after the first meta-training epoch, so evaluations before it carry the model's rows only).
   */
  | {
      type: 'baselines';
      metrics: Partial<Record<BaselineName, ScenarioRecord>>;
      userErrors?: SeedErrors;
    }
  /** With pretrainEpochs: one supervised pre-training epoch done (before meta-training's epoch 1). */
  | { type: 'pretrained'; epoch: number; epochs: number; trainLoss: number; seconds: number }
  | {
      type: 'memory';
      epoch: number;
      /** UserIndex of each evaluated test task */
      users: Int32Array;
      /** Scenario index (SCENARIOS order) of each row */
      scenarios: Uint8Array;
      /** Index of each row's task in its scenario's test TaskSet (for the user drill-down) */
      tasks: Int32Array;
      /** [users x k] attention rows */
      attention: Float32Array;
      k: number;
      /** The profile memory M_P [k x width] */
      profileMemory: Float32Array;
      profileWidth: number;
      /** Each row's user profile p_u [users x width] (what the attention compares with M_P's slots) */
      profiles?: Float32Array;
    }
  /** MELO (meta-training): per epoch, what its meta-learner learned (MeloDiagnostics). */
  | ({ type: 'meloDiagnostics' } & MeloDiagnostics)
  | { type: 'finished' | 'stopped'; summary: RunSummary }
  | { type: 'failed'; code: TrainErrorCode; message: string; lastGoodEpoch: number | null };

export type TrainSink = (event: TrainEvent) => void;
