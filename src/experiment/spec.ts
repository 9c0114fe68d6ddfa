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
import { migrateKeys } from '../config/migrations';
import { validateConfig } from '../config/codec';
import type { TrainConfig } from '../config/experiment';
import { PRESET_NAMES, type PresetName } from '../config/presets';
import { PROTOCOLS, SCENARIOS, type Scenario } from '../data/scenarios/types';
import { BASELINES, type BaselineName } from '../train/events';
import { ABLATIONS, type Ablation } from './ablation';
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
  /** epochs this variant trains, pre-training included, instead of the spec's (a paper row's own) */
  readonly budget?: number;
  /** the config and options above with one addition removed (ablation.ts); absent: none */
  readonly ablate?: Ablation;
  /** other variants whose model this variant's model is compared with, paired per test user */
  readonly against?: readonly string[];
  /**
   * 'model' (default): the variant trains its model. 'non-meta': its row is the non-meta network
   * alone (the variant's network trained supervised, fine-tuned on each support set), chosen like
   * a variant's model (selection rule, its grid).
   */
  readonly role?: 'model' | 'non-meta';
  /**
   * What the non-meta network trains (as a baseline or a row): 'model' (default): the model's settings
   * at its dropout and without; 'v1': docs/protocol.md section 4's 12 configurations and its
   * evaluation-time choices.
   */
  readonly nonMetaGrid?: 'model' | 'v1';
}

export interface ExperimentSpec {
  readonly title: string;
  /** DATASETS names, 'demo', or paths (relative to the spec file) */
  readonly datasets: readonly string[];
  /** per dataset, a protocol other than its own (paths and the demo default to 'melu') */
  readonly protocols: Readonly<Record<string, TrainConfig['protocol']>>;
  readonly variants: readonly VariantSpec[];
  /** per dataset, the seeds of its jobs (a spec file may give one list for all) */
  readonly seeds: Readonly<Record<string, readonly number[]>>;
  /** epochs each network may train, pre-training included */
  readonly epochs: number;
  /** folder of the part files (relative to the spec file) */
  readonly parts: string;
  /**
   * Figures measured elsewhere, shown as labelled rows beside ours (never paired: no per-user errors),
   * per dataset: e.g. the MeLU authors' code on the published split.
   */
  readonly quoted?: Readonly<Record<string, readonly QuotedRow[]>>;
}

export interface QuotedRow {
  readonly label: string;
  /** who measured it, how */
  readonly source: string;
  readonly mae: Partial<Record<Scenario, number>>;
  readonly rmse?: Partial<Record<Scenario, number>>;
}

export interface Job {
  readonly index: number;
  readonly dataset: string;
  readonly variant: VariantSpec;
  readonly seed: number;
}

