/**
 * The view of one run, folded from its TrainEvent stream by a pure reducer (no React, no tfjs), so a
 * saved run is just its event log replayed and the reducer is unit-tested alone.
 */
import type { Scenario, SplitSummary } from '../../data/scenarios/types';
import type { BackendInfo } from '../../worker/protocol';
import type {
  BaselineName,
  EpochRecord,
  RunSummary,
  ScenarioRecord,
  MeloDiagnostics,
  MmlInspection,
  TrainErrorCode,
  TrainEvent,
} from '../../worker/protocol';
import type { TrainConfig } from '../../config/experiment';
import { foldPhase, restartStretch, type PhaseView } from './phase';
import { withPredictors } from '../../worker/protocol';

export type RunStatus = 'idle' | 'running' | 'paused' | 'finished' | 'stopped' | 'failed';

export type MemorySnapshot = Extract<TrainEvent, { type: 'memory' }>;

export interface Evaluation {
  readonly epoch: number;
  readonly test: ScenarioRecord;
  readonly validation: ScenarioRecord;
  /** Per test user: model, no adaptation and baselines (the evaluated event's; absent in older logs). */
  readonly userErrors?: Extract<TrainEvent, { type: 'evaluated' }>['userErrors'];
  /** MML: fusion weights per evaluated test task and the generator's neighbours (the event's). */
  readonly mml?: MmlInspection;
}

export interface RunView {
  readonly status: RunStatus;
  readonly config: TrainConfig | null;
  readonly backend: BackendInfo | null;
  readonly split: SplitSummary | null;
  readonly strategy: string;
  readonly parameters: number;
  readonly stepsPerEpoch: number;
  /** Training loss per meta-step (x = global step; time = seconds since the run started, NaN if unknown). */
  readonly steps: { readonly step: number[]; readonly loss: number[]; readonly time: number[] };
  /** The phase running now and its progress (phase events; ./phase.ts). */
  readonly phase: PhaseView | null;
  readonly lastStep: {
    epoch: number;
    step: number;
    tasksPerSecond: number;
    numTensors: number;
    numBytes: number;
  } | null;
  /** Tasks and seconds of the last (up to) 20 meta-steps: throughput = sum tasks / sum seconds. */
  readonly recent: readonly { tasks: number; seconds: number }[];
  readonly epochs: readonly EpochRecord[];
  /** MeLU with pre-training epochs: the last one done (null before any, or without pre-training). */
  readonly pretrained: { epoch: number; epochs: number; trainLoss: number } | null;
  readonly evaluations: readonly Evaluation[];
  readonly baselines: Partial<Record<BaselineName, ScenarioRecord>>;
  /** The baselines' per-user rows (their event), joined to every evaluation's userErrors */
  readonly baselineUserErrors?: Extract<TrainEvent, { type: 'baselines' }>['userErrors'];
  readonly memory: readonly MemorySnapshot[];
  /** MELO: what its meta-learner learned, per epoch (meloDiagnostics events; empty for other models). */
  readonly melo: readonly MeloDiagnostics[];
  readonly summary: RunSummary | null;
  readonly failure: { code: TrainErrorCode; message: string } | null;
  readonly startedAt: number;
}

export const EMPTY_RUN: RunView = {
  status: 'idle',
  config: null,
  backend: null,
  split: null,
  strategy: '',
  parameters: 0,
  stepsPerEpoch: 0,
  steps: { step: [], loss: [], time: [] },
  phase: null,
  lastStep: null,
  recent: [],
  epochs: [],
  pretrained: null,
  evaluations: [],
  baselines: {},
  memory: [],
  melo: [],
  summary: null,
  failure: null,
  startedAt: 0,
};

export type RunAction =
  | { type: 'reset'; config: TrainConfig; now: number }
  | { type: 'events'; events: readonly TrainEvent[] }
  | { type: 'paused' | 'resumed' };

