/**
 * `npm run cli -- experiment <spec.json> [--list] [--shard i/n | --shards n] [--dataset d] [--variant v]
 * [--processes n] [--merge [--out file]]`: the results protocol of a spec (src/experiment/spec.ts) as independent jobs,
 * one part file per job (docs/scale-out.md):
 *   --list          print the jobs, one per line: index, dataset, variant, seed, part file
 *   (no flag)       run the jobs whose part is missing (a complete part is skipped: re-runs resume)
 *   --shard i/n     only jobs with index ≡ i (mod n); without it, i comes from SLURM_ARRAY_TASK_ID
 *                   (minus SLURM_ARRAY_TASK_MIN) or JOB_COMPLETION_INDEX, and n from --shards or
 *                   SLURM_ARRAY_TASK_COUNT
 *   --dataset/--variant/--seed   only those (repeatable); unknown names are refused with the spec's names
 *                   (--list marks ablations the chosen configuration lacks: they write no part)
 *   --processes n   a non-meta row's trained configurations in n child processes at once (nonMetaPool.ts;
 *                   the same numbers as one process; default 1: one after another in this process)
 *   --merge         write the document from the parts found (default docs/results.md; --out overrides)
 *   --versus older.json   with --merge: a section of each row's MAE against the same row of another
 *                   version of the protocol, on the seeds both have (experiment/versions.ts)
 *   --newer newer.json    with --merge: a paragraph under the title, how many of a newer version's
 *                   jobs have parts and which document is of record (docs/protocol.md, section 11)
 */
import { migrateKeys } from '../config/migrations';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DEFAULT_CONFIG, type TrainConfig } from '../config/experiment';
import { initBackend } from '../kernels/backend';
import { datasetRef, labelOf, protocolOf } from '../experiment/datasets';
import { runJob } from '../experiment/job';
import { isCompletePart, PART_FORMAT, type JobPart } from '../experiment/part';
import { renderMerged } from '../experiment/render';
import { newerVersionNote, versionsSection } from '../experiment/versions';
import { speedSection } from '../experiment/resultsReport';
import {
  budgetOf,
  jobLine,
  jobsOf,
  parseShard,
  parseSpec,
  partFileName,
  shardOf,
  type ExperimentSpec,
  type Job,
} from '../experiment/spec';
import { loadSpecDataset, resolveVariant } from './datasets';
import { codeVersion, readJson, readSpecFile, writeAtomic } from './parts';
import { keptSection, spliceSection } from './sequenceSection';
import { childPool } from './nonMetaPool';

export interface ExperimentCommand {
  readonly specPath: string;
  readonly list: boolean;
  readonly merge: boolean;
  readonly out: string | null;
  /** with merge: another version's spec, shown side by side (versions.ts) */
  readonly versus?: string | null;
  /** with merge: a newer version's spec, whose progress a paragraph under the title reports */
  readonly newer?: string | null;
  readonly shard: string | null;
  readonly shards: string | null;
  readonly datasets: readonly string[];
  readonly variants: readonly string[];
  /** only these seeds (none: every seed of the spec) */
  readonly seeds: readonly number[];
  /** child processes for a non-meta row's configurations (1 or absent: none, one after another) */
  readonly processes?: number;
}

/** The shard from --shard, else from the array-job environment; null: every job. */
export function shardFrom(
  command: Pick<ExperimentCommand, 'shard' | 'shards'>,
  env: NodeJS.ProcessEnv = process.env,
): { index: number; count: number } | null {
  if (command.shard !== null) return parseShard(command.shard);
  const slurm = env.SLURM_ARRAY_TASK_ID;
  const indexed = env.JOB_COMPLETION_INDEX;
  if (slurm === undefined && indexed === undefined) return null;
  const index = slurm !== undefined ? Number(slurm) - Number(env.SLURM_ARRAY_TASK_MIN ?? 0) : Number(indexed);
  const count = command.shards ?? env.SLURM_ARRAY_TASK_COUNT;
  if (count === undefined)
    throw new Error(
      `Expected --shards n with ${slurm !== undefined ? 'SLURM_ARRAY_TASK_ID' : 'JOB_COMPLETION_INDEX'} set (the number of array tasks or completions)`,
    );
  return parseShard(`${index}/${count}`);
}