const SPEC_KEYS = ['title', 'datasets', 'protocols', 'variants', 'seeds', 'epochs', 'parts', 'quoted'];
const VARIANT_KEYS = [
  'name',
  'preset',
  'tuning',
  'overrides',
  'selection',
  'chooseLocalRate',
  'baselines',
  'budget',
  'ablate',
  'against',
  'role',
  'nonMetaGrid',
];

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
  // one list for every dataset, or a list per dataset (protocol v1: 10 seeds on ML-100K, 5 on ML-1M)
  const seedList = (v: unknown, what: string): number[] => {
    if (!Array.isArray(v) || !v.length || !v.every((s) => Number.isInteger(s))) {
      problems.push(`expected ${what} to be a non-empty list of integers`);
      return [];
    }
    if (new Set(v).size !== v.length) problems.push(`${what} has a repeated seed`);
    return v as number[];
  };
  const seeds: Record<string, number[]> = {};
  if (isRecord(value.seeds)) {
    for (const d of datasets) seeds[d] = seedList(value.seeds[d], `"seeds" of ${d}`);
    for (const d of Object.keys(value.seeds))
      if (!datasets.includes(d)) problems.push(`"seeds" names ${d}, which is not in "datasets"`);
  } else {
    const list = seedList(value.seeds, '"seeds"');
    for (const d of datasets) seeds[d] = list;
  }
  const epochs = value.epochs;
  if (!(Number.isInteger(epochs) && (epochs as number) >= 2))
    problems.push(
      `expected "epochs" to be a whole number of epochs, at least 2, got ${JSON.stringify(epochs)}`,
    );
  const quoted = value.quoted ?? {};
  const isFigures = (f: unknown) =>
    isRecord(f) &&
    Object.entries(f).every(
      ([k, x]) => (SCENARIOS as readonly string[]).includes(k) && typeof x === 'number' && Number.isFinite(x),
    );
  if (
    !isRecord(quoted) ||
    Object.entries(quoted).some(
      ([d, rows]) =>
        !datasets.includes(d) ||
        !Array.isArray(rows) ||
        rows.some(
          (r: unknown) =>
            !isRecord(r) ||
            typeof r.label !== 'string' ||
            typeof r.source !== 'string' ||
            !isFigures(r.mae) ||
            (r.rmse !== undefined && !isFigures(r.rmse)),
        ),
    )
  )
    problems.push(
      `expected "quoted" to map datasets of the spec to lists of { label, source, mae: { scenario: number }, rmse? } (scenarios ${SCENARIOS.join(', ')})`,
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
  for (const v of variants)
    for (const other of v.against ?? [])
      if (!names.includes(other) || other === v.name)
        problems.push(
          `variant ${v.name}: "against" names ${other}, which is not another variant (${names.join(', ')})`,
        );
  if (problems.length) throw new Error(`Invalid spec:\n  ${problems.join('\n  ')}`);
  return {
    title: typeof value.title === 'string' ? value.title : 'Results',
    datasets,
    protocols,
    variants,
    seeds,
    epochs: epochs as number,
    parts: value.parts as string,
    ...(value.quoted !== undefined ? { quoted: quoted as Record<string, QuotedRow[]> } : {}),
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
  if (v.budget !== undefined && !(Number.isInteger(v.budget) && (v.budget as number) >= 1))
    problems.push(`${at}: expected "budget" to be a whole number of epochs, at least 1`);
  if (v.ablate !== undefined && !(ABLATIONS as readonly unknown[]).includes(v.ablate))
    problems.push(`${at}: unknown ablation "${String(v.ablate)}"; expected one of ${ABLATIONS.join(', ')}`);
  if (
    v.against !== undefined &&
    !(Array.isArray(v.against) && v.against.every((x: unknown) => typeof x === 'string'))
  )
    problems.push(`${at}: expected "against" to be a list of variant names`);
  if (v.role !== undefined && v.role !== 'model' && v.role !== 'non-meta')
    problems.push(`${at}: unknown role "${String(v.role)}"; expected model or non-meta`);
  if (v.nonMetaGrid !== undefined && v.nonMetaGrid !== 'model' && v.nonMetaGrid !== 'v1')
    problems.push(`${at}: unknown nonMetaGrid "${String(v.nonMetaGrid)}"; expected model or v1`);
  if (problems.length > before) return null;
  return {
    name: name!,
    ...(v.preset !== undefined ? { preset: v.preset as PresetName } : {}),
    ...(v.tuning !== undefined ? { tuning: v.tuning as string } : {}),
    overrides: migrateKeys(overrides as Partial<TrainConfig>),
    selection: selection as SelectionRule,
    chooseLocalRate: chooseLocalRate as boolean,
    baselines: baselines as BaselineName[],
    // optional keys only when given: parts stored before them compare equal (part.ts)
    ...(v.budget !== undefined ? { budget: v.budget as number } : {}),
    ...(v.ablate !== undefined ? { ablate: v.ablate as Ablation } : {}),
    ...(v.against !== undefined ? { against: v.against as string[] } : {}),
    ...(v.role !== undefined ? { role: v.role as 'model' | 'non-meta' } : {}),
    ...(v.nonMetaGrid !== undefined ? { nonMetaGrid: v.nonMetaGrid as 'model' | 'v1' } : {}),
  };
}

/** The epochs a variant's jobs train, pre-training included. */
export const budgetOf = (spec: Pick<ExperimentSpec, 'epochs'>, variant: VariantSpec) =>
  variant.budget ?? spec.epochs;

/** Every job of a spec: dataset × variant × seed, numbered in that order. */
export function jobsOf(spec: ExperimentSpec): Job[] {
  const out: Job[] = [];
  for (const dataset of spec.datasets)
    for (const variant of spec.variants)
      for (const seed of spec.seeds[dataset]!) out.push({ index: out.length, dataset, variant, seed });
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
