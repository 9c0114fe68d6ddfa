// The stored runs' faults, on a fake backend (no IndexedDB in Node): a full disk, a blocked or missing
// database, a corrupt record. Each leaves a sentence to show and the rest working.
import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_CONFIG } from '../../config/experiment';
import type { RunSnapshot } from '../../worker/protocol';
import { createRunsStore, idbBackend, type RunsBackend, type SavedRun } from './runsStore';
import { parseStoredRun } from './storedRun';

const run = (id: string, savedAt: number): SavedRun => ({
  id,
  dataset: 'synthetic demo',
  savedAt,
  status: 'running',
  config: DEFAULT_CONFIG,
  summary: null,
  events: [],
});

/** An in-memory backend; `fail` makes the named method throw `error`. */
function fake(records: unknown[] = [], fail: Partial<Record<keyof RunsBackend, Error>> = {}): RunsBackend {
  const rows = new Map<string, unknown>(records.map((r, i) => [(r as { id?: string })?.id ?? `#${i}`, r]));
  const snapshots = new Map<string, unknown>();
  const check = (m: keyof RunsBackend) => {
    if (fail[m]) throw fail[m];
  };
  return {
    put: async (r) => void (check('put'), rows.set(r.id, r)),
    get: async (id) => (check('get'), rows.get(id)),
    getAll: async () => (check('getAll'), [...rows.values()]),
    delete: async (id) => void (check('delete'), rows.delete(id)),
    putSnapshot: async (r, snapshot) =>
      void (check('putSnapshot'), rows.set(r.id, r), snapshots.set(r.id, snapshot)),
    getSnapshot: async (id) => (check('getSnapshot'), snapshots.get(id)),
    deleteSnapshot: async (id) => void (check('deleteSnapshot'), snapshots.delete(id)),
    snapshotCount: () => snapshots.size,
  } as RunsBackend;
}

/** An end-of-epoch snapshot: `epochs` finished, one weight tensor. */
const snapshotAfter = (epochs: number, weight: number): RunSnapshot => ({
  epoch: epochs + 1,
  stepInEpoch: 0,
  step: epochs * 3,
  epochs: Array.from({ length: epochs }, (_, i) => ({
    epoch: i + 1,
    trainLoss: 1,
    seconds: 1,
    usersPerSecond: 1,
  })),
  state: { w: { values: Float32Array.of(weight, weight), shape: [2], dtype: 'float32' } },
});

const named = (name: string, message = name) => Object.assign(new Error(message), { name });

