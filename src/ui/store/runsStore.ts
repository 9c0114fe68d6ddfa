/**
 * Finished and stopped runs, kept in IndexedDB (via `idb`, a small promise wrapper): config, summary
 * and the whole event log (a run's curves are its log replayed), so they survive a reload.
 */
import { openDB, type IDBPDatabase } from 'idb';
import type { TrainConfig } from '../../config/experiment';
import type { RunSummary, TrainEvent } from '../../worker/protocol';

export interface SavedRun {
  readonly id: string;
  readonly dataset: string;
  readonly savedAt: number;
  readonly config: TrainConfig;
  readonly summary: RunSummary;
  readonly events: readonly TrainEvent[];
}

const DB = 'metarec-lab';
const STORE = 'runs';
let db: Promise<IDBPDatabase> | null = null;

function open(): Promise<IDBPDatabase> {
  db ??= openDB(DB, 1, {
    upgrade(database) {
      database.createObjectStore(STORE, { keyPath: 'id' });
    },
  });
  return db;
}

export async function saveRun(run: SavedRun): Promise<void> {
  await (await open()).put(STORE, run);
  window.dispatchEvent(new Event('metarec-runs-changed'));
}

/** All saved runs, newest first. */
export async function listRuns(): Promise<SavedRun[]> {
  const runs = (await (await open()).getAll(STORE)) as SavedRun[];
  return runs.sort((a, b) => b.savedAt - a.savedAt);
}

export async function deleteRun(id: string): Promise<void> {
  await (await open()).delete(STORE, id);
  window.dispatchEvent(new Event('metarec-runs-changed'));
}
