/** Train / pause / resume / stop, the progress bar (epoch, step, time left) and live tfjs memory. */
import { secondsLeft, throughput, type RunView } from '../state/runState';

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
  s === null ? '–' : s < 90 ? `${Math.round(s)} s` : `${Math.round(s / 60)} min`;

export function RunControls({ run, canStart, blockedReason, onStart, onPause, onResume, onStop }: Props) {
  const active = run.status === 'running' || run.status === 'paused';
  const total = (run.config?.epochs ?? 0) * run.stepsPerEpoch;
  const done = run.lastStep?.step ?? 0;
  const fraction = total ? Math.min(1, done / total) : 0;
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
      <div className="progress" title={`${Math.round(fraction * 100)}%`}>
        <div className="progress-bar" style={{ width: `${fraction * 100}%` }} />
      </div>
      <span className="progress-text" data-testid="progress-text">
        {run.status === 'idle'
          ? 'ready'
          : run.status === 'running' && !run.lastStep && run.pretrained
            ? `running · pre-training epoch ${run.pretrained.epoch}/${run.pretrained.epochs} (loss ${run.pretrained.trainLoss.toFixed(3)})`
            : `${run.status} · epoch ${run.lastStep?.epoch ?? 0}/${run.config?.epochs ?? 0} · step ${done}/${total} · left ${active ? time(secondsLeft(run)) : '–'}`}
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
