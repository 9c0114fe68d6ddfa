/**
 * The worker's run half: the backend (one change at a time), the run lifecycle (start, pause, resume,
 * stop), event batching (about every 100 ms, typed arrays transferred), questions to the trained model
 * (inspect, recommend), and faults:
 * - every failure carries its real code and a sentence to act on (failures.ts);
 * - impossible settings are refused before anything starts (the published protocol without its split
 *   files, no training tasks): 'config', not a later 'internal';
 * - a lost device (WebGPU) does not end the run: the state is copied to host memory after every
 *   committed step while the backend can lose its device, and on loss the run goes on on wasm from
 *   the last copy (a 'started' event with the new backend and the loss among its fallbacks).
 */
import type { BackendPreference, TrainConfig } from '../config/experiment';
import { validateConfig } from '../config/codec';
import { protocolBlocker } from '../data/contributions';
import type { FeatureLayout } from '../data/features';
import type { ScenarioSplit } from '../data/scenarios/types';
import type { BackendInfo, BackendName } from '../kernels/backend';
import type { ModelEngine } from '../train/engine';
import type { CarriedBaselines, RunResume } from '../train/epochs';
import type { EpochRecord, TrainEvent } from '../train/events';
import { prepareExperiment } from '../train/prepare';
import type { DataLoader } from './dataLoader';
import type { RetainedSequence } from '../train/sequenceInspect';
import type { HostValue } from '../train/snapshot';
import { BackendError, ConfigError, classifyFailure } from './failures';
import type { FromWorker, RequestId, RunId, ToWorker } from './protocol';
import { validateResume } from './resumeCheck';
import { stateBuffers } from './snapshotBuffers';

export interface RunEnvironment {
  initBackend(preference: BackendPreference): Promise<BackendInfo>;
  /**
   * Calls onLost (once) when the current backend's device is lost; returns a function that stops
   * watching. The browser watches WebGPU's device.lost; tests inject a simulated loss.
   */
  watchBackend?(backend: BackendInfo, onLost: (reason: string) => void): () => void;
  /** Copy the state after every committed step on every backend (tests), not only on webgpu. */
  readonly snapshotEveryStep?: boolean;
  /** Event batching interval (ms). */
  readonly flushMs?: number;
}

type Post = (message: FromWorker, transfer?: Transferable[]) => void;

/** Training and inspection pull in tfjs: loaded on first use (one chunk), never for data work. */
const training = () => import('./training');

/** The backend a lost device falls back to: wasm has no device to lose. */
const FALLBACK: BackendName = 'wasm';

interface RunState {
  readonly runId: RunId;
  readonly config: TrainConfig;
  readonly abort: AbortController;
  paused: boolean;
  resume: (() => void) | null;
  engine: ModelEngine | null;
  /** A finished or stopped MELO/MML run's learned state (no engine), for the drill-down. */
  sequence: RetainedSequence | null;
  split: ScenarioSplit | null;
  layout: FeatureLayout | null;
  done: Promise<void>;
}

/** Typed arrays of the events, to transfer instead of copy. */
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
        ...(e.profiles ? [e.profiles.buffer] : []),
      );
  }
  return out.filter((b, i) => out.indexOf(b) === i) as Transferable[];
}

