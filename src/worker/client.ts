/**
 * The page's side of the worker protocol: exactly one message listener, registered when the client is
 * created; promise-based requests (load, split, inspect, recommend) matched by RequestId; training
 * events delivered to subscribers, with events of runs other than the current one dropped. React code
 * reaches training only through this object (ui/hooks).
 */
import type { BackendPreference, TrainConfig } from '../config/experiment';
import type { DataErrorInfo } from '../data/errors';
import type { Protocol, Scenario, SplitSummary } from '../data/scenarios/types';
import type { DatasetSummary } from '../data/summary';
import type { BackendInfo } from '../kernels/backend';
import type { TrainEvent } from '../train/events';
import type {
  DataSource,
  FromWorker,
  NewUserProfile,
  Recommendations,
  RequestId,
  RunId,
  RunSnapshot,
  SequenceSplitSettings,
  TestTaskIndex,
  ToWorker,
  UserInspection,
} from './protocol';
import { stateBuffers } from './snapshotBuffers';

/** What the client needs of a Worker (a real one in the page, a fake in tests). */
export interface WorkerLike {
  postMessage(message: ToWorker, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<FromWorker>) => void): void;
  terminate(): void;
}

/** A request that failed: data errors keep the parser's file/line message. */
export class RequestError extends Error {
  readonly data: DataErrorInfo | null;
  constructor(message: string, data: DataErrorInfo | null = null) {
    super(message);
    this.name = 'RequestError';
    this.data = data;
  }
}

export type RunListener = (runId: RunId, events: readonly TrainEvent[]) => void;
/** Receives the current run's end-of-epoch snapshots (after that epoch's events). */
export type SnapshotListener = (runId: RunId, snapshot: RunSnapshot) => void;

interface Pending {
  resolve(value: unknown): void;
  reject(error: RequestError): void;
  onProgress?: (fraction: number, message: string) => void;
}

export interface TrainerClient {
  /** Sets the backend (webgpu -> wasm -> webgl -> cpu with explicit fallback); resolves with what runs. */
  init(backend: BackendPreference): Promise<BackendInfo>;
  /** mode 'add': merge with the loaded files (ml-1m, then MeLU's split files); default 'replace'. */
  load(
    source: DataSource,
    onProgress?: (fraction: number, message: string) => void,
    mode?: 'replace' | 'add',
  ): Promise<DatasetSummary>;
  split(
    protocol: Protocol,
    seed: number,
    newItemYear: number,
    sequence?: SequenceSplitSettings,
  ): Promise<{ summary: SplitSummary; testTasks: TestTaskIndex }>;
  /**
   * Starts a run; events arrive through subscribe(). Starting a new run ends interest in the old one.
   * `resume`: go on from a stored snapshot, under the stored run's id.
   */
  start(config: TrainConfig, resume?: { runId: RunId; snapshot: RunSnapshot }): RunId;
  pause(): void;
  resume(): void;
  stop(): void;
  inspect(runId: RunId, scenario: Scenario, task: number): Promise<UserInspection>;
  recommend(
    runId: RunId,
    profile: NewUserProfile,
    ratings: readonly { item: number; rating: number }[],
    count: number,
  ): Promise<Recommendations>;
  subscribe(listener: RunListener): () => void;
  onSnapshot(listener: SnapshotListener): () => void;
  readonly currentRun: RunId | null;
  dispose(): void;
}

