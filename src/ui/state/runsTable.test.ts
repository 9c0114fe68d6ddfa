import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type TrainConfig } from '../../config/experiment';
import type { TrainEvent } from '../../worker/protocol';
import type { SavedRun } from '../store/storedRun';
import { differingSettings, poolSeeds, rowStatus, whyNotSeedGroup } from './runsTable';

const metrics = (mae: number) => ({
  mae,
  rmse: mae,
  maeUser: mae,
  rmseUser: mae,
  ndcg3: 0,
  loss: 0,
  tasks: 2,
  users: 2,
  ratings: 4,
  maeBefore: mae,
  rmseBefore: mae,
  ndcg3Before: 0,
  lossBefore: 0,
});

/** A run whose model errs by `model` per rating on 2 users (2 ratings each), the global mean by 1. */
function run(
  id: string,
  config: Partial<TrainConfig>,
  model: number,
  extra: Partial<SavedRun> = {},
): SavedRun {
  const evaluated: TrainEvent = {
    type: 'evaluated',
    epoch: 1,
    test: { warm: metrics(model) },
    validation: {},
    seconds: 0,
    userErrors: {
      warm: {
        users: [3, 8],
        n: [2, 2],
        support: [5, 5],
        predictors: {
          model: { abs: [2 * model, 2 * model], sq: [2 * model * model, 2 * model * model] },
          globalMean: { abs: [2, 2], sq: [2, 2] },
        },
      },
    },
  };
  return {
    id,
    dataset: 'demo',
    data: { name: 'demo', files: [], hash: '0000000000000001' },
    savedAt: 1,
    status: 'finished',
    config: { ...DEFAULT_CONFIG, ...config },
    summary: null,
    events: [evaluated],
    ...extra,
  };
}

describe('runs table', () => {
  it('lists the settings that differ and marks stored-as-running runs interrupted', () => {
    const a = run('a', { seed: 1 }, 0.5);
    const b = run('b', { seed: 2, epochs: 9 }, 0.5, { status: 'running' });
    expect(differingSettings([a, b])).toEqual(['seed', 'epochs']);
    expect(rowStatus(b, null)).toBe('interrupted');
    expect(rowStatus(b, 'b')).toBe('running');
    expect(whyNotSeedGroup([a, b])).toMatch(/differ in more than the seed: Epochs/);
  });

  it('pools runs that differ only by seed: mean ± spread and a paired interval that excludes 0', () => {
    const runs = [run('a', { seed: 1 }, 0.4), run('b', { seed: 2 }, 0.6)];
    expect(whyNotSeedGroup(runs)).toBeNull();
    const [warm] = poolSeeds(runs, 'globalMean', 200);
    expect(warm!.mean).toBeCloseTo(0.5, 12);
    expect(warm!.spread).toBeCloseTo(Math.SQRT2 * 0.1, 12);
    // every user is better than the global mean by 0.6 or 0.4: diff −0.5, interval inside (−∞, 0)
    expect(warm!.interval!.diff).toBeCloseTo(-0.5, 12);
    expect(warm!.interval!.excludesZero).toBe(true);
  });

  it('refuses to pool runs on different data or with a repeated seed', () => {
    const other = run('b', { seed: 2 }, 0.5, { data: { name: 'x', files: [], hash: 'ffffffffffffffff' } });
    expect(whyNotSeedGroup([run('a', { seed: 1 }, 0.5), other])).toMatch(/different data/);
    expect(whyNotSeedGroup([run('a', { seed: 1 }, 0.5), run('c', { seed: 1 }, 0.5)])).toMatch(/same seed/);
  });
});
