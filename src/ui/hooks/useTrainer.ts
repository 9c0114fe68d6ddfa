/**
 * The one React entry point to training: wraps the worker client, holds the dataset, split and run
 * views, and exposes commands. Components below only draw this state and call these commands.
 */
import { startTransition, useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import type { BackendPreference, TrainConfig } from '../../config/experiment';
import type { DataErrorInfo } from '../../data/errors';
import type { Protocol, Scenario, SplitSummary } from '../../data/scenarios/types';
import type { DatasetSummary } from '../../data/summary';
import type { BackendInfo } from '../../worker/protocol';
import type {
  DataSource,
  NewUserProfile,
  Recommendations,
  RunId,
  RunSnapshot,
  SequenceSplitSettings,
  TestTaskIndex,
  UserInspection,
} from '../../worker/protocol';
import { splitKey } from '../state/splitSettings';
import { RequestError } from '../../worker/client';
import { EMPTY_RUN, runReducer, type RunView } from '../state/runState';
import { trainerClient } from '../trainer';
import { runsStore, type SavedRun, type StoredStatus } from '../store/runsStore';
import type { DatasetIdentity } from '../../data/identity';

export interface DataState {
  readonly summary: DatasetSummary | null;
  readonly loading: { fraction: number; message: string } | null;
  readonly error: DataErrorInfo | null;
}

export interface SplitState {
  readonly summary: SplitSummary | null;
  readonly testTasks: TestTaskIndex | null;
  readonly error: string | null;
  readonly protocol: Protocol | null;
  readonly seed: number | null;
  /** The sequence settings it was made with (state/splitSettings.ts splitKey; '' for other protocols). */
  readonly settings: string | null;
}

export interface Trainer {
  readonly backend: BackendInfo | null;
  readonly backendError: string | null;
  readonly data: DataState;
  readonly split: SplitState;
  readonly run: RunView;
  readonly runId: RunId | null;
  /** Why the last save of a run failed (storage full, blocked, unavailable), or null. */
  readonly storeError: string | null;
  initBackend(preference: BackendPreference): void;
  /** 'add' merges the files with what is loaded (ratings, then side information or split files). */
  load(source: DataSource, mode?: 'replace' | 'add'): Promise<boolean>;
  refreshSplit(protocol: Protocol, seed: number, newItemYear: number, sequence?: SequenceSplitSettings): void;
  start(config: TrainConfig): void;
  /**
   * Goes on with a stored (interrupted) run from its snapshot: the same record, its events up to the
   * snapshot kept (curves keep their points), new epochs appended.
   */
  resumeStored(run: SavedRun, snapshot: RunSnapshot): void;
  pause(): void;
  resume(): void;
  stop(): void;
  inspect(scenario: Scenario, task: number): Promise<UserInspection>;
  recommend(
    profile: NewUserProfile,
    ratings: readonly { item: number; rating: number }[],
    count: number,
  ): Promise<Recommendations>;
}

export function useTrainer(): Trainer {
  const client = useMemo(() => trainerClient(), []);
  const [backend, setBackend] = useState<BackendInfo | null>(null);
  const [backendError, setBackendError] = useState<string | null>(null);
  const [data, setData] = useState<DataState>({ summary: null, loading: null, error: null });
  const [split, setSplit] = useState<SplitState>({
    summary: null,
    testTasks: null,
    error: null,
    protocol: null,
    seed: null,
    settings: null,
  });
  const [run, dispatch] = useReducer(runReducer, EMPTY_RUN);
  const [runId, setRunId] = useState<RunId | null>(null);
  const eventLog = useRef<unknown[]>([]);
  const datasetName = useRef('');
  const identity = useRef<DatasetIdentity | null>(null);
  const [recordError, setRecordError] = useState<string | null>(null);
  // kept apart: the next successful record save must not hide that a snapshot could not be kept
  const [snapshotError, setSnapshotError] = useState<string | null>(null);
  const storeError = recordError ?? snapshotError;
  // the run being recorded: saved as 'running' at the start and after every evaluation, so a page
  // reload mid-run leaves a record the runs table shows as interrupted (with its curves so far)
  const record = useRef<Omit<SavedRun, 'events' | 'savedAt' | 'status' | 'summary'> | null>(null);
  /** The run being recorded as it is stored now: its record, a status, the events so far. */
  const recordNow = useCallback(
    (
      base: NonNullable<typeof record.current>,
      status: StoredStatus,
      summary: SavedRun['summary'],
    ): SavedRun => ({
      ...base,
      savedAt: Date.now(),
      status,
      // the worker's summary does not know the data's identity; the page does
      summary:
        summary && base.data && !summary.datasetIdentity
          ? { ...summary, datasetIdentity: base.data }
          : summary,
      events: eventLog.current.slice() as SavedRun['events'],
    }),
    [],
  );
  const persist = useCallback(
    (status: StoredStatus, summary: SavedRun['summary']) => {
      if (!record.current) return;
      // in a task of its own: IndexedDB clones the log synchronously, away from the event dispatch
      if (status !== 'running') {
        const run = recordNow(record.current, status, summary);
        setTimeout(() => void runsStore().save(run).then(setRecordError), 0);
        return;
      }
      // a running record is built when it is written, so it names the latest snapshot (onSnapshot
      // below notes it at once) and never puts an older note back over it
      const id = record.current.id;
      setTimeout(() => {
        if (record.current?.id === id)
          void runsStore()
            .save(recordNow(record.current, 'running', null))
            .then(setRecordError);
      }, 0);
    },
    [recordNow],
  );

  useEffect(
    () =>
      client.subscribe((id, events) => {
        eventLog.current.push(...events);
        // a transition: React renders it in ~5 ms slices, so drawing never blocks the page
        startTransition(() => dispatch({ type: 'events', events }));
        if (record.current?.id !== id) return;
        let ended = false;
        for (const e of events) {
          if (e.type === 'started') setBackend(e.backend);
          ended ||= e.type === 'finished' || e.type === 'stopped' || e.type === 'failed';
          if (ended && record.current) {
            // an ended run is not resumed: its snapshot goes, to free the space
            const { snapshot: _dropped, ...rest } = record.current;
            record.current = rest;
            void runsStore().dropSnapshot(rest.id);
          }
          if (e.type === 'finished' || e.type === 'stopped') persist(e.type, e.summary);
          if (e.type === 'failed') persist('failed', null);
        }
        if (ended) record.current = null;
        else if (events.some((e) => e.type === 'evaluated' || e.type === 'memory')) persist('running', null);
      }),
    [client, persist],
  );

  // every epoch's end: the snapshot and the run's record naming it are stored in one transaction, so a
  // reload never finds a record of one epoch beside the state of another; a save that fails leaves the
  // earlier snapshot (and its note) in place and says so, the run goes on
  useEffect(
    () =>
      client.onSnapshot((id, snapshot) => {
        const current = record.current;
        if (current?.id !== id) return;
        const previous = current.snapshot;
        const note = { epochs: snapshot.epoch - 1, events: eventLog.current.length };
        // noted at once: every record written from now on names this snapshot too
        record.current = { ...current, snapshot: note };
        void runsStore()
          .saveSnapshot(recordNow(record.current, 'running', null), snapshot)
          .then((error) => {
            setSnapshotError(error);
            if (!error || record.current?.id !== id || record.current.snapshot !== note) return;
            // not kept: the record names the snapshot before again (still stored), or none
            const { snapshot: _failed, ...rest } = record.current;
            record.current = previous ? { ...rest, snapshot: previous } : rest;
            persist('running', null);
          });
      }),
    [client, persist, recordNow],
  );

  const initBackend = useCallback(
    (preference: BackendPreference) => {
      setBackendError(null);
      client
        .init(preference)
        .then(setBackend, (e: unknown) => setBackendError(e instanceof Error ? e.message : String(e)));
    },
    [client],
  );

  const load = useCallback(
    async (source: DataSource, mode: 'replace' | 'add' = 'replace') => {
      setData((d) => ({ ...d, loading: { fraction: 0, message: 'reading files' }, error: null }));
      try {
        const summary = await client.load(
          source,
          (fraction, message) => setData((d) => ({ ...d, loading: { fraction, message } })),
          mode,
        );
        datasetName.current = summary.name;
        identity.current = summary.identity;
        setData({ summary, loading: null, error: null });
        return true;
      } catch (e) {
        const error =
          e instanceof RequestError && e.data
            ? e.data
            : { code: 'parse' as const, message: e instanceof Error ? e.message : String(e) };
        setData((d) => ({ ...d, loading: null, error })); // the previous dataset stays loaded
        return false;
      }
    },
    [client],
  );

  const refreshSplit = useCallback(
    (protocol: Protocol, seed: number, newItemYear: number, sequence?: SequenceSplitSettings) => {
      const settings = splitKey(sequence);
      client.split(protocol, seed, newItemYear, sequence).then(
        (r) =>
          setSplit({ summary: r.summary, testTasks: r.testTasks, error: null, protocol, seed, settings }),
        (e: unknown) =>
          setSplit({
            summary: null,
            testTasks: null,
            error: e instanceof Error ? e.message : String(e),
            protocol,
            seed,
            settings,
          }),
      );
    },
    [client],
  );

  const start = useCallback(
    (config: TrainConfig) => {
      eventLog.current = [];
      const now = Date.now();
      dispatch({ type: 'reset', config, now });
      const id = client.start(config);
      setRunId(id);
      setSnapshotError(null);
      record.current = {
        id,
        dataset: datasetName.current,
        ...(identity.current ? { data: identity.current } : {}),
        startedAt: now,
        config,
      };
      persist('running', null);
    },
    [client, persist],
  );
  const resumeStored = useCallback(
    (run: SavedRun, snapshot: RunSnapshot) => {
      const kept = run.events.slice(0, run.snapshot?.events ?? run.events.length);
      eventLog.current = [...kept];
      dispatch({ type: 'reset', config: run.config, now: run.startedAt ?? Date.now() });
      dispatch({ type: 'events', events: kept });
      const id = client.start(run.config, { runId: run.id as RunId, snapshot });
      setRunId(id);
      setSnapshotError(null);
      const { events: _events, savedAt: _savedAt, status: _status, summary: _summary, ...rest } = run;
      record.current = rest;
      persist('running', null);
    },
    [client, persist],
  );
  const pause = useCallback(() => {
    client.pause();
    dispatch({ type: 'paused' });
  }, [client]);
  const resume = useCallback(() => {
    client.resume();
    dispatch({ type: 'resumed' });
  }, [client]);
  const stop = useCallback(() => client.stop(), [client]);
  const inspect = useCallback(
    (scenario: Scenario, task: number) =>
      runId ? client.inspect(runId, scenario, task) : Promise.reject(new Error('No run yet.')),
    [client, runId],
  );
  const recommend = useCallback(
    (profile: NewUserProfile, ratings: readonly { item: number; rating: number }[], count: number) =>
      runId
        ? client.recommend(runId, profile, ratings, count)
        : Promise.reject(new Error('Train a model first.')),
    [client, runId],
  );
  return {
    backend,
    backendError,
    data,
    split,
    run,
    runId,
    storeError,
    initBackend,
    load,
    refreshSplit,
    start,
    resumeStored,
    pause,
    resume,
    stop,
    inspect,
    recommend,
  };
}
