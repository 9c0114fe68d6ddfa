// The status line's phase and its time left: the current phase's own rate, never setup or other phases.
import { describe, expect, it } from 'vitest';
import type { PhaseName, TrainEvent } from '../../worker/protocol';
import { foldPhase, phaseSecondsLeft, restartStretch, type PhaseView } from './phase';

const ev = (name: PhaseName, done: number, total: number): Extract<TrainEvent, { type: 'phase' }> => ({
  type: 'phase',
  name,
  done,
  total,
  unit: 'u',
});

describe('phase view', () => {
  it('estimates from the phase start, not from the run start', () => {
    // 30 s of evaluation and baselines, then meta-training: 10 of 100 steps in 5 s -> 45 s left
    let v: PhaseView | null = foldPhase(null, ev('evaluation', 0, 8), 0);
    v = foldPhase(v, ev('evaluation', 8, 8), 30_000);
    v = foldPhase(v, ev('training', 0, 100), 30_000);
    expect(phaseSecondsLeft(v, 30_000)).toBeNull();
    v = foldPhase(v, ev('training', 10, 100), 35_000);
    expect(v.name).toBe('training');
    expect(phaseSecondsLeft(v, 35_000)).toBeCloseTo(45, 6);
  });

  it('resumes a phase with its last rate, and a pause does not count', () => {
    let v: PhaseView | null = foldPhase(null, ev('training', 0, 100), 0);
    v = foldPhase(v, ev('training', 20, 100), 10_000); // 2 steps/s
    v = foldPhase(v, ev('baselines', 0, 3), 10_000);
    v = foldPhase(v, ev('baselines', 1, 3), 14_000); // 0.25 epochs/s
    expect(phaseSecondsLeft(v, 14_000)).toBeCloseTo(8, 6);
    v = foldPhase(v, ev('training', 20, 100), 22_000);
    expect(phaseSecondsLeft(v, 22_000)).toBeCloseTo(40, 6); // 80 steps at the earlier 2 steps/s
    v = foldPhase(v, ev('training', 30, 100), 27_000);
    v = restartStretch(v, 100_000); // paused for 73 s
    expect(phaseSecondsLeft(v, 100_000)).toBeCloseTo(35, 6);
  });
});
