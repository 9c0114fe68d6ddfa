// Shared by tune.ts and results.ts: load a named staged dataset, run one experiment headless (wasm),
// collect its evaluations.
import { join } from 'node:path';
import { readPaths } from '../src/cli/readPaths';
import type { TrainConfig } from '../src/config/experiment';
import type { Dataset } from '../src/data/dataset';
import { loadDataset } from '../src/data/detect';
import { readSource } from '../src/data/source';
import { initBackend, type BackendInfo } from '../src/kernels/backend';
import { createRng } from '../src/lib/rng';
import { nonMetaValidationRng } from '../src/train/baselines';
import type { ModelEngine } from '../src/train/engine';
import { createEngine, trainEpochs, type ExperimentInput } from '../src/train/epochs';
import { candidateRates, chooseLocalRate, type LocalRates } from '../src/train/localRate';
import type { RunSummary, ScenarioRecord, TrainEvent } from '../src/train/events';
import { prepareExperiment } from '../src/train/prepare';
import { runExperiment } from '../src/train/run';
import { datasetsRoot } from '../tests/helpers/datasets';

/** Named datasets: folders under ../shared/datasets (METAREC_DATASETS). */
export const DATASETS: Record<
  string,
  { folders: string[]; protocol: TrainConfig['protocol']; label: string }
> = {
  'ml-100k': { folders: ['ml-100k'], protocol: 'melu', label: 'MovieLens 100K, protocol melu' },
  'ml-1m-published': {
    folders: ['ml-1m', 'ml-1m-melu'],
    protocol: 'published',
    label: "partial MovieLens 1M (users 1-2999), MeLU's published split",
  },
};

const cache = new Map<string, Promise<Dataset>>();
export function loadNamed(name: string): Promise<Dataset> {
  const spec = DATASETS[name];
  if (!spec) throw new Error(`Unknown dataset ${name}; expected one of ${Object.keys(DATASETS).join(', ')}`);
  if (!cache.has(name))
    cache.set(name, loadDataset(readSource(readPaths(spec.folders.map((f) => join(datasetsRoot(), f))))));
  return cache.get(name)!;
}

export interface Outcome {
  readonly summary: RunSummary;
  /**
   * Every evaluation of the run: with chooseLocalRate its local rates, and for MAMO the memory event
   * that followed it (attention of the evaluated test users at that epoch).
   */
  readonly evaluations: {
    epoch: number;
    validation: ScenarioRecord;
    test: ScenarioRecord;
    localRate?: LocalRates;
    memory?: Extract<TrainEvent, { type: 'memory' }>;
  }[];
  readonly seconds: number;
  /** MAMO: the last memory event (attention of the evaluated test users, profile memory) */
  readonly memory: Extract<TrainEvent, { type: 'memory' }> | null;
}

/** The split and feature layout of a config on a dataset, as runExperiment and trainEpochs take them. */
export function experimentInput(
  dataset: Dataset,
  config: TrainConfig,
  backend: BackendInfo,
): ExperimentInput {
  const { split, layout } = prepareExperiment(dataset, config);
  return { datasetName: dataset.name, split, layout, config, backend };
}

/**
 * The non-meta baseline's network, trained as computeBaselines trains it (plain MSE on every training
 * rating, the same seed forks), for `config.epochs` epochs. After every second epoch, the local rates
 * are chosen on the validation users, and `atCheckpoint` gets the engine, the epoch, the rates and the
 * validation record. The engine is disposed at the end.
 */
export async function nonMetaCheckpoints(
  input: ExperimentInput,
  atCheckpoint: (
    engine: ModelEngine,
    epoch: number,
    rates: LocalRates,
    validation: ScenarioRecord,
  ) => Promise<void>,
): Promise<void> {
  const { config } = input;
  const rng = createRng(config.seed).fork('baselines');
  const engine = createEngine(input, rng.fork('nonMeta'), true);
  try {
    await trainEpochs(
      engine,
      input,
      {},
      rng.fork('nonMetaBatches'),
      null,
      async (record) => {
        if (record.epoch % 2) return;
        const c = await chooseLocalRate(
          engine,
          input,
          candidateRates(config.innerLr),
          nonMetaValidationRng(config.seed),
        );
        if (c) await atCheckpoint(engine, record.epoch, c.rates, c.record);
      },
      { epochs: config.epochs, supervised: true },
    );
  } finally {
    engine.dispose();
  }
}

