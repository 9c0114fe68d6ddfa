/**
 * Train / pause / resume / stop, the status line and live tfjs memory. The status line names the phase
 * running now (pre-training, meta-training, evaluation, baselines) with its own progress and the time
 * it has left at its own rate (state/phase.ts), then the meta-training position (step, epoch). The bar
 * is the current phase's progress.
 */
import { useEffect, useState } from 'react';
import { PHASE_LABELS } from '../../worker/protocol';
import { phaseSecondsLeft } from '../state/phase';
import { throughput, type RunView } from '../state/runState';

interface Props {
  readonly run: RunView;
  readonly canStart: boolean;
  /** Why Train is disabled (the settings cannot run on the loaded data), shown beside it. */
  readonly blockedReason?: string | null;
  readonly onStart: () => void;
  readonly onPause: () => void;
  readonly onResume: () => void;
  readonly onStop: () => void;
}

const time = (s: number | null) =>
  s === null ? '…' : s < 90 ? `${Math.round(s)} s` : `${Math.round(s / 60)} min`;

/** The wall clock, ticking once a second while `active` (the time left counts down between events). */
function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}

function statusText(run: RunView, now: number): string {
  if (run.status === 'idle') return 'ready';
  const total = (run.config?.epochs ?? 0) * run.stepsPerEpoch;
  const position = `meta-step ${run.lastStep?.step ?? 0}/${total} · epoch ${run.lastStep?.epoch ?? 0}/${run.config?.epochs ?? 0}`;
  const active = run.status === 'running' || run.status === 'paused';
  const phase = run.phase;
  if (!active || !phase) return `${run.status} · ${position}`;
  const left = run.status === 'paused' ? 'paused' : `${time(phaseSecondsLeft(phase, now))} left`;
  const progress = phase.name === 'training' ? '' : ` ${phase.done}/${phase.total} ${phase.unit}`;
  return `${run.status} · ${PHASE_LABELS[phase.name]}${progress} · ${left} · ${position}`;
}

export function RunControls({ run, canStart, blockedReason, onStart, onPause, onResume, onStop }: Props) {
  const active = run.status === 'running' || run.status === 'paused';
  const now = useNow(run.status === 'running');
  const total = (run.config?.epochs ?? 0) * run.stepsPerEpoch;
  const phase = active ? run.phase : null;
  const fraction = phase
    ? phase.total
      ? Math.min(1, phase.done / phase.total)
      : 0
    : total
      ? Math.min(1, (run.lastStep?.step ?? 0) / total)
      : 0;
  return (
    <div className="run-controls" data-testid="run-controls" data-status={run.status}>
      {!active && (
        <button type="button" className="primary" onClick={onStart} disabled={!canStart} data-testid="start">
          Train
        </button>
      )}
      {!active && blockedReason && (
        <span className="blocked" role="status" data-testid="train-blocked">
          {blockedReason}
        </span>
      )}
      {run.status === 'running' && (
        <button type="button" onClick={onPause} data-testid="pause">
          Pause
        </button>
      )}
      {run.status === 'paused' && (
        <button type="button" onClick={onResume} data-testid="resume">
          Resume
        </button>
      )}
      {active && (
        <button type="button" onClick={onStop} data-testid="stop">
          Stop
        </button>
      )}
      <div
        className="progress"
        title={`${Math.round(fraction * 100)}% of ${phase ? PHASE_LABELS[phase.name] : 'meta-training'}`}
      >
        <div className="progress-bar" style={{ width: `${fraction * 100}%` }} />
      </div>
      <span className="progress-text" data-testid="progress-text" data-phase={phase?.name ?? ''}>
        {statusText(run, now)}
      </span>
      {run.lastStep && (
        <span className="memory-text" data-testid="memory-text" title="tfjs tensors and bytes in the worker">
          {run.lastStep.numTensors} tensors · {(run.lastStep.numBytes / 1e6).toFixed(1)} MB ·{' '}
          {(throughput(run) ?? 0).toFixed(0)} tasks/s
        </span>
      )}
    </div>
  );
}
