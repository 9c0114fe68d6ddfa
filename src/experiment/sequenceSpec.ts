/**
 * The spec of the sequential models' results protocol (docs/protocol-sequence.md): datasets, seeds,
 * the epochs evaluated, the jobs (a preset each; a rating job reports rating rows, a ranking job MML's
 * rows) and the paired comparisons. Plain data, parsed with messages that name the field.
 */
import { migrateKeys } from '../config/migrations';
import { CONFIG_KEYS, type TrainConfig } from '../config/experiment';
import { PRESET_NAMES, PRESETS, type PresetName } from '../config/presets';

export type SequenceJobKind = 'rating' | 'ranking';

export interface SequenceJobSpec {
  /** the job's name: its rating row, or the prefix of its ranking rows */
  readonly name: string;
  readonly preset: PresetName;
  readonly kind: SequenceJobKind;
  /** settings over the preset (tests use fewer epochs; protocol v1 has none) */
  readonly overrides?: Partial<TrainConfig>;
}

/** A row of the document: `a` compared with `b` on `metrics` (lower error = better for both). */
export interface SequenceComparison {
  readonly a: string;
  readonly b: string;
  readonly kind: SequenceJobKind;
}

export interface SequenceSpec {
  readonly title: string;
  readonly datasets: readonly string[];
  readonly seeds: readonly number[];
  /** epochs whose evaluation may be picked (the runs evaluate every 2nd epoch) */
  readonly evaluateAt: readonly number[];
  readonly jobs: readonly SequenceJobSpec[];
  readonly comparisons: readonly SequenceComparison[];
  /** folder of the part files, relative to the spec */
  readonly parts: string;
}

/** One job of the spec: dataset x job x seed. */
export interface SequenceJob {
  readonly dataset: string;
  readonly job: SequenceJobSpec;
  readonly seed: number;
}

/** The rows a job reports: a rating job its model (after adaptation) and the support mean; MML its rankings. */
export function rowsOf(job: SequenceJobSpec): string[] {
  return job.kind === 'rating'
    ? [job.name, SUPPORT_MEAN]
    : [job.name, `${job.name} ID`, `${job.name} text`, `${job.name} before`];
}

export const SUPPORT_MEAN = 'support mean';

function fail(field: string, expected: string, got: unknown): never {
  throw new Error(`Expected ${field} to be ${expected}, got ${JSON.stringify(got)}`);
}

/** Parses and checks a spec (every comparison names rows that some job reports). */
export function parseSequenceSpec(raw: unknown): SequenceSpec {
  const o = (raw ?? {}) as Record<string, unknown>;
  const strings = (field: string) => {
    const v = o[field];
    if (!Array.isArray(v) || !v.length || v.some((x) => typeof x !== 'string'))
      fail(field, 'a non-empty list of strings', v);
    return v as string[];
  };
  const ints = (field: string) => {
    const v = o[field];
    if (!Array.isArray(v) || !v.length || v.some((x) => !Number.isInteger(x) || (x as number) < 0))
      fail(field, 'a non-empty list of non-negative integers', v);
    return v as number[];
  };
  if (typeof o.title !== 'string') fail('title', 'a string', o.title);
  if (typeof o.parts !== 'string') fail('parts', 'a folder path', o.parts);
  if (!Array.isArray(o.jobs) || !o.jobs.length) fail('jobs', 'a non-empty list', o.jobs);
  const jobs = (o.jobs as Record<string, unknown>[]).map((j, i) => {
    if (typeof j.name !== 'string' || !j.name) fail(`jobs[${i}].name`, 'a name', j.name);
    if (!PRESET_NAMES.includes(j.preset as PresetName))
      fail(`jobs[${i}].preset`, `one of ${PRESET_NAMES.join(', ')}`, j.preset);
    const model = PRESETS[j.preset as PresetName].values.model;
    const kind: SequenceJobKind = model === 'mml' ? 'ranking' : 'rating';
    if (model !== 'melo' && model !== 'mml')
      fail(`jobs[${i}].preset`, 'a MELO or MML preset (model melo or mml)', j.preset);
    const overrides = migrateKeys((j.overrides ?? {}) as Record<string, unknown>);
    for (const key of Object.keys(overrides))
      if (!(CONFIG_KEYS as readonly string[]).includes(key))
        fail(`jobs[${i}].overrides`, `settings of the config table (${key} is not one)`, overrides);
    return {
      name: j.name as string,
      preset: j.preset as PresetName,
      kind,
      ...(j.overrides ? { overrides: overrides as Partial<TrainConfig> } : {}),
    };
  });
  const rowKind = new Map(jobs.flatMap((j) => rowsOf(j).map((r) => [r, j.kind] as const)));
  if (!Array.isArray(o.comparisons)) fail('comparisons', 'a list', o.comparisons);
  const comparisons = (o.comparisons as Record<string, unknown>[]).map((c, i) => {
    for (const side of ['a', 'b'] as const)
      if (!rowKind.has(c[side] as string))
        fail(`comparisons[${i}].${side}`, `a row of a job (${[...rowKind.keys()].join(', ')})`, c[side]);
    const kind = rowKind.get(c.a as string)!;
    if (rowKind.get(c.b as string) !== kind)
      fail(`comparisons[${i}]`, 'two rows of the same kind (rating or ranking)', c);
    return { a: c.a as string, b: c.b as string, kind };
  });
  return {
    title: o.title,
    datasets: strings('datasets'),
    seeds: ints('seeds'),
    evaluateAt: ints('evaluateAt'),
    jobs,
    comparisons,
    parts: o.parts,
  };
}

/** Every job, dataset-major, then seed, then the spec's job order. */
export function sequenceJobsOf(spec: SequenceSpec): SequenceJob[] {
  return spec.datasets.flatMap((dataset) =>
    spec.seeds.flatMap((seed) => spec.jobs.map((job) => ({ dataset, job, seed }))),
  );
}

export const sequencePartName = (j: SequenceJob) => `${j.dataset}-${j.job.name}-${j.seed}.json`;
