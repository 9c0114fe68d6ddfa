/**
 * `npm run cli -- tune-v1 <dataset> <melu|mamo> [--shard i/n | --shards n] [--list] [--out dir]`: the
 * tuning of results protocol v1 (docs/protocol.md, section 4; grids and score in
 * src/experiment/tuneV1.ts). Each configuration of the grid is one trial, trained for the 30-epoch
 * budget with every tuning seed of the dataset and evaluated on the VALIDATION cells only (the run is
 * validationOnly: no test scenario is predicted). A trial writes its own file,
 * <out>/<dataset>-<model>/trial-<i>.json (default out: docs/tuning-v1), so trials run as array tasks
 * and a re-run resumes; when every trial is there, <out>/<dataset>-<model>.json gets the trials and the
 * `chosen` configuration, which the protocol's experiment specs read as "tuning".
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_CONFIG, type TrainConfig } from '../config/experiment';
import { datasetRef, protocolOf } from '../experiment/datasets';
import { runHeadless } from '../experiment/headless';
import { parseShard } from '../experiment/spec';
import {
  scoreTrial,
  V1_BASE,
  V1_BUDGET,
  V1_EVAL_EVERY,
  V1_GRIDS,
  V1_TUNING_SEEDS,
  type SeedCurve,
  type TrialScore,
} from '../experiment/tuneV1';
import { initBackend } from '../kernels/backend';
import { loadSpecDataset } from './datasets';
import { codeVersion, readJson, writeAtomic } from './parts';

export const TRIAL_FORMAT = 'metarec-tuning-v1-trial/1';

interface TrialFile extends TrialScore {
  readonly format: typeof TRIAL_FORMAT;
  readonly code?: string | null;
  readonly index: number;
  readonly overrides: Partial<TrainConfig>;
  readonly seeds: readonly number[];
  readonly curves: readonly SeedCurve[];
  /** set when the configuration diverged on some seed (it then cannot win) */
  readonly diverged?: string;
  readonly seconds: number;
}

const isTrial = (v: unknown, index: number, overrides: Partial<TrainConfig>, seeds: readonly number[]) => {
  const t = v as Partial<TrialFile> | null;
  return (
    !!t &&
    t.format === TRIAL_FORMAT &&
    t.index === index &&
    JSON.stringify(t.overrides) === JSON.stringify(overrides) &&
    JSON.stringify(t.seeds) === JSON.stringify(seeds)
  );
};

