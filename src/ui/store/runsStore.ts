/**
 * Stored runs in IndexedDB (via `idb`), behind a three-method backend so the logic around the faults
 * is tested with a fake (store.test.ts): a full disk (QuotaExceededError) fails that one save with a
 * sentence, a database blocked by another tab or unavailable (private mode) leaves an empty list with a
 * sentence, and a corrupt record is skipped with its reason while the others are listed. The app keeps
 * working in every case: runs just are not kept.
 * Beside each run, in a store of their own (listing runs never reads them), at most one snapshot: its
 * training state at the end of its latest epoch, replaced every epoch, to resume it after a reload.
 */
import { openDB, type IDBPDatabase } from 'idb';
import type { RunSnapshot } from '../../worker/protocol';
import { parseStoredRun, type RunLabels, type SavedRun } from './storedRun';

export type { RunLabels, SavedRun, StoredStatus } from './storedRun';
export { statusOf } from './storedRun';

/** What the store needs from a database; `get` and `getAll` return what was read, unchecked. */
export interface RunsBackend {
  put(run: SavedRun): Promise<void>;
  get(id: string): Promise<unknown>;
  getAll(): Promise<unknown[]>;
  delete(id: string): Promise<void>;
  /**
   * One snapshot per run id (a put replaces it), written in ONE transaction with the run's record that
   * names it: a reload between two writes could otherwise leave a record of one epoch beside the
   * training state of the next.
   */
  putSnapshot(run: SavedRun, snapshot: RunSnapshot): Promise<void>;
  getSnapshot(id: string): Promise<unknown>;
  deleteSnapshot(id: string): Promise<void>;
}

export interface RunList {
  /** Readable runs, newest first. */
  readonly runs: SavedRun[];
  /** One sentence per record that could not be read (skipped). */
  readonly skipped: string[];
  /** Why nothing could be listed (blocked, unavailable), or null. */
  readonly error: string | null;
}

/** A sentence for a failed store operation: what happened and what to do. */
export function describeStoreError(error: unknown, action: string): string {
  const name = error instanceof Error || error instanceof DOMException ? error.name : '';
  const message = error instanceof Error ? error.message : String(error);
  if (name === 'QuotaExceededError')
    return `Browser storage is full, so ${action} failed. Delete or export old runs (Runs tab) to make room; training itself is not affected.`;
  if (name === 'BlockedError')
    return `Stored runs are blocked: another tab has MetaRec Lab open with an older version. Close it and reload to see them; ${action} did not happen.`;
  return `Stored runs are unavailable (${message}), so ${action} failed; the app works without them, but runs are not kept.`;
}

const DB = 'metarec-lab';
const STORE = 'runs';
const SNAPSHOTS = 'snapshots';

/** The IndexedDB backend. The database opens on first use; a blocked open rejects with a BlockedError. */
export function idbBackend(): RunsBackend {
  let db: Promise<IDBPDatabase> | null = null;
  const open = (): Promise<IDBPDatabase> => {
    db ??= new Promise<IDBPDatabase>((resolve, reject) => {
      openDB(DB, 2, {
        // version 1 held the runs; version 2 adds their snapshots
        upgrade(database) {
          if (!database.objectStoreNames.contains(STORE))
            database.createObjectStore(STORE, { keyPath: 'id' });
          if (!database.objectStoreNames.contains(SNAPSHOTS)) database.createObjectStore(SNAPSHOTS);
        },
        blocked() {
          const error = new Error('blocked by another tab');
          error.name = 'BlockedError';
          reject(error);
        },
        // a newer version in another tab wants to upgrade: let it (this tab reopens on its next call)
        blocking(_current, _blocked, event) {
          (event.target as IDBDatabase).close();
          db = null;
        },
      }).then(resolve, reject);
    }).catch((error: unknown) => {
      db = null; // the next call tries again (the other tab may have closed)
      throw error;
    });
    return db;
  };
  return {
    put: async (run) => void (await (await open()).put(STORE, run)),
    get: async (id) => (await open()).get(STORE, id) as Promise<unknown>,
    getAll: async () => (await open()).getAll(STORE) as Promise<unknown[]>,
    delete: async (id) => (await open()).delete(STORE, id),
    putSnapshot: async (run, snapshot) => {
      const tx = (await open()).transaction([STORE, SNAPSHOTS], 'readwrite');
      await Promise.all([
        tx.objectStore(STORE).put(run),
        tx.objectStore(SNAPSHOTS).put(snapshot, run.id),
        tx.done,
      ]);
    },
    getSnapshot: async (id) => (await open()).get(SNAPSHOTS, id) as Promise<unknown>,
    deleteSnapshot: async (id) => (await open()).delete(SNAPSHOTS, id),
  };
}

