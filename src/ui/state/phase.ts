/**
 * The phase a run is in (pre-training, meta-training, evaluation, baselines) and the time it has left,
 * folded from `phase` events. The rate is the current phase's own: units done since this stretch of the
 * phase began, over the wall time since then (a phase may resume, e.g. meta-training after the
 * baselines; a pause restarts the stretch). Before a stretch has progress, the rate last measured for
 * the same phase is used. Setup, other phases and pauses never enter the rate. Pure: `now` is passed in.
 */
import type { PhaseName, TrainEvent } from '../../worker/protocol';

export interface PhaseView {
  readonly name: PhaseName;
  readonly done: number;
  readonly total: number;
  readonly unit: string;
  /** Where the current stretch began: wall time (ms) and units done then. */
  readonly since: { readonly at: number; readonly done: number };
  /** Units per second last measured per phase (kept across stretches). */
  readonly rates: Partial<Record<PhaseName, number>>;
}

type PhaseEvent = Extract<TrainEvent, { type: 'phase' }>;

/** rate = (done − done at the stretch start) / seconds since then; null before any progress. */
function stretchRate(view: PhaseView, now: number): number | null {
  const units = view.done - view.since.done;
  const seconds = (now - view.since.at) / 1000;
  return units > 0 && seconds > 0 ? units / seconds : null;
}

export function foldPhase(view: PhaseView | null, e: PhaseEvent, now: number): PhaseView {
  if (!view || view.name !== e.name || e.done < view.done) {
    const rates = view?.rates ?? {};
    return {
      name: e.name,
      done: e.done,
      total: e.total,
      unit: e.unit,
      since: { at: now, done: e.done },
      rates,
    };
  }
  const next = { ...view, done: e.done, total: e.total };
  return { ...next, rates: { ...view.rates, ...rateEntry(next, now) } };
}

function rateEntry(view: PhaseView, now: number): Partial<Record<PhaseName, number>> {
  const rate = stretchRate(view, now);
  return rate === null ? {} : { [view.name]: rate };
}

/** On resume: a new stretch from now (the paused seconds never count as slow progress). */
export function restartStretch(view: PhaseView | null, now: number): PhaseView | null {
  return view ? { ...view, since: { at: now, done: view.done } } : null;
}

/** Seconds left in the current phase at its own rate, or null when no rate is known yet. */
export function phaseSecondsLeft(view: PhaseView | null, now: number): number | null {
  if (!view || view.total <= 0) return null;
  const rate = stretchRate(view, now) ?? view.rates[view.name] ?? null;
  return rate ? Math.max(0, (view.total - view.done) / rate) : null;
}