export function createRunController(post: Post, env: RunEnvironment, data: DataLoader) {
  let backend: BackendInfo | null = null;
  let run: RunState | null = null;
  const flushMs = env.flushMs ?? 100;

  // backend changes run one after another: a 'start' arriving while the page's 'init' is still
  // importing tfjs must wait for it, not set a backend concurrently
  let backendQueue: Promise<unknown> = Promise.resolve();
  function ensureBackend(preference: BackendPreference, fresh = false): Promise<BackendInfo> {
    const task = backendQueue.then(async () => {
      const wanted = preference === 'auto' ? null : (preference as BackendName);
      if (!fresh && backend && (wanted === null || backend.name === wanted)) return backend;
      await data.settled();
      try {
        backend = await env.initBackend(preference);
      } catch (e) {
        throw new BackendError(preference, e);
      }
      post({ type: 'ready', backend });
      return backend;
    });
    backendQueue = task.catch(() => undefined);
    return task;
  }

  /** Why this config cannot run on the loaded data, before anything starts (null: it can). */
  function preflight(config: TrainConfig): ConfigError | null {
    const dataset = data.dataset();
    if (!dataset) return new ConfigError('Load a dataset before training.');
    const blocker = protocolBlocker(dataset, config.protocol);
    return blocker ? new ConfigError(blocker) : null;
  }

  async function start(runId: RunId, rawConfig: unknown, rawResume?: unknown): Promise<void> {
    const { config } = validateConfig(rawConfig);
    if (run && !run.abort.signal.aborted) {
      run.abort.abort();
      run.resume?.();
      await run.done;
    }
    // the replaced run's model (engine, or a sequence run's retained state) goes with it
    run?.engine?.dispose();
    run?.sequence?.dispose();
    const state: RunState = {
      runId,
      config,
      abort: new AbortController(),
      paused: false,
      resume: null,
      engine: null,
      sequence: null,
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
      let info: BackendInfo | null = null;
      try {
        const refused = preflight(config);
        if (refused) throw refused;
        // a reloaded page resuming from its stored end-of-epoch snapshot
        const stored = rawResume === undefined ? undefined : validateResume(rawResume, config);
        const dataset = data.dataset()!;
        info = await ensureBackend(config.backend);
        const { runExperiment } = await training();
        const prepared = prepareExperiment(dataset, config);
        state.split = prepared.split;
        state.layout = prepared.layout;
        if (prepared.split.train.count === 0)
          throw new ConfigError(
            `The ${config.protocol} protocol leaves no training tasks on ${dataset.name} with seed ${config.seed}: choose another protocol.`,
          );
        // the lost-device loop: each pass runs until done, or until the device goes (then resumes on wasm)
        let resume: RunResume | undefined = stored;
        const epochs: EpochRecord[] = stored ? [...stored.epochs] : [];
        let shownStep = stored?.step ?? 0;
        // the baselines' results once they ran: a resume after a lost device keeps them too
        let carried: CarriedBaselines | undefined = stored?.baselines;
        for (;;) {
          let lost: string | null = null;
          let snapshot: RunResume | undefined = resume;
          const current: BackendInfo = info;
          const unwatch = env.watchBackend?.(current, (reason) => (lost ??= reason)) ?? (() => {});
          const copyEvery = current.name === 'webgpu' || env.snapshotEveryStep === true;
          try {
            await runExperiment(
              {
                datasetName: dataset.name,
                split: prepared.split,
                layout: prepared.layout,
                config,
                backend: current,
              },
              (e) => {
                // resumed from a copy older than the last reported step: those steps are not shown twice
                if (e.type === 'step' && e.step <= shownStep) return;
                if (e.type === 'step') shownStep = e.step;
                if (e.type === 'epoch') epochs.push(e.record);
                sink(e);
              },
              {
                signal: state.abort.signal,
                waitWhilePaused: () =>
                  state.paused ? new Promise<void>((r) => (state.resume = r)) : Promise.resolve(),
                retainEngine: (engine) => (state.engine = engine),
                retainSequence: (model) => {
                  state.sequence?.dispose();
                  state.sequence = model;
                },
                backendLost: () => lost,
                // the copy is not awaited: its read overlaps the next step (no latency on the
                // device), and a copy that never lands (the device went first) leaves the one before
                onCommitted: async (at, engine) => {
                  if (!copyEvery) return;
                  const finished = [...epochs];
                  engine.exportState().then(
                    (copied) => {
                      if (!snapshot || snapshot.step < at.step)
                        snapshot = { ...at, state: copied, epochs: finished };
                    },
                    () => undefined,
                  );
                },
                // every epoch's end: the state goes to the page, which stores it with the run (one per
                // run, replaced), after the epoch's events so the page knows which events it follows
                onEpochSaved: async (at, finished, engine, baselines) => {
                  carried = baselines ?? carried;
                  let copied: HostValue;
                  try {
                    copied = await engine.exportState();
                  } catch {
                    return; // a device going away: no snapshot this epoch, the run handles the loss
                  }
                  flush();
                  post(
                    {
                      type: 'snapshot',
                      runId,
                      snapshot: {
                        ...at,
                        state: copied,
                        epochs: finished,
                        ...(baselines ? { baselines } : {}),
                      },
                    },
                    stateBuffers(copied),
                  );
                },
                ...(resume ? { resume } : {}),
              },
            );
            return;
          } catch (error) {
            // a step that failed because the device went away can throw before the loss is reported
            if (lost === null && current.name === 'webgpu') await new Promise((r) => setTimeout(r, 250));
            if (lost === null || !snapshot) throw error;
            // 1. drop what lived on the lost device; 2. wasm; 3. go on from the last host copy
            try {
              state.engine?.dispose();
            } catch {
              // a lost device's buffers may refuse to be freed: they are gone with it anyway
            }
            state.engine = null;
            const fallback = await ensureBackend(FALLBACK, true);
            info = {
              ...fallback,
              fallbacks: [
                ...fallback.fallbacks,
                {
                  backend: current.name,
                  reason: `${lost} at step ${shownStep + 1}; resumed on ${FALLBACK} from step ${snapshot.step}`,
                },
              ],
            };
            resume = carried && snapshot.epochs.length > 0 ? { ...snapshot, baselines: carried } : snapshot;
            epochs.length = 0;
            epochs.push(...snapshot.epochs);
          } finally {
            unwatch();
          }
        }
      } catch (e) {
        sink({ type: 'failed', ...classifyFailure(e, info?.name ?? null), lastGoodEpoch: null });
      } finally {
        flush();
      }
    })();
    await state.done;
  }

  function control(msg: Extract<ToWorker, { type: 'pause' | 'resume' | 'stop' }>): void {
    if (run?.runId !== msg.runId) return;
    if (msg.type === 'pause') run.paused = true;
    else {
      if (msg.type === 'stop') run.abort.abort();
      run.paused = false;
      run.resume?.();
      run.resume = null;
    }
  }

  async function ask(msg: Extract<ToWorker, { type: 'inspect' | 'recommend' }>): Promise<void> {
    const dataset = data.dataset();
    try {
      const sequenceRun = run?.config.model === 'melo' || run?.config.model === 'mml';
      if (run?.runId === msg.runId && sequenceRun && run.split && dataset) {
        // MELO/MML keep their state only once the run ended, and predict no new user's ratings
        if (msg.type === 'recommend')
          throw new ConfigError('Be the new user needs a MeLU or MAMO run: MELO and MML model sequences.');
        if (!run.sequence)
          throw new ConfigError(
            'A MELO or MML run answers the drill-down once it has finished or been stopped.',
          );
        const { inspectSequenceTask } = await training();
        const result = await inspectSequenceTask(run.sequence, dataset, run.split, msg.scenario, msg.task);
        post({ type: 'inspection', requestId: msg.requestId, result });
        return;
      }
      if (!run || run.runId !== msg.runId || !run.engine || !run.split || !run.layout || !dataset)
        throw new ConfigError(
          'No trained model for this run yet: start a run and wait for its first evaluation.',
        );
      const { inspectTask, recommendFor } = await training();
      if (msg.type === 'inspect') {
        const result = await inspectTask(run.engine, dataset, run.split, run.layout, msg.scenario, msg.task);
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
      const failure = classifyFailure(e, backend?.name ?? null);
      post({ type: 'error', runId: msg.runId, requestId: msg.requestId as RequestId, ...failure });
    }
  }

  async function init(preference: BackendPreference): Promise<void> {
    try {
      await ensureBackend(preference, true);
    } catch (e) {
      post({ type: 'error', runId: null, requestId: null, ...classifyFailure(e) });
    }
  }

  return { init, start, control, ask };
}
