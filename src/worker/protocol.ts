/**
 * The one typed message protocol between the page and the training worker. TYPES ONLY (plus `as const`
 * tags): imported by both sides, which `switch (msg.type)` with `default: assertNever(msg)`. Every run
 * carries a RunId and every request a RequestId; answers to stale runs/requests are dropped by the client.
 * Large arrays travel as typed arrays (transferred, not copied).
 */
import type { BackendPreference, TrainConfig } from '../config/experiment';
import type { DataErrorInfo } from '../data/errors';
import type { Protocol, Scenario, SplitSummary } from '../data/scenarios/types';
import type { DatasetSummary } from '../data/summary';
import type { BackendInfo } from '../kernels/backend';
import type { RunResume } from '../train/epochs';
import type { TrainErrorCode, TrainEvent } from '../train/events';

/**
 * NOTE: besides types, this file re-exports BASELINE_LABELS (a table of strings) from train/events.
 */
/** A run's committed training state and position (train/epochs.ts RunResume): plain data and typed arrays. */
export type RunSnapshot = RunResume;
export type RunId = string & { readonly __brand: 'RunId' };
export type RequestId = number & { readonly __brand: 'RequestId' };

/**
 * A file the user gave: its bytes (read on the main thread, transferred), or, for a large file
 * (MovieLens 10M/20M/25M ratings, their zips), the File itself, which the worker streams (data/stream.ts).
 */
export type PickedFile =
  { readonly path: string; readonly bytes: ArrayBuffer } | { readonly path: string; readonly blob: Blob };

/** Where a dataset comes from: the embedded synthetic demo, or files the user gave (zip, folder, files). */
export type DataSource =
  | { readonly kind: 'demo' }
  | {
      readonly kind: 'files';
      readonly files: readonly PickedFile[];
    };

/** Profile of a "new user" typed into the page (vocabulary values; '' = unknown). */
export interface NewUserProfile {
  readonly gender: string;
  readonly age: string;
  readonly occupation: string;
  readonly zip: string;
}

/** Test tasks of the current split, per scenario, for the user list of the Users panel. */
export type TestTaskIndex = Record<
  Scenario,
  { readonly rawUserIds: Int32Array; readonly supportSizes: Int32Array; readonly querySizes: Int32Array }
>;

export interface RatedItem {
  readonly title: string;
  readonly year: number;
  readonly rating: number;
}

/** A position of a sequence run's window (time order; `position` 0-based in the window). */
export interface WindowItem extends RatedItem {
  readonly position: number;
}

/** A title and year (an item ranked by MML). */
export interface NamedItem {
  readonly title: string;
  readonly year: number;
}

/**
 * A sequence run's answer for one test task: its window (train/meloWindows.ts evaluationWindow:
 * support ++ query, time order; `dropped` = the earliest support positions beyond the window), after
 * `steps` local steps on the support.
 * - 'rating' (MELO): every query position's true rating and the prediction before/after the steps.
 * - 'ranking' (MML): each query position's true item ranked among `candidates` items (1 = best) by the
 *   fused scores before/after adaptation, and the top items after (train/sequenceInspect.ts TOP_ITEMS).
 */
export type SequenceInspection =
  | {
      readonly kind: 'rating';
      readonly steps: number;
      readonly dropped: number;
      readonly support: readonly WindowItem[];
      readonly query: readonly (WindowItem & { readonly before: number; readonly after: number })[];
    }
  | {
      readonly kind: 'ranking';
      readonly steps: number;
      readonly dropped: number;
      readonly candidates: number;
      readonly support: readonly WindowItem[];
      readonly query: readonly (WindowItem & {
        readonly rankBefore: number;
        readonly rankAfter: number;
        readonly top: readonly NamedItem[];
      })[];
    };

/**
 * One test user's adaptation, for the drill-down. MELO/MML runs add `sequence`; then `support` is the
 * window's support and `query` MELO's rating rows (MML predicts no ratings: its query is empty).
 */
export interface UserInspection {
  readonly scenario: Scenario;
  readonly task: number;
  readonly rawUserId: number;
  /** "gender=F", "age=25", ... */
  readonly profile: readonly string[];
  readonly support: readonly RatedItem[];
  readonly query: readonly (RatedItem & { readonly before: number; readonly after: number })[];
  /** MAMO: the user's attention over the K slots. */
  readonly attention: readonly number[] | null;
  /** MELO and MML runs: the window in time order (absent for MeLU/MAMO). */
  readonly sequence?: SequenceInspection;
}

