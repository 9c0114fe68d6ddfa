/**
 * An experiment spec: which datasets, variants and seeds, the epoch budget and where the parts go. Jobs
 * are dataset × variant × seed, in that nesting order, numbered from 0; a job's part file name is
 * derived from the three, so any process can tell whether a job is done. Pure: reading the spec
 * file, the tuning files and the parts is src/cli/experiment.ts's.
 *
 *   {
 *     "title": "Results",
 *     "datasets": ["ml-100k", "demo", "./data/my-folder"],
 *     "variants": [
 *       { "name": "MeLU", "tuning": "../docs/tuning/{dataset}-melu.json", "selection": "per-kind",
 *         "chooseLocalRate": true, "baselines": ["noAdaptation", "nonMeta", "supportMean", "globalMean"] },
 *       { "name": "MeLU paper", "preset": "melu-paper", "overrides": { "innerSteps": 5 }, "selection": "last-epoch" }
 *     ],
 *     "seeds": [1, 2, 3],
 *     "epochs": 30,
 *     "parts": "../docs/results-parts"
 *   }
 */
import { validateConfig } from '../config/codec';
import type { TrainConfig } from '../config/experiment';
import { PRESET_NAMES, type PresetName } from '../config/presets';
import { PROTOCOLS } from '../data/scenarios/types';
import { BASELINES, type BaselineName } from '../train/events';
import { datasetRef } from './datasets';
import { SELECTION_RULES, type SelectionRule } from './selection';

export interface VariantSpec {
  /** display name, unique in the spec (table rows, part file names) */
  readonly name: string;
  /** the config to start from: a preset, or a tuning file's `chosen` ("{dataset}" is replaced) */
  readonly preset?: PresetName;
  readonly tuning?: string;
  /** settings over the base (config/experiment.ts keys) */
  readonly overrides: Partial<TrainConfig>;
  readonly selection: SelectionRule;
  /** the model's evaluation local rates chosen on validation users */
  readonly chooseLocalRate: boolean;
  /** baseline rows computed beside the model */
  readonly baselines: readonly BaselineName[];
}

export interface ExperimentSpec {
  readonly title: string;
  /** DATASETS names, 'demo', or paths (relative to the spec file) */
  readonly datasets: readonly string[];
  /** per dataset, a protocol other than its own (paths and the demo default to 'melu') */
  readonly protocols: Readonly<Record<string, TrainConfig['protocol']>>;
  readonly variants: readonly VariantSpec[];
  readonly seeds: readonly number[];
  /** epochs each network may train, pre-training included */
  readonly epochs: number;
  /** folder of the part files (relative to the spec file) */
  readonly parts: string;
}

export interface Job {
  readonly index: number;
  readonly dataset: string;
  readonly variant: VariantSpec;
  readonly seed: number;
}

const SPEC_KEYS = ['title', 'datasets', 'protocols', 'variants', 'seeds', 'epochs', 'parts'];
const VARIANT_KEYS = ['name', 'preset', 'tuning', 'overrides', 'selection', 'chooseLocalRate', 'baselines'];

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks a parsed spec file; throws one Error listing every problem with the allowed values. */
export function parseSpec(value: unknown): ExperimentSpec {
  const problems: string[] = [];
  if (!isRecord(value)) throw new Error('Expected the spec to be a JSON object');
  for (const k of Object.keys(value))
    if (!SPEC_KEYS.includes(k))
      problems.push(`unknown spec key "${k}"; expected one of ${SPEC_KEYS.join(', ')}`);
  const strings = (v: unknown, what: string): string[] => {
    if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string')) return v as string[];
    problems.push(`expected ${what} to be a non-empty list of strings`);
    return [];
  };
  const datasets = strings(value.datasets, '"datasets"');
  for (const d of datasets)
    try {
      datasetRef(d);
    } catch (error) {
      problems.push((error as Error).message);
    }
  const protocols = (value.protocols ?? {}) as Record<string, TrainConfig['protocol']>;
  if (!isRecord(protocols)) problems.push('expected "protocols" to map dataset names to protocols');
  else
    for (const [d, p] of Object.entries(protocols)) {
      if (!datasets.includes(d)) problems.push(`"protocols" names ${d}, which is not in "datasets"`);
      if (!(PROTOCOLS as readonly string[]).includes(p))
        problems.push(`unknown protocol "${String(p)}" for ${d}; expected one of ${PROTOCOLS.join(', ')}`);
    }
  const seeds = value.seeds;
  if (!Array.isArray(seeds) || !seeds.length || !seeds.every((s) => Number.isInteger(s)))
    problems.push('expected "seeds" to be a non-empty list of integers');
  else if (new Set(seeds).size !== seeds.length) problems.push('"seeds" has a repeated seed');
  const epochs = value.epochs;
  if (!(Number.isInteger(epochs) && (epochs as number) >= 2))
    problems.push(
      `expected "epochs" to be a whole number of epochs, at least 2, got ${JSON.stringify(epochs)}`,
    );
  if (typeof value.parts !== 'string' || !value.parts)
    problems.push('expected "parts" to be a folder for the part files');
  const variants: VariantSpec[] = [];
  if (!Array.isArray(value.variants) || !value.variants.length)
    problems.push('expected "variants" to be a non-empty list');
  else
    value.variants.forEach((v: unknown, i: number) => {
      const variant = parseVariant(v, `variant ${i + 1}`, problems);
      if (variant) variants.push(variant);
    });
  const names = variants.map((v) => v.name);
  for (const n of new Set(names))
    if (names.filter((x) => x === n).length > 1) problems.push(`two variants are named "${n}"`);
  if (problems.length) throw new Error(`Invalid spec:\n  ${problems.join('\n  ')}`);
  return {
    title: typeof value.title === 'string' ? value.title : 'Results',
    datasets,
    protocols,
    variants,
    seeds: seeds as number[],
    epochs: epochs as number,
    parts: value.parts as string,
  };
}