/**
 * Whether a stored part ran this config. A field added to the config table after the part was written
 * reads as its default there (the code then behaved as the default does), so a new field does not make
 * every stored part stale; any other difference does.
 */
export function sameConfig(stored: Partial<TrainConfig>, config: TrainConfig): boolean {
  // a part stored before a setting was renamed (config/migrations.ts) holds the old name
  const key = (c: Partial<TrainConfig>) => JSON.stringify({ ...DEFAULT_CONFIG, ...migrateKeys(c) });
  return key(stored) === key(config);
}

function filtered(spec: ExperimentSpec, command: ExperimentCommand): Job[] {
  const check = (given: readonly string[], allowed: readonly string[], flag: string) => {
    for (const g of given)
      if (!allowed.includes(g)) throw new Error(`Unknown ${flag} ${g}; the spec has ${allowed.join(', ')}`);
  };
  check(command.datasets, spec.datasets, '--dataset');
  check(
    command.variants,
    spec.variants.map((v) => v.name),
    '--variant',
  );
  const specSeeds = new Set(Object.values(spec.seeds).flat());
  for (const s of command.seeds)
    if (!specSeeds.has(s)) throw new Error(`Unknown --seed ${s}; the spec has ${[...specSeeds].join(', ')}`);
  return jobsOf(spec).filter(
    (j) =>
      (!command.datasets.length || command.datasets.includes(j.dataset)) &&
      (!command.variants.length || command.variants.includes(j.variant.name)) &&
      (!command.seeds.length || command.seeds.includes(j.seed)),
  );
}

function resolveJobOf(spec: ExperimentSpec, specDir: string, job: Job) {
  return resolveVariant(
    job.variant,
    job.dataset,
    spec.protocols[job.dataset] ?? protocolOf(datasetRef(job.dataset)),
    specDir,
  );
}

/** Ablation jobs the chosen configurations do not hold (no part; not missing): index -> why. */
function notApplicableOf(spec: ExperimentSpec, specDir: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const j of jobsOf(spec))
    if (j.variant.ablate)
      try {
        const r = resolveJobOf(spec, specDir, j);
        if ('notApplicable' in r) out.set(j.index, r.notApplicable);
      } catch {
        // no tuning file yet: the job is simply missing
      }
  return out;
}

/** The complete parts a spec's folder holds (a stale or partial file is left out). */
function storedParts(spec: ExperimentSpec, specDir: string): JobPart[] {
  return jobsOf(spec)
    .map((j) => ({ j, p: readJson(resolve(specDir, spec.parts, partFileName(j))) }))
    .filter(({ j, p }) => isCompletePart(p, j, budgetOf(spec, j.variant)))
    .map(({ p }) => p as JobPart);
}

