/**
 * `npm run cli -- sequence-experiment <spec.json> [--list] [--dataset d] [--row job] [--seed s]
 * [--merge [--out file]]`: the sequential models' results protocol (docs/protocol-sequence.md) as
 * independent jobs, one part file each (skipped when complete with the same config: re-runs resume);
 * --merge writes docs/results-sequence.md (or --out) and splices it into docs/results.md between
 * markers, where a merge of protocol v1 keeps it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DEFAULT_CONFIG, type TrainConfig } from '../config/experiment';
import { PRESETS } from '../config/presets';
import { runSequenceJob } from '../experiment/sequenceJob';
import {
  isSequencePart,
  renderSequence,
  SEQUENCE_PART_FORMAT,
  type SequencePart,
} from '../experiment/sequenceRender';
import {
  parseSequenceSpec,
  sequenceJobsOf,
  sequencePartName,
  type SequenceJob,
} from '../experiment/sequenceSpec';
import { initBackend } from '../kernels/backend';
import { loadSpecDataset } from './datasets';
import { sameConfig } from './experiment';
import { codeVersion, readJson, readSpecFile, writeAtomic } from './parts';
import { spliceSection } from './sequenceSection';

export interface SequenceCommand {
  readonly specPath: string;
  readonly list: boolean;
  readonly merge: boolean;
  readonly out: string | null;
  readonly datasets: readonly string[];
  readonly rows: readonly string[];
  readonly seeds: readonly number[];
}

const gcd = (a: number, b: number): number => (b ? gcd(b, a % b) : a);

/**
 * A job's config: defaults, its preset (and the spec's overrides), the seed, every test task, and an
 * evaluation every g epochs, g the greatest common divisor of the epochs the spec may pick (2 in v1).
 */
export function sequenceConfig(job: SequenceJob, evaluateAt: readonly number[]): TrainConfig {
  return {
    ...DEFAULT_CONFIG,
    ...PRESETS[job.job.preset].values,
    ...job.job.overrides,
    seed: job.seed,
    evalUsers: 0,
    evalEvery: Math.max(1, evaluateAt.reduce(gcd, 0)),
    baselines: false,
  };
}

export async function sequenceExperiment(
  command: SequenceCommand,
  log: (line: string) => void,
): Promise<void> {
  const spec = readSpecFile(command.specPath, parseSequenceSpec);
  const specDir = dirname(resolve(command.specPath));
  const partPath = (job: SequenceJob) => resolve(specDir, spec.parts, sequencePartName(job));
  const check = (
    given: readonly (string | number)[],
    allowed: readonly (string | number)[],
    flag: string,
  ) => {
    for (const g of given)
      if (!allowed.includes(g)) throw new Error(`Unknown ${flag} ${g}; the spec has ${allowed.join(', ')}`);
  };
  check(command.datasets, spec.datasets, '--dataset');
  check(
    command.rows,
    spec.jobs.map((j) => j.name),
    '--row',
  );
  check(command.seeds, spec.seeds, '--seed');
  const all = sequenceJobsOf(spec);
  if (command.merge) {
    const parts = all
      .map((j) => ({ j, p: readJson(partPath(j)) }))
      .filter(({ j, p }) => isSequencePart(p, j) && sameConfig(p.config, sequenceConfig(j, spec.evaluateAt)))
      .map(({ p }) => p as SequencePart);
    const out = resolve(command.out ?? 'docs/results-sequence.md');
    // the last `npm run bench -- sequence` beside the document (docs/bench-sequence.md), when there is one
    const benchFile = join(dirname(out), 'bench-sequence.md');
    const section =
      renderSequence(spec, command.specPath, parts) +
      (existsSync(benchFile) ? `\nSpeed: ${readFileSync(benchFile, 'utf8').replace(/^### /m, '#### ')}` : '');
    writeAtomic(out, section);
    log(`wrote ${out} from ${parts.length} of ${all.length} parts`);
    if (command.out === null) {
      const results = resolve('docs/results.md');
      const doc = existsSync(results) ? readFileSync(results, 'utf8') : '';
      writeAtomic(results, spliceSection(doc, section));
      log(`spliced it into ${results}`);
    }
    return;
  }
  const jobs = all.filter(
    (j) =>
      (!command.datasets.length || command.datasets.includes(j.dataset)) &&
      (!command.rows.length || command.rows.includes(j.job.name)) &&
      (!command.seeds.length || command.seeds.includes(j.seed)),
  );
  if (command.list) {
    for (const j of jobs)
      log(`${j.dataset}\t${j.job.name}\t${j.seed}\t${join(spec.parts, sequencePartName(j))}`);
    return;
  }
  const code = codeVersion();
  const backend = await initBackend('wasm');
  for (const job of jobs) {
    const file = partPath(job);
    const config = sequenceConfig(job, spec.evaluateAt);
    const stored = readJson(file);
    const name = `${job.dataset} / ${job.job.name} / seed ${job.seed}`;
    if (isSequencePart(stored, job) && sameConfig(stored.config, config)) {
      log(`${name}: done already (${file})`);
      continue;
    }
    const dataset = await loadSpecDataset(job.dataset, specDir);
    const result = await runSequenceJob(dataset, job.job, config, spec.evaluateAt, backend, (line) =>
      log(`${name}: ${line}`),
    );
    const part: SequencePart = {
      format: SEQUENCE_PART_FORMAT,
      dataset: job.dataset,
      job: job.job.name,
      preset: job.job.preset,
      seed: job.seed,
      config: { ...config },
      date: new Date().toISOString().slice(0, 10),
      code,
      result,
    };
    writeAtomic(file, JSON.stringify(part) + '\n');
    log(`${name}: ran, ${result.seconds.toFixed(0)} s; wrote ${file}`);
  }
}