/** Folds events into the view. Step arrays are appended in place (copy-on-batch) to stay cheap. */
export function runReducer(state: RunView, action: RunAction): RunView {
  switch (action.type) {
    case 'reset':
      return {
        ...EMPTY_RUN,
        status: 'running',
        config: action.config,
        startedAt: action.now,
        steps: { step: [], loss: [], time: [] },
      };
    case 'paused':
      return state.status === 'running' ? { ...state, status: 'paused' } : state;
    case 'resumed':
      return state.status === 'paused'
        ? { ...state, status: 'running', phase: restartStretch(state.phase, Date.now()) }
        : state;
    case 'events': {
      let next = state;
      const stepX = [...state.steps.step];
      const stepY = [...state.steps.loss];
      const stepT = [...state.steps.time];
      let stepsChanged = false;
      for (const e of action.events) {
        switch (e.type) {
          case 'started':
            next = {
              ...next,
              backend: e.backend,
              split: e.split,
              config: e.config,
              strategy: e.strategy,
              parameters: e.parameters,
              stepsPerEpoch: e.stepsPerEpoch,
            };
            break;
          case 'step':
            stepX.push(e.step);
            stepY.push(e.loss);
            stepT.push(e.elapsed ?? NaN);
            stepsChanged = true;
            next = {
              ...next,
              lastStep: {
                epoch: e.epoch,
                step: e.step,
                tasksPerSecond: e.tasksPerSecond,
                numTensors: e.numTensors,
                numBytes: e.numBytes,
              },
              recent: [...next.recent.slice(-19), { tasks: e.tasks, seconds: e.seconds }],
            };
            break;
          case 'phase':
            next = { ...next, phase: foldPhase(next.phase, e, Date.now()) };
            break;
          case 'epoch':
            next = { ...next, epochs: [...next.epochs, e.record] };
            break;
          case 'pretrained':
            next = { ...next, pretrained: { epoch: e.epoch, epochs: e.epochs, trainLoss: e.trainLoss } };
            break;
          case 'evaluated':
            next = {
              ...next,
              evaluations: [
                ...next.evaluations,
                {
                  epoch: e.epoch,
                  test: e.test,
                  validation: e.validation,
                  ...(e.userErrors
                    ? {
                        userErrors: next.baselineUserErrors
                          ? withPredictors(e.userErrors, next.baselineUserErrors)
                          : e.userErrors,
                      }
                    : {}),
                  ...(e.mml ? { mml: e.mml } : {}),
                },
              ],
            };
            break;
          case 'baselines': {
            // the baselines run once, after the first epoch: their per-user rows join every
            // evaluation made before, and later ones (a run resumed on another backend has none)
            const rows = e.userErrors;
            next = {
              ...next,
              baselines: { ...next.baselines, ...e.metrics },
              ...(rows
                ? {
                    baselineUserErrors: rows,
                    evaluations: next.evaluations.map((v) =>
                      v.userErrors ? { ...v, userErrors: withPredictors(v.userErrors, rows) } : v,
                    ),
                  }
                : {}),
            };
            break;
          }
          case 'memory':
            next = { ...next, memory: [...next.memory, e] };
            break;
          case 'meloDiagnostics': {
            const { type: _type, ...diagnostics } = e;
            next = { ...next, melo: [...next.melo, diagnostics] };
            break;
          }
          case 'finished':
          case 'stopped':
            next = {
              ...next,
              status: e.type,
              summary: e.summary,
              baselines: { ...next.baselines, ...e.summary.baselines },
            };
            break;
          case 'failed':
            next = { ...next, status: 'failed', failure: { code: e.code, message: e.message } };
            break;
        }
      }
      return stepsChanged ? { ...next, steps: { step: stepX, loss: stepY, time: stepT } } : next;
    }
  }
}

/** Replays a saved event log. */
export function replay(config: TrainConfig, events: readonly TrainEvent[]): RunView {
  return runReducer(runReducer(EMPTY_RUN, { type: 'reset', config, now: 0 }), { type: 'events', events });
}

/** Seconds left, estimated from the finished epochs' pace and the current step. */
export function secondsLeft(view: RunView): number | null {
  if (!view.config || !view.lastStep || view.stepsPerEpoch === 0) return null;
  const total = view.config.epochs * view.stepsPerEpoch;
  const done = view.lastStep.step;
  const elapsed = (Date.now() - view.startedAt) / 1000;
  if (done === 0) return null;
  return Math.max(0, (elapsed / done) * (total - done));
}

/** Meta-training throughput over the recent steps (tasks per second), or null before the first step. */
export function throughput(view: RunView): number | null {
  const tasks = view.recent.reduce((s, r) => s + r.tasks, 0);
  const seconds = view.recent.reduce((s, r) => s + r.seconds, 0);
  return seconds > 0 ? tasks / seconds : null;
}

export function latestEvaluation(view: RunView): Evaluation | null {
  return view.evaluations.length ? view.evaluations[view.evaluations.length - 1]! : null;
}

export const SCENARIO_COLORS: Record<Scenario, string> = {
  warm: '#2f6fb0',
  user_cold: '#d1782a',
  item_cold: '#3a9a5b',
  user_item_cold: '#b0413e',
};