export async function runHeadless(
  dataset: Dataset,
  config: TrainConfig,
  validationOnly: boolean,
): Promise<Outcome> {
  const backend = await initBackend('wasm');
  const evaluations: Outcome['evaluations'] = [];
  let failure: { code: string; message: string } | null = null;
  let memory: Outcome['memory'] = null;
  const t0 = performance.now();
  const summary = await runExperiment(
    experimentInput(dataset, config, backend),
    (e: TrainEvent) => {
      if (e.type === 'evaluated')
        evaluations.push({
          epoch: e.epoch,
          validation: e.validation,
          test: e.test,
          ...(e.localRate ? { localRate: e.localRate } : {}),
        });
      if (e.type === 'failed') failure = { code: e.code, message: e.message };
      if (e.type === 'memory') {
        memory = e;
        const last = evaluations[evaluations.length - 1];
        if (last && last.epoch === e.epoch) last.memory = e;
      }
    },
    { validationOnly },
  );
  if (failure) {
    const { code, message } = failure as { code: string; message: string };
    throw Object.assign(new Error(message), { code });
  }
  return { summary, evaluations, seconds: (performance.now() - t0) / 1000, memory };
}

/** Mean and sample standard deviation (n - 1) of per-seed values. */
export const stats = (values: number[]) => {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, values.length - 1));
  return { mean, std };
};
/** A table cell "mean ± std" over seeds; "–" when a value is missing or not finite. */
export const cell = (values: number[]) => {
  if (values.length === 0 || values.some((v) => !Number.isFinite(v))) return '–';
  const { mean, std } = stats(values);
  return `${mean.toFixed(4)} ± ${std.toFixed(4)}`;
};

/** Mean validation MAE over the validation scenarios that have tasks (lower is better). */
export function validationMae(record: ScenarioRecord): number {
  const values = Object.values(record).map((m) => m!.mae);
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : NaN;
}

/**
 * How much MAMO's memory attention discriminates between users, from a memory event: the mean over
 * users of the largest attention weight (1/k means uniform), the share of users whose dominant slot is
 * each slot, and the spread of the profile memory rows (mean pairwise L2 distance / mean row norm; 0
 * means all slots are the same vector, so attention cannot tell users apart).
 */
export function attentionSummary(memory: NonNullable<Outcome['memory']>): {
  meanMaxWeight: number;
  dominantShare: number[];
  slotSpread: number;
} {
  const { attention, k, profileMemory, profileWidth } = memory;
  const rows = attention.length / k;
  let maxSum = 0;
  const dominant = new Array<number>(k).fill(0);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (attention[r * k + j]! > attention[r * k + best]!) best = j;
    maxSum += attention[r * k + best]!;
    dominant[best]!++;
  }
  const row = (i: number) => profileMemory.subarray(i * profileWidth, (i + 1) * profileWidth);
  const norm = (v: Float32Array) => Math.hypot(...v);
  let dist = 0;
  let pairs = 0;
  for (let a = 0; a < k; a++)
    for (let b = a + 1; b < k; b++) {
      const va = row(a);
      const vb = row(b);
      dist += Math.hypot(...va.map((x, i) => x - vb[i]!));
      pairs++;
    }
  const meanNorm = Array.from({ length: k }, (_, i) => norm(row(i))).reduce((x, y) => x + y, 0) / k;
  return {
    meanMaxWeight: rows ? maxSum / rows : NaN,
    dominantShare: dominant.map((d) => (rows ? d / rows : NaN)),
    slotSpread: pairs && meanNorm > 0 ? dist / pairs / meanNorm : 0,
  };
}