export function createTrainerClient(worker: WorkerLike): TrainerClient {
  let nextRequest = 1;
  let runCounter = 0;
  let currentRun: RunId | null = null;
  let backendWaiter: Pending | null = null;
  const pending = new Map<number, Pending>();
  const listeners = new Set<RunListener>();
  const snapshotListeners = new Set<SnapshotListener>();

  const request = <T>(
    make: (id: RequestId) => ToWorker,
    onProgress?: Pending['onProgress'],
    transfer: Transferable[] = [],
  ): Promise<T> => {
    const id = nextRequest++ as RequestId;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, {
        resolve: resolve as (v: unknown) => void,
        reject,
        ...(onProgress ? { onProgress } : {}),
      });
      worker.postMessage(make(id), transfer);
    });
  };
  const settle = (id: RequestId, value: unknown, error?: RequestError) => {
    const p = pending.get(id);
    if (!p) return; // a stale answer
    pending.delete(id);
    if (error) p.reject(error);
    else p.resolve(value);
  };

  worker.addEventListener('message', (event) => {
    const msg = event.data;
    switch (msg.type) {
      case 'ready':
        backendWaiter?.resolve(msg.backend);
        backendWaiter = null;
        break;
      case 'loadProgress':
        pending.get(msg.requestId)?.onProgress?.(msg.fraction, msg.message);
        break;
      case 'loaded':
        settle(msg.requestId, msg.summary);
        break;
      case 'loadFailed':
      case 'splitFailed':
        settle(msg.requestId, null, new RequestError(msg.error.message, msg.error));
        break;
      case 'splitReady':
        settle(msg.requestId, { summary: msg.summary, testTasks: msg.testTasks });
        break;
      case 'inspection':
        settle(msg.requestId, msg.result);
        break;
      case 'recommendations':
        settle(msg.requestId, msg.result);
        break;
      case 'events':
        if (msg.runId !== currentRun) break; // events of an older run
        for (const listener of listeners) listener(msg.runId, msg.events);
        break;
      case 'snapshot':
        if (msg.runId !== currentRun) break;
        for (const listener of snapshotListeners) listener(msg.runId, msg.snapshot);
        break;
      case 'error':
        if (msg.requestId !== null) settle(msg.requestId, null, new RequestError(msg.message));
        else if (msg.runId === null && backendWaiter) {
          backendWaiter.reject(new RequestError(msg.message));
          backendWaiter = null;
        } else if (msg.runId === currentRun && currentRun !== null) {
          const failed: TrainEvent = {
            type: 'failed',
            code: msg.code,
            message: msg.message,
            lastGoodEpoch: null,
          };
          for (const listener of listeners) listener(currentRun, [failed]);
        }
        break;
      default: {
        const unknown: never = msg;
        throw new Error(`Unknown message from the worker: ${JSON.stringify(unknown)}`);
      }
    }
  });

  return {
    init(backend) {
      return new Promise<BackendInfo>((resolve, reject) => {
        backendWaiter = { resolve: resolve as (v: unknown) => void, reject };
        worker.postMessage({ type: 'init', backend });
      });
    },
    load(source, onProgress, mode = 'replace') {
      // file contents move to the worker (transferred, not copied)
      const transfer =
        source.kind === 'files' ? source.files.flatMap((f) => ('bytes' in f ? [f.bytes] : [])) : [];
      return request<DatasetSummary>(
        (requestId) => ({ type: 'load', requestId, source, mode }),
        onProgress,
        transfer,
      );
    },
    split(protocol, seed, newItemYear, sequence) {
      return request((requestId) => ({
        type: 'split',
        requestId,
        protocol,
        seed,
        newItemYear,
        ...(sequence ? { sequence } : {}),
      }));
    },
    start(config, resume) {
      const runId = resume?.runId ?? (`run-${Date.now().toString(36)}-${++runCounter}` as RunId);
      currentRun = runId;
      if (resume)
        worker.postMessage(
          { type: 'start', runId, config, resume: resume.snapshot },
          stateBuffers(resume.snapshot.state),
        );
      else worker.postMessage({ type: 'start', runId, config });
      return runId;
    },
    pause: () => currentRun && worker.postMessage({ type: 'pause', runId: currentRun }),
    resume: () => currentRun && worker.postMessage({ type: 'resume', runId: currentRun }),
    stop: () => currentRun && worker.postMessage({ type: 'stop', runId: currentRun }),
    inspect(runId, scenario, task) {
      return request<UserInspection>((requestId) => ({ type: 'inspect', requestId, runId, scenario, task }));
    },
    recommend(runId, profile, ratings, count) {
      return request<Recommendations>((requestId) => ({
        type: 'recommend',
        requestId,
        runId,
        profile,
        ratings,
        count,
      }));
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onSnapshot(listener) {
      snapshotListeners.add(listener);
      return () => snapshotListeners.delete(listener);
    },
    get currentRun() {
      return currentRun;
    },
    dispose() {
      worker.terminate();
      for (const p of pending.values()) p.reject(new RequestError('The training worker was closed.'));
      pending.clear();
    },
  };
}
