import { describe, expect, it } from 'vitest';
import { sameConfig, shardFrom } from '../cli/experiment';
import { DEFAULT_CONFIG, type TrainConfig } from '../config/experiment';
import { isCompletePart, PART_FORMAT } from './part';
import { jobsOf, parseShard, parseSpec, partFileName, shardOf } from './spec';
import { userErrorsOf } from './userErrors';
import { errorMetrics } from '../train/metrics';
import type { TaskSet } from '../data/scenarios/types';

const spec = {
  datasets: ['demo', 'ml-100k'],
  variants: [
    { name: 'MeLU', preset: 'melu-paper' },
    { name: 'MAMO 5', tuning: 'x/{dataset}.json' },
  ],
  seeds: [1, 2, 3],
  epochs: 4,
  parts: 'parts',
};

describe('experiment spec', () => {
  it('jobs are dataset × variant × seed in that order, with defaults filled in', () => {
    const parsed = parseSpec(spec);
    expect(parsed.variants[0]).toMatchObject({ selection: 'per-kind', chooseLocalRate: true, overrides: {} });
    const jobs = jobsOf(parsed);
    expect(jobs).toHaveLength(12);
    expect(jobs.map((j) => `${j.dataset}/${j.variant.name}/${j.seed}`).slice(0, 4)).toEqual([
      'demo/MeLU/1',
      'demo/MeLU/2',
      'demo/MeLU/3',
      'demo/MAMO 5/1',
    ]);
    expect(partFileName(jobs[3]!)).toBe('demo--mamo-5--seed-1.json');
    expect(shardOf(jobs, parseShard('1/5')).map((j) => j.index)).toEqual([1, 6, 11]);
  });

  it('lists every problem with the allowed values', () => {
    const bad = {
      ...spec,
      datasets: ['ml-10m'],
      variants: [{ name: 'X', preset: 'melu-fast', overrides: { innerLrr: 1 }, selection: 'best' }],
      epochs: 1,
    };
    expect(() => parseSpec(bad)).toThrow(
      /Unknown dataset 'ml-10m'; expected one of ml-100k, ml-1m-published, demo/,
    );
    expect(() => parseSpec(bad)).toThrow(/unknown preset "melu-fast"; expected one of melu-paper/);
    expect(() => parseSpec(bad)).toThrow(/Unknown setting "innerLrr"/);
    expect(() => parseSpec(bad)).toThrow(/unknown selection "best"; expected one of per-kind, last-epoch/);
    expect(() => parseSpec(bad)).toThrow(/at least 2/);
  });

  it('reads shards from --shard or the array-job environment', () => {
    expect(() => parseShard('3/3')).toThrow(/0 <= i < n/);
    expect(() => parseShard('a/3')).toThrow(/Expected --shard i\/n/);
    const none = { shard: null, shards: null };
    expect(shardFrom(none, {})).toBeNull();
    expect(
      shardFrom(none, { SLURM_ARRAY_TASK_ID: '5', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_COUNT: '8' }),
    ).toEqual({
      index: 4,
      count: 8,
    });
    expect(shardFrom({ shard: null, shards: '4' }, { JOB_COMPLETION_INDEX: '2' })).toEqual({
      index: 2,
      count: 4,
    });
    expect(() => shardFrom(none, { JOB_COMPLETION_INDEX: '2' })).toThrow(/--shards n/);
    expect(shardFrom({ shard: '0/2', shards: null }, { JOB_COMPLETION_INDEX: '1' })).toEqual({
      index: 0,
      count: 2,
    });
  });
});

describe('isCompletePart', () => {
  it('accepts a part of the same job, variant and budget only', () => {
    const job = jobsOf(parseSpec(spec))[0]!;
    const part = {
      format: PART_FORMAT,
      dataset: 'demo',
      seed: 1,
      budget: 4,
      variant: job.variant,
      result: {},
    };
    expect(isCompletePart(part, job, 4)).toBe(true);
    expect(isCompletePart(part, job, 6)).toBe(false);
    expect(isCompletePart({ ...part, variant: { ...job.variant, selection: 'last-epoch' } }, job, 4)).toBe(
      false,
    );
    expect(isCompletePart({ ...part, result: undefined }, job, 4)).toBe(false);
    expect(isCompletePart(null, job, 4)).toBe(false);
  });
});

describe('userErrorsOf', () => {
  it('sums per user, clipped like errorMetrics, so the pooled MAE and RMSE come back', () => {
    // tasks 0 and 2 belong to user 7, task 1 to user 3; query ratings per task 2, 1, 1; 6 and 0 clip to 5 and 1
    const set = { users: Int32Array.from([7, 3, 7]) } as unknown as TaskSet;
    const p = {
      offsets: Int32Array.from([0, 2, 3, 4]),
      truth: Float32Array.from([4, 2, 5, 1]),
      predicted: Float32Array.from([6, 2.5, 4, 0]),
      range: [1, 5] as const,
    };
    const e = userErrorsOf(set, Int32Array.from([0, 1, 2]), p);
    expect(e).toEqual({ users: [3, 7], n: [1, 3], abs: [1, 1.5], sq: [1, 1.25] });
    const m = errorMetrics(p);
    const n = e.n.reduce((a, b) => a + b);
    expect(e.abs.reduce((a, b) => a + b) / n).toBeCloseTo(m.mae, 12);
    expect(Math.sqrt(e.sq.reduce((a, b) => a + b) / n)).toBeCloseTo(m.rmse, 12);
  });

  it('a part stored before a config field existed still matches; a changed value does not', () => {
    const { textDim: _added, ...older } = DEFAULT_CONFIG;
    expect(sameConfig(older, DEFAULT_CONFIG)).toBe(true);
    expect(sameConfig(older, { ...DEFAULT_CONFIG, textDim: DEFAULT_CONFIG.textDim + 1 })).toBe(false);
    expect(sameConfig({ ...older, innerLr: 0.5 }, DEFAULT_CONFIG)).toBe(false);
  });

  it("a part stored with MAMO's old setting names (alpha, beta, gamma, tau) matches the renamed config", () => {
    const { profileWriteRate, gradientWriteRate, preferenceWriteRate, personalInitScale, ...rest } =
      DEFAULT_CONFIG;
    const stored = {
      ...rest,
      alpha: profileWriteRate,
      beta: gradientWriteRate,
      gamma: preferenceWriteRate,
      tau: personalInitScale,
    };
    expect(sameConfig(stored, DEFAULT_CONFIG)).toBe(true);
    expect(sameConfig({ ...stored, tau: 0 } as Partial<TrainConfig>, DEFAULT_CONFIG)).toBe(false);
  });
});