export async function tuneV1(argv: readonly string[], log: (line: string) => void): Promise<void> {
  const flags = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--list') flags.set('list', '1');
    else if (a === '--shard' || a === '--shards' || a === '--out') {
      const value = argv[++i];
      if (value === undefined) throw new Error(`Expected a value after ${a}`);
      flags.set(a.slice(2), value);
    } else if (a.startsWith('--'))
      throw new Error(`Unknown flag ${a}; expected --list, --shard, --shards, --out`);
    else positional.push(a);
  }
  const [name, model] = positional as [string?, string?];
  if (!name || !(name in V1_TUNING_SEEDS))
    throw new Error(
      `Expected a dataset of the protocol: one of ${Object.keys(V1_TUNING_SEEDS).join(', ')}, got ${String(name)}`,
    );
  if (model !== 'melu' && model !== 'mamo') throw new Error(`Expected melu or mamo, got ${String(model)}`);
  const seeds = V1_TUNING_SEEDS[name]!;
  const grid = V1_GRIDS[model];
  const out = resolve(flags.get('out') ?? 'docs/tuning-v1');
  const trialPath = (i: number) => join(out, `${name}-${model}`, `trial-${i}.json`);
  const shardText =
    flags.get('shard') ??
    (process.env.SLURM_ARRAY_TASK_ID !== undefined
      ? `${Number(process.env.SLURM_ARRAY_TASK_ID) - Number(process.env.SLURM_ARRAY_TASK_MIN ?? 0)}/${flags.get('shards') ?? process.env.SLURM_ARRAY_TASK_COUNT}`
      : process.env.JOB_COMPLETION_INDEX !== undefined
        ? `${process.env.JOB_COMPLETION_INDEX}/${flags.get('shards')}`
        : null);
  const shard = shardText ? parseShard(shardText) : null;
  const mine = grid.map((_, i) => i).filter((i) => !shard || i % shard.count === shard.index);
  if (flags.has('list')) {
    for (const i of mine) log(`${i}\t${name}\t${model}\t${JSON.stringify(grid[i])}\t${trialPath(i)}`);
    return;
  }
  const base: TrainConfig = {
    ...DEFAULT_CONFIG,
    ...V1_BASE[model],
    protocol: protocolOf(datasetRef(name)),
    backend: 'wasm',
    baselines: false,
    chooseLocalRate: true,
    evalEvery: V1_EVAL_EVERY,
  };
  // the code this process runs: HEAD when it started (a later commit does not change loaded modules)
  const code = codeVersion();
  const backend = await initBackend('wasm');
  const dataset = await loadSpecDataset(name, process.cwd());
  for (const i of mine) {
    const overrides = grid[i]!;
    if (isTrial(readJson(trialPath(i)), i, overrides, seeds)) {
      log(`trial ${i}: done already (${trialPath(i)})`);
      continue;
    }
    const t0 = performance.now();
    const curves: SeedCurve[] = [];
    let diverged: string | undefined;
    for (const seed of seeds) {
      const config: TrainConfig = { ...base, ...overrides, seed };
      config.epochs = V1_BUDGET - config.pretrainEpochs;
      try {
        const outcome = await runHeadless(dataset, config, true, backend);
        curves.push({
          seed,
          checkpoints: outcome.evaluations
            .filter((e) => e.epoch > 0)
            .map((e) => ({ epoch: e.epoch + config.pretrainEpochs, validation: e.validation })),
        });
      } catch (error) {
        // a diverging setting is a result of the grid, not a failure of the tuning
        if ((error as { code?: string }).code !== 'diverged') throw error;
        diverged = `seed ${seed}: ${(error as Error).message}`;
        break;
      }
    }
    const score: TrialScore = diverged ? { score: null, kinds: {} } : scoreTrial(curves);
    const trial: TrialFile = {
      format: TRIAL_FORMAT,
      code,
      index: i,
      overrides,
      seeds,
      ...score,
      curves,
      ...(diverged ? { diverged } : {}),
      seconds: (performance.now() - t0) / 1000,
    };
    writeAtomic(trialPath(i), JSON.stringify(trial) + '\n');
    log(
      `trial ${i} ${JSON.stringify(overrides)}: score ${score.score?.toFixed(4) ?? diverged} (${trial.seconds.toFixed(0)} s)`,
    );
  }
  // the summary once every trial is stored (by this process or by others)
  const trials = grid.map((_, i) => readJson(trialPath(i))).filter((t, i) => isTrial(t, i, grid[i]!, seeds));
  if (trials.length < grid.length) {
    log(`${trials.length} of ${grid.length} trials stored; the summary is written when all are`);
    return;
  }
  const all = trials as TrialFile[];
  const finished = all.filter((t) => t.score !== null);
  if (!finished.length) throw new Error(`Every trial of ${name} ${model} diverged`);
  const winner = finished.reduce((a, b) => (b.score! < a.score! ? b : a));
  const file = join(out, `${name}-${model}.json`);
  writeAtomic(
    file,
    JSON.stringify(
      {
        protocol: 'docs/protocol.md v1, section 4',
        dataset: name,
        model,
        budget: V1_BUDGET,
        evalEvery: V1_EVAL_EVERY,
        seeds,
        trials: all.map(({ index, code, overrides, score, kinds, diverged, seconds }) => ({
          index,
          code: code ?? null,
          overrides,
          score,
          kinds,
          ...(diverged ? { diverged } : {}),
          seconds,
        })),
        chosen: { ...V1_BASE[model], ...winner.overrides },
      },
      null,
      2,
    ) + '\n',
  );
  log(`chosen: trial ${winner.index} ${JSON.stringify(winner.overrides)}; wrote ${file}`);
  if (!existsSync(file)) throw new Error(`Expected ${file} to be written`);
}
