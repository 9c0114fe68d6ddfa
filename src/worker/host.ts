/**
 * The worker's side of the protocol, as plain async TypeScript (train.worker.ts is a thin adapter, and
 * tests drive this in Node without a Worker). State: the backend, the loaded dataset (a failed load
 * keeps the previous one), and the current run (control, prepared split, the engine kept for the Users
 * and New-user panels). Training events are buffered and posted about every 100 ms as one message.
 */
import type { BackendPreference } from '../config/experiment';
import { validateConfig } from '../config/codec';
import type { Dataset } from '../data/dataset';
import { toDataErrorInfo } from '../data/errors';
import { loadDataset } from '../data/detect';
import { splitScenarios } from '../data/scenarios/split';
import { SCENARIOS, type ScenarioSplit } from '../data/scenarios/types';
import { readSource, type InputFile } from '../data/source';
import { summarizeDataset } from '../data/summary';
import type { FeatureLayout } from '../data/features';
import type { BackendInfo, BackendName } from '../kernels/backend';
import type { ModelEngine } from '../train/engine';
import type { TrainEvent } from '../train/events';
import { prepareExperiment } from '../train/prepare';
import { assertNever } from '../lib/assert';
import type { FromWorker, RunId, TestTaskIndex, ToWorker } from './protocol';

export interface HostEnvironment {
  initBackend(preference: BackendPreference): Promise<BackendInfo>;
  /** The embedded demo dataset's files. */
  loadDemo(): Promise<InputFile[]>;
  /** Event batching interval (ms). */
  readonly flushMs?: number;
}

type Post = (message: FromWorker, transfer?: Transferable[]) => void;

/** Training and inspection pull in tfjs: loaded on first use (one chunk), never for data work. */
const training = () => import('./training');

interface RunState {
  readonly runId: RunId;
  readonly abort: AbortController;
  paused: boolean;
  resume: (() => void) | null;
  engine: ModelEngine | null;
  split: ScenarioSplit | null;
  layout: FeatureLayout | null;
  done: Promise<void>;
}

function testTaskIndex(dataset: Dataset, split: ScenarioSplit): TestTaskIndex {
  const out = {} as Record<string, TestTaskIndex[keyof TestTaskIndex]>;
  for (const s of SCENARIOS) {
    const set = split.test[s];
    out[s] = {
      rawUserIds: Int32Array.from(set.users, (u) => dataset.users.rawIds[u]!),
      supportSizes: Int32Array.from(
        { length: set.count },
        (_, t) => set.supportOffsets[t + 1]! - set.supportOffsets[t]!,
      ),
      querySizes: Int32Array.from(
        { length: set.count },
        (_, t) => set.queryOffsets[t + 1]! - set.queryOffsets[t]!,
      ),
    };
  }
  return out as TestTaskIndex;
}

/** Typed arrays of an event, to transfer instead of copy. */
function transferables(events: readonly TrainEvent[]): Transferable[] {
  const out: Transferable[] = [];
  for (const e of events) {
    if (e.type === 'memory')
      out.push(
        e.users.buffer,
        e.scenarios.buffer,
        e.tasks.buffer,
        e.attention.buffer,
        e.profileMemory.buffer,
      );
  }
  return out.filter((b, i) => out.indexOf(b) === i) as Transferable[];
}