describe('runs store', () => {
  it('keeps one snapshot per run, replaced every epoch, and drops it with the run', async () => {
    const backend = fake();
    const count = () => (backend as unknown as { snapshotCount(): number }).snapshotCount();
    const store = createRunsStore(backend);
    expect(await store.loadSnapshot('a')).toMatch(/not stored/);
    const noted = (id: string, epochs: number): SavedRun => ({
      ...run(id, epochs),
      snapshot: { epochs, events: 0 },
    });
    expect(await store.saveSnapshot(noted('a', 1), snapshotAfter(1, 0.5))).toBeNull();
    expect(await store.saveSnapshot(noted('b', 1), snapshotAfter(1, 7))).toBeNull();
    expect(await store.saveSnapshot(noted('a', 2), snapshotAfter(2, 0.25))).toBeNull();
    expect(count()).toBe(2);
    // the record naming a snapshot is written with it
    expect((await store.list()).runs.find((r) => r.id === 'a')?.snapshot).toEqual({ epochs: 2, events: 0 });
    const a = await store.loadSnapshot('a');
    expect(typeof a === 'object' && a.epoch).toBe(3);
    expect(
      typeof a === 'object' && Array.from((a.state as unknown as { w: { values: Float32Array } }).w.values),
    ).toEqual([0.25, 0.25]);
    expect(await store.save(run('a', 1))).toBeNull();
    expect(await store.remove('a')).toBeNull();
    expect(count()).toBe(1);
    expect(await store.dropSnapshot('b')).toBeNull();
    expect(count()).toBe(0);
  });

  it('a failed snapshot save is a sentence that says the run goes on; the earlier one stays', async () => {
    const backend = fake();
    const store = createRunsStore(backend);
    expect(await store.saveSnapshot(run('a', 1), snapshotAfter(1, 1))).toBeNull();
    const full = createRunsStore({
      ...backend,
      putSnapshot: async () => Promise.reject(named('QuotaExceededError')),
    });
    const message = await full.saveSnapshot(run('a', 2), snapshotAfter(2, 2));
    expect(message).toMatch(/Browser storage is full, so keeping the training state of epoch 2 .* failed/);
    expect(message).toMatch(/training itself is not affected/);
    const kept = await store.loadSnapshot('a');
    expect(typeof kept === 'object' && kept.epoch).toBe(2);
  });

  it("reads a run's snapshot note back, and drops a damaged one", () => {
    const base = { ...run('a', 1), events: [{ type: 'phase' }, { type: 'phase' }] };
    expect(parseStoredRun({ ...base, snapshot: { epochs: 1, events: 2 } })).toMatchObject({
      snapshot: { epochs: 1, events: 2 },
    });
    for (const bad of [{ epochs: 0, events: 1 }, { epochs: 1, events: 3 }, 'x'])
      expect((parseStoredRun({ ...base, snapshot: bad }) as SavedRun).snapshot).toBeUndefined();
  });

  it('lists runs newest first and keeps labels', async () => {
    const changed = vi.fn();
    const store = createRunsStore(fake(), changed);
    expect(await store.save(run('a', 1))).toBeNull();
    expect(await store.save(run('b', 2))).toBeNull();
    expect(await store.label('a', { name: 'first', notes: 'n', tags: ['x'] })).toBeNull();
    const list = await store.list();
    expect(list.runs.map((r) => r.id)).toEqual(['b', 'a']);
    expect(list.runs[1]).toMatchObject({ name: 'first', notes: 'n', tags: ['x'] });
    expect(changed).toHaveBeenCalledTimes(3);
  });

  it('says so when storage is full (QuotaExceededError) and keeps the earlier runs', async () => {
    const backend = fake([run('a', 1)], { put: named('QuotaExceededError', 'quota') });
    const changed = vi.fn();
    const store = createRunsStore(backend, changed);
    const message = await store.save(run('b', 2));
    expect(message).toMatch(/Browser storage is full, so saving this run failed/);
    expect(changed).not.toHaveBeenCalled();
    expect((await store.list()).runs.map((r) => r.id)).toEqual(['a']);
  });

  it('lists nothing with a sentence when the database is blocked or unavailable', async () => {
    const blocked = createRunsStore(fake([], { getAll: named('BlockedError') }));
    const list = await blocked.list();
    expect(list.runs).toEqual([]);
    expect(list.error).toMatch(/another tab has MetaRec Lab open with an older version/);
    const missing = createRunsStore(fake([], { getAll: named('InvalidStateError', 'no IndexedDB') }));
    expect((await missing.list()).error).toMatch(/Stored runs are unavailable \(no IndexedDB\)/);
  });

  it('skips a corrupt record with its reason and lists the others', async () => {
    const store = createRunsStore(
      fake([
        run('good', 5),
        { id: 'broken', savedAt: 3, config: {}, events: 'not a list' },
        { id: 'nosummary', savedAt: 4, config: {}, events: [], summary: { scenarios: 1 } },
        null,
      ]),
    );
    const list = await store.list();
    expect(list.runs.map((r) => r.id)).toEqual(['good']);
    expect(list.skipped).toEqual([
      'run broken: expected a list of events',
      'run nosummary: its summary is damaged',
      'expected a run record, got null',
    ]);
    expect(list.error).toBeNull();
  });
});

describe('idbBackend', () => {
  it('rejects with a BlockedError when another tab blocks the open', async () => {
    vi.resetModules();
    vi.doMock('idb', () => ({
      openDB: (_n: string, _v: number, options: { blocked: () => void }) => {
        options.blocked();
        return new Promise(() => {}); // never opens while blocked
      },
    }));
    const { idbBackend: fresh, createRunsStore: create } = await import('./runsStore');
    const list = await create(fresh()).list();
    expect(list.error).toMatch(/Stored runs are blocked/);
    vi.doUnmock('idb');
    expect(idbBackend).toBeTypeOf('function');
  });
});