function parseVariant(v: unknown, where: string, problems: string[]): VariantSpec | null {
  if (!isRecord(v)) {
    problems.push(`${where}: expected an object`);
    return null;
  }
  const before = problems.length;
  for (const k of Object.keys(v))
    if (!VARIANT_KEYS.includes(k))
      problems.push(`${where}: unknown key "${k}"; expected one of ${VARIANT_KEYS.join(', ')}`);
  const name = typeof v.name === 'string' && /^[\w .+-]+$/.test(v.name) ? v.name : null;
  if (!name) problems.push(`${where}: expected a "name" of letters, digits, spaces, . + - or _`);
  const at = `${where} (${name ?? '?'})`;
  if ((v.preset === undefined) === (v.tuning === undefined))
    problems.push(
      `${at}: expected exactly one of "preset" (${PRESET_NAMES.join(', ')}) or "tuning" (a file)`,
    );
  if (v.preset !== undefined && !(PRESET_NAMES as readonly unknown[]).includes(v.preset))
    problems.push(`${at}: unknown preset "${String(v.preset)}"; expected one of ${PRESET_NAMES.join(', ')}`);
  if (v.tuning !== undefined && typeof v.tuning !== 'string')
    problems.push(`${at}: expected "tuning" to be a path`);
  const overrides = v.overrides ?? {};
  if (!isRecord(overrides)) problems.push(`${at}: expected "overrides" to be an object of settings`);
  else for (const w of validateConfig(overrides).warnings) problems.push(`${at}: overrides: ${w}`);
  const selection = v.selection ?? 'per-kind';
  if (!(SELECTION_RULES as readonly unknown[]).includes(selection))
    problems.push(
      `${at}: unknown selection "${String(selection)}"; expected one of ${SELECTION_RULES.join(', ')}`,
    );
  const chooseLocalRate = v.chooseLocalRate ?? true;
  if (typeof chooseLocalRate !== 'boolean')
    problems.push(`${at}: expected "chooseLocalRate" to be true or false`);
  const baselines = v.baselines ?? [...BASELINES];
  if (!Array.isArray(baselines) || baselines.some((b) => !(BASELINES as readonly unknown[]).includes(b)))
    problems.push(`${at}: expected "baselines" to be a list of ${BASELINES.join(', ')}`);
  if (problems.length > before) return null;
  return {
    name: name!,
    ...(v.preset !== undefined ? { preset: v.preset as PresetName } : {}),
    ...(v.tuning !== undefined ? { tuning: v.tuning as string } : {}),
    overrides: overrides as Partial<TrainConfig>,
    selection: selection as SelectionRule,
    chooseLocalRate: chooseLocalRate as boolean,
    baselines: baselines as BaselineName[],
  };
}

/** Every job of a spec: dataset × variant × seed, numbered in that order. */
export function jobsOf(spec: ExperimentSpec): Job[] {
  const out: Job[] = [];
  for (const dataset of spec.datasets)
    for (const variant of spec.variants)
      for (const seed of spec.seeds) out.push({ index: out.length, dataset, variant, seed });
  return out;
}

/** A file-name-safe form of a name ("MeLU paper" -> "melu-paper", "./data/x" -> "data-x"). */
export const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9.+_]+/g, '-')
    .replace(/^[-.]+|-+$/g, '') || 'x';

/** The part file of a job, inside the spec's parts folder. */
export const partFileName = (job: Pick<Job, 'dataset' | 'variant' | 'seed'>) =>
  `${slug(job.dataset)}--${slug(job.variant.name)}--seed-${job.seed}.json`;

/** One line of `--list`: "index<TAB>dataset<TAB>variant<TAB>seed<TAB>part file". */
export const jobLine = (job: Job) =>
  [job.index, job.dataset, job.variant.name, job.seed, partFileName(job)].join('\t');

/** "i/n" (0 <= i < n): the shard that runs the jobs with index ≡ i (mod n). */
export function parseShard(text: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index >= count)
    throw new Error(`Expected --shard i/n with whole numbers 0 <= i < n (e.g. 0/4), got "${text}"`);
  return { index, count };
}

/** The jobs of one shard. */
export const shardOf = (jobs: readonly Job[], shard: { index: number; count: number }) =>
  jobs.filter((j) => j.index % shard.count === shard.index);
