/**
 * A stored run: its configuration, its data's identity, its whole event log (curves, memory and
 * drill-down are the log replayed: ui/state/runState.ts) and what the researcher wrote about it. Plain
 * data, so it survives IndexedDB's structured clone; `parseStoredRun` checks a record read back, so one
 * corrupt record is skipped with a reason instead of breaking the list.
 */
import { validateConfig } from '../../config/codec';
import type { TrainConfig } from '../../config/experiment';
import type { DatasetIdentity } from '../../data/identity';
import type { RunSummary, TrainEvent } from '../../worker/protocol';

/**
 * 'running': saved at the start and after every evaluation while it runs; found so after a page load it
 * was interrupted (the page closed mid-run). The others: how it ended.
 */
export type StoredStatus = 'running' | 'finished' | 'stopped' | 'failed';

export interface SavedRun {
  readonly id: string;
  /** The data's name (kept for records made before `data` existed). */
  readonly dataset: string;
  /** Name, files and content hash of the data it trained on (absent in older records). */
  readonly data?: DatasetIdentity;
  readonly savedAt: number;
  readonly startedAt?: number;
  /** Older records (finished or stopped only) have none: read as 'finished' or 'stopped'. */
  readonly status?: StoredStatus;
  readonly config: TrainConfig;
  /** Null while running and for failed or interrupted runs. */
  readonly summary: RunSummary | null;
  readonly events: readonly TrainEvent[];
  /**
   * While it runs: its latest stored snapshot (runsStore, saved at the end of an epoch): the epochs
   * it holds and how many of `events` came before it (a resume keeps those and drops the rest).
   */
  readonly snapshot?: SnapshotInfo;
  readonly name?: string;
  readonly notes?: string;
  readonly tags?: readonly string[];
}

export interface SnapshotInfo {
  /** Epochs finished in it: a resume goes on with epoch `epochs + 1`. */
  readonly epochs: number;
  /** How many of the run's events it follows. */
  readonly events: number;
}

export type RunLabels = Pick<SavedRun, 'name' | 'notes' | 'tags'>;

/** The status a record stands for; 'running' read back after a page load means it was interrupted. */
export function statusOf(run: SavedRun): StoredStatus {
  if (run.status) return run.status;
  return run.events.some((e) => e.type === 'stopped') ? 'stopped' : 'finished';
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null;

/** The record, or why it cannot be shown (a sentence). Config values out of range fall back to defaults. */
export function parseStoredRun(x: unknown): SavedRun | string {
  if (!isObject(x)) return `expected a run record, got ${x === null ? 'null' : typeof x}`;
  const id = typeof x.id === 'string' ? x.id : null;
  const where = id ? `run ${id}` : 'a run without an id';
  if (!id) return `${where}: expected a text id`;
  if (typeof x.savedAt !== 'number' || !Number.isFinite(x.savedAt)) return `${where}: expected a save time`;
  if (!Array.isArray(x.events) || x.events.some((e) => !isObject(e) || typeof e.type !== 'string'))
    return `${where}: expected a list of events`;
  if (!isObject(x.config)) return `${where}: expected a configuration`;
  const summary = x.summary ?? null;
  if (
    summary !== null &&
    !(isObject(summary) && isObject(summary.scenarios) && Array.isArray(summary.epochs))
  )
    return `${where}: its summary is damaged`;
  const status = x.status;
  if (status !== undefined && !['running', 'finished', 'stopped', 'failed'].includes(status as string))
    return `${where}: unknown status "${String(status)}"`;
  const snap = x.snapshot;
  const snapshot =
    isObject(snap) &&
    Number.isInteger(snap.epochs) &&
    (snap.epochs as number) >= 1 &&
    Number.isInteger(snap.events) &&
    (snap.events as number) >= 0 &&
    (snap.events as number) <= x.events.length
      ? { epochs: snap.epochs as number, events: snap.events as number }
      : undefined;
  const tags = Array.isArray(x.tags) ? x.tags.filter((t): t is string => typeof t === 'string') : undefined;
  return {
    ...(x as unknown as SavedRun),
    dataset: typeof x.dataset === 'string' ? x.dataset : '',
    config: validateConfig(x.config).config,
    summary: summary as RunSummary | null,
    snapshot,
    ...(tags ? { tags } : {}),
  };
}