export async function experiment(command: ExperimentCommand, log: (line: string) => void): Promise<void> {
  const spec = readSpecFile(command.specPath, parseSpec);
  const specDir = dirname(resolve(command.specPath));
  const partPath = (job: Job) => resolve(specDir, spec.parts, partFileName(job));
  const all = filtered(spec, command);
  const resolveJob = (job: Job) => resolveJobOf(spec, specDir, job);
  if (command.merge) {
    const parts = storedParts(spec, specDir);
    const notApplicable = notApplicableOf(spec, specDir);
    const out = resolve(command.out ?? 'docs/results.md');
    // the last `npm run bench` output beside the document (docs/bench-latest.md), when there is one
    const benchFile = join(dirname(out), 'bench-latest.md');
    const speed = existsSync(benchFile)
      ? '\n' + speedSection(readFileSync(benchFile, 'utf8')).join('\n')
      : '';
    // the sequential models' section (sequence-experiment --merge) survives a re-merge of this document
    const before = existsSync(out) ? readFileSync(out, 'utf8') : '';
    const kept = keptSection(before);
    let merged = renderMerged(spec, command.specPath, jobsOf(spec), parts, notApplicable);
    if (command.newer) {
      const newer = readSpecFile(command.newer, parseSpec);
      const newerDir = dirname(resolve(command.newer));
      const skip = notApplicableOf(newer, newerDir);
      const stored = new Set(storedParts(newer, newerDir).map((p) => p.index));
      const applicable = jobsOf(newer).filter((j) => !skip.has(j.index));
      const note = newerVersionNote({
        title: newer.title,
        path: command.newer,
        datasets: newer.datasets.map((d) => {
          const own = applicable.filter((j) => j.dataset === d);
          const label = labelOf(datasetRef(d));
          return { label, jobs: own.length, parts: own.filter((j) => stored.has(j.index)).length };
        }),
      });
      // under the title and its first paragraph
      const blocks = merged.split('\n\n');
      merged = [...blocks.slice(0, 2), note, ...blocks.slice(2)].join('\n\n');
    }
    if (command.versus) {
      const older = readSpecFile(command.versus, parseSpec);
      const section = versionsSection(
        { label: spec.title.replace(/^Results, /, '').replace(/ \(.*$/, ''), parts },
        {
          label: older.title.replace(/^Results, /, '').replace(/ \(.*$/, ''),
          parts: storedParts(older, dirname(resolve(command.versus))),
        },
        spec.variants.map((v) => v.name),
      );
      if (section.lines.length) merged += '\n' + section.lines.join('\n');
    }
    merged += speed;
    writeAtomic(out, kept ? spliceSection(merged, kept) : merged);
    log(`wrote ${out} from ${parts.length} of ${jobsOf(spec).length} parts`);
    return;
  }
  const shard = shardFrom(command);
  const jobs = shard ? shardOf(all, shard) : all;
  if (command.list) {
    for (const job of jobs) {
      let mark = '';
      if (job.variant.ablate)
        try {
          const r = resolveJob(job);
          if ('notApplicable' in r) mark = `\tnot applicable: ${r.notApplicable}`;
        } catch {
          // no tuning file yet: listed as a job to run
        }
      log(jobLine(job) + mark);
    }
    return;
  }
  // the code this process runs: HEAD when it started (a later commit does not change loaded modules)
  const code = codeVersion();
  const backend = await initBackend('wasm');
  for (const job of jobs) {
    const file = partPath(job);
    const ref = datasetRef(job.dataset);
    const resolved = resolveJob(job);
    if ('notApplicable' in resolved) {
      log(`job ${job.index}: not applicable (${resolved.notApplicable}); no part`);
      continue;
    }
    const { config } = resolved;
    const stored = readJson(file);
    if (isCompletePart(stored, job, budgetOf(spec, job.variant)) && sameConfig(stored.config, config)) {
      log(`job ${job.index}: done already (${file})`);
      continue;
    }
    if (stored !== null)
      log(
        `job ${job.index}: the stored part is incomplete or stale (other variant, budget or config); running again`,
      );
    const dataset = await loadSpecDataset(job.dataset, specDir);
    const prefix = `job ${job.index} (${job.dataset} / ${job.variant.name} / seed ${job.seed})`;
    const options = {
      ...job.variant,
      selection: resolved.selection,
      chooseLocalRate: resolved.chooseLocalRate,
    };
    const result = await runJob(
      dataset,
      config,
      job.seed,
      budgetOf(spec, job.variant),
      backend,
      options,
      (line) => log(`${prefix}: ${line}`),
      (command.processes ?? 1) > 1 ? childPool(command.processes!, job.dataset, specDir) : undefined,
    );
    const part: JobPart = {
      format: PART_FORMAT,
      index: job.index,
      dataset: job.dataset,
      datasetLabel: labelOf(ref),
      variant: job.variant,
      config,
      seed: job.seed,
      budget: budgetOf(spec, job.variant),
      date: new Date().toISOString().slice(0, 10),
      code,
      result,
    };
    writeAtomic(file, JSON.stringify(part) + '\n');
    log(`job ${job.index}: ran, ${result.seconds.toFixed(0)} s; wrote ${file}`);
  }
}