export interface Recommendations {
  readonly items: readonly {
    readonly item: number;
    readonly title: string;
    readonly year: number;
    /** the item's genres (with its release decade, all a feature-only model knows of a film here) */
    readonly genres: readonly string[];
    readonly score: number;
  }[];
  readonly attention: readonly number[] | null;
  readonly supportSize: number;
}

/**
 * The sequence protocol's settings its split depends on (the run's config fields): the Users list and
 * MML's bars must index the same test tasks as the run, so the page's split carries them too.
 */
export type SequenceSplitSettings = Pick<
  TrainConfig,
  'sequenceWindow' | 'sequenceQuery' | 'sequenceMinRatings' | 'sequenceMinItemRatings' | 'sequenceNewUsers'
>;

export type ToWorker =
  | { readonly type: 'init'; readonly backend: BackendPreference }
  | {
      readonly type: 'load';
      readonly requestId: RequestId;
      readonly source: DataSource;
      /** 'add': merge with the loaded files (ratings + side information + split files); default 'replace' */
      readonly mode?: 'replace' | 'add';
    }
  | {
      readonly type: 'split';
      readonly requestId: RequestId;
      readonly protocol: Protocol;
      readonly seed: number;
      readonly newItemYear: number;
      /** The sequence protocol's settings (defaults when absent). */
      readonly sequence?: SequenceSplitSettings;
    }
  | {
      readonly type: 'start';
      readonly runId: RunId;
      readonly config: TrainConfig;
      /** Go on from a stored end-of-epoch snapshot of this run (after a reload); checked by the worker. */
      readonly resume?: RunSnapshot;
    }
  | { readonly type: 'pause' | 'resume' | 'stop'; readonly runId: RunId }
  | {
      readonly type: 'inspect';
      readonly requestId: RequestId;
      readonly runId: RunId;
      readonly scenario: Scenario;
      readonly task: number;
    }
  | {
      readonly type: 'recommend';
      readonly requestId: RequestId;
      readonly runId: RunId;
      readonly profile: NewUserProfile;
      readonly ratings: readonly { readonly item: number; readonly rating: number }[];
      readonly count: number;
    };

export type FromWorker =
  | { readonly type: 'ready'; readonly backend: BackendInfo }
  | {
      readonly type: 'loadProgress';
      readonly requestId: RequestId;
      readonly fraction: number;
      readonly message: string;
    }
  | { readonly type: 'loaded'; readonly requestId: RequestId; readonly summary: DatasetSummary }
  | { readonly type: 'loadFailed'; readonly requestId: RequestId; readonly error: DataErrorInfo }
  | {
      readonly type: 'splitReady';
      readonly requestId: RequestId;
      readonly summary: SplitSummary;
      readonly testTasks: TestTaskIndex;
    }
  | { readonly type: 'splitFailed'; readonly requestId: RequestId; readonly error: DataErrorInfo }
  /** Training events since the last message (the worker batches them about every 100 ms). */
  | { readonly type: 'events'; readonly runId: RunId; readonly events: readonly TrainEvent[] }
  /**
   * The run's committed state at the end of an epoch (after its evaluation), to store and resume from
   * after a reload: its position is the start of the next epoch. Sent after the epoch's events; typed
   * arrays transferred.
   */
  | { readonly type: 'snapshot'; readonly runId: RunId; readonly snapshot: RunSnapshot }
  | { readonly type: 'inspection'; readonly requestId: RequestId; readonly result: UserInspection }
  | { readonly type: 'recommendations'; readonly requestId: RequestId; readonly result: Recommendations }
  | {
      readonly type: 'error';
      readonly runId: RunId | null;
      readonly requestId: RequestId | null;
      readonly code: TrainErrorCode;
      readonly message: string;
    };

// The event vocabulary the page draws, re-exported so ui/ depends on this contract alone (types, plus
// the baseline label table, which is plain data with no tfjs behind it).
export type {
  BaselineName,
  BoxStats,
  EpochRecord,
  MeloDiagnostics,
  MmlInspection,
  RatingErrors,
  PhaseName,
  RunSummary,
  ScenarioMetrics,
  ScenarioRecord,
  TrainErrorCode,
  TrainEvent,
} from '../train/events';
export { BASELINE_LABELS, PHASE_LABELS } from '../train/events';
export type { BackendInfo } from '../kernels/backend';
export { SOFTWARE_ADAPTER_REASON } from '../kernels/backendReasons';
export { withPredictors } from '../train/userErrors';