export function createWorkerHost(post: Post, env: HostEnvironment) {
  let backend: BackendInfo | null = null;
  let dataset: Dataset | null = null;
  let run: RunState | null = null;
  // the load in progress: a backend starts only after it, so tfjs's download and evaluation never
  // delay the first dataset's summary (the page asks for both at once when it opens)
  let loading: Promise<unknown> = Promise.resolve();
  const flushMs = env.flushMs ?? 100;

  const error = (
    runId: RunId | null,
    requestId: number | null,
    message: string,
    code: 'data' | 'backend' | 'config' | 'internal' = 'internal',
  ) => post({ type: 'error', runId, requestId: requestId as never, code, message });

  // backend changes run one after another: a 'start' arriving while the page's 'init' is still
  // importing tfjs must wait for it, not set a backend concurrently
  let backendQueue: Promise<unknown> = Promise.resolve();
  function ensureBackend(preference: BackendPreference, fresh = false): Promise<BackendInfo> {
    const task = backendQueue.then(async () => {
      const wanted = preference === 'auto' ? null : (preference as BackendName);
      if (!fresh && backend && (wanted === null || backend.name === wanted)) return backend;
      await loading;
      backend = await env.initBackend(preference);
      post({ type: 'ready', backend });
      return backend;
    });
    backendQueue = task.catch(() => undefined);
    return task;
  }

  async function startRun(runId: RunId, rawConfig: unknown): Promise<void> {
    const { config, warnings } = validateConfig(rawConfig);
    if (!dataset) return error(runId, null, 'Load a dataset before training.', 'data');
    if (run && !run.abort.signal.aborted) {
      run.abort.abort();
      run.resume?.();
      await run.done;
    }
    run?.engine?.dispose();
    const state: RunState = {
      runId,
      abort: new AbortController(),
      paused: false,
      resume: null,
      engine: null,
      split: null,
      layout: null,
      done: Promise.resolve(),
    };
    run = state;
    let buffer: TrainEvent[] = [];
    let timer: ReturnType<typeof setTimeout> | null = null;
    const flush = () => {
      if (timer) clearTimeout(timer);
      timer = null;
      if (buffer.length === 0) return;
      const events = buffer;
      buffer = [];
      post({ type: 'events', runId, events }, transferables(events));
    };
    const sink = (e: TrainEvent) => {
      buffer.push(e);
      if (e.type === 'finished' || e.type === 'stopped' || e.type === 'failed') flush();
      else timer ??= setTimeout(flush, flushMs);
    };
    state.done = (async () => {
      try {
        const info = await ensureBackend(config.backend);
        const { runExperiment } = await training();
        const prepared = prepareExperiment(dataset!, config);
        state.split = prepared.split;
        state.layout = prepared.layout;
        if (prepared.split.train.count === 0)
          throw new Error(
            'The split has no training tasks (protocol, data and seed leave none); try another protocol.',
          );
        for (const w of warnings) console.warn(w);
        await runExperiment(
          {
            datasetName: dataset!.name,
            split: prepared.split,
            layout: prepared.layout,
            config,
            backend: info,
          },
          sink,
          {
            signal: state.abort.signal,
            waitWhilePaused: () =>
              state.paused ? new Promise<void>((resolve) => (state.resume = resolve)) : Promise.resolve(),
            retainEngine: (engine) => (state.engine = engine),
          },
        );
      } catch (e) {
        sink({
          type: 'failed',
          code: 'internal',
          message: e instanceof Error ? e.message : String(e),
          lastGoodEpoch: null,
        });
      } finally {
        flush();
      }
    })();
    await state.done;
  }

  async function handle(msg: ToWorker): Promise<void> {
    switch (msg.type) {
      case 'init':
        try {
          await ensureBackend(msg.backend, true);
        } catch (e) {
          error(null, null, e instanceof Error ? e.message : String(e), 'backend');
        }
        return;
      case 'load': {
        const source = msg.source;
        const work = (async () => {
          try {
            const inputs =
              source.kind === 'demo'
                ? await env.loadDemo()
                : source.files.map((f) => ({ path: f.path, bytes: new Uint8Array(f.bytes) }));
            const loaded = await loadDataset(readSource(inputs), {
              name: source.kind === 'demo' ? 'synthetic demo' : undefined,
              onProgress: (fraction, message) =>
                post({ type: 'loadProgress', requestId: msg.requestId, fraction, message }),
            });
            dataset = loaded;
            post({ type: 'loaded', requestId: msg.requestId, summary: summarizeDataset(loaded) });
          } catch (e) {
            post({ type: 'loadFailed', requestId: msg.requestId, error: toDataErrorInfo(e) });
          }
        })();
        loading = work;
        return work;
      }
      case 'split':
        try {
          if (!dataset) throw new Error('Load a dataset first.');
          const split = splitScenarios(dataset, msg.protocol, msg.seed, { newItemYear: msg.newItemYear });
          post({
            type: 'splitReady',
            requestId: msg.requestId,
            summary: split.summary,
            testTasks: testTaskIndex(dataset, split),
          });
        } catch (e) {
          post({ type: 'splitFailed', requestId: msg.requestId, error: toDataErrorInfo(e) });
        }
        return;
      case 'start':
        return startRun(msg.runId, msg.config);
      case 'pause':
        if (run?.runId === msg.runId) run.paused = true;
        return;
      case 'resume':
        if (run?.runId === msg.runId) {
          run.paused = false;
          run.resume?.();
          run.resume = null;
        }
        return;
      case 'stop':
        if (run?.runId === msg.runId) {
          run.abort.abort();
          run.paused = false;
          run.resume?.();
        }
        return;
      case 'inspect':
      case 'recommend':
        try {
          if (!run || run.runId !== msg.runId || !run.engine || !run.split || !run.layout || !dataset) {
            throw new Error(
              'No trained model for this run yet: start a run and wait for its first evaluation.',
            );
          }
          const { inspectTask, recommendFor } = await training();
          if (msg.type === 'inspect') {
            const result = await inspectTask(
              run.engine,
              dataset,
              run.split,
              run.layout,
              msg.scenario,
              msg.task,
            );
            post({ type: 'inspection', requestId: msg.requestId, result });
          } else {
            const result = await recommendFor(
              run.engine,
              dataset,
              run.layout,
              msg.profile,
              msg.ratings,
              msg.count,
            );
            post({ type: 'recommendations', requestId: msg.requestId, result });
          }
        } catch (e) {
          error(msg.runId, msg.requestId, e instanceof Error ? e.message : String(e));
        }
        return;
      default:
        assertNever(msg);
    }
  }

  return { handle };
}