/** A sentence, or null on success. */
export type StoreResult = string | null;

export interface RunsStore {
  save(run: SavedRun): Promise<StoreResult>;
  list(): Promise<RunList>;
  remove(id: string): Promise<StoreResult>;
  /** Sets name, notes and tags of a stored run. */
  label(id: string, labels: RunLabels): Promise<StoreResult>;
  /**
   * Keeps `snapshot` as the run's one snapshot (replacing the one before), and `run`, the record that
   * names it, in the same transaction: both or neither.
   */
  saveSnapshot(run: SavedRun, snapshot: RunSnapshot): Promise<StoreResult>;
  /** The run's snapshot, or why there is none to resume from (a sentence). */
  loadSnapshot(id: string): Promise<RunSnapshot | string>;
  /** Drops the run's snapshot (the run ended: nothing to resume). */
  dropSnapshot(id: string): Promise<StoreResult>;
}

/** The store's logic over a backend; `changed` is called after every successful write. */
export function createRunsStore(backend: RunsBackend, changed: () => void = () => {}): RunsStore {
  const attempt = async (action: string, write: () => Promise<void>): Promise<StoreResult> => {
    try {
      await write();
      changed();
      return null;
    } catch (error) {
      return describeStoreError(error, action);
    }
  };
  return {
    save: (run) => attempt('saving this run', () => backend.put(run)),
    remove: (id) =>
      attempt('deleting the run', async () => {
        await backend.delete(id);
        // a run stored before snapshots existed, or a database without them: nothing more to delete
        await backend.deleteSnapshot(id).catch(() => undefined);
      }),
    async saveSnapshot(run, snapshot) {
      try {
        await backend.putSnapshot(run, snapshot);
        changed();
        return null;
      } catch (error) {
        return describeStoreError(
          error,
          `keeping the training state of epoch ${snapshot.epoch - 1} (a reload could resume this run only from an earlier epoch, or restart it)`,
        );
      }
    },
    async loadSnapshot(id) {
      try {
        const snapshot = await backend.getSnapshot(id);
        if (typeof snapshot !== 'object' || snapshot === null)
          return 'Its training state is not stored (it was deleted, or never saved): restart it instead.';
        return snapshot as RunSnapshot;
      } catch (error) {
        return describeStoreError(error, 'reading its training state');
      }
    },
    async dropSnapshot(id) {
      try {
        await backend.deleteSnapshot(id);
        return null;
      } catch (error) {
        return describeStoreError(error, 'freeing the stored training state');
      }
    },
    label: (id, labels) =>
      attempt('saving the name, notes and tags', async () => {
        const parsed = parseStoredRun(await backend.get(id));
        if (typeof parsed === 'string') throw new Error(parsed);
        await backend.put({ ...parsed, ...labels });
      }),
    async list() {
      let records: unknown[];
      try {
        records = await backend.getAll();
      } catch (error) {
        return { runs: [], skipped: [], error: describeStoreError(error, 'listing stored runs') };
      }
      const runs: SavedRun[] = [];
      const skipped: string[] = [];
      for (const record of records) {
        const parsed = parseStoredRun(record);
        if (typeof parsed === 'string') skipped.push(parsed);
        else runs.push(parsed);
      }
      return { runs: runs.sort((a, b) => b.savedAt - a.savedAt), skipped, error: null };
    },
  };
}

/** The page's store: IndexedDB, announcing changes with a window event the runs table listens to. */
export const CHANGED_EVENT = 'metarec-runs-changed';
let shared: RunsStore | null = null;
export function runsStore(): RunsStore {
  shared ??= createRunsStore(idbBackend(), () => window.dispatchEvent(new Event(CHANGED_EVENT)));
  return shared;
}
