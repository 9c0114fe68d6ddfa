// Meta-training speed per model, strategy and backend (printed, never asserted): tasks/s and ms per
// meta-step (median of timed steps after warm-up, full batches only), tfjs kernels and peak bytes of one
// step (tf.profile), and the process's peak RSS. Data: the partial ML-1M with MeLU's published split
// when staged (the target setting), else a synthetic problem with the same shapes.
import * as tf from '@tensorflow/tfjs';
import { readPaths } from '../src/cli/readPaths';
import { DEFAULT_CONFIG, type TrainConfig } from '../src/config/experiment';
import { PRESETS } from '../src/config/presets';
import { loadDataset } from '../src/data/detect';
import type { FeatureLayout } from '../src/data/features';
import type { TaskSet } from '../src/data/scenarios/types';
import { readSource } from '../src/data/source';
import { initBackend, type BackendName } from '../src/kernels/backend';
import { setSimdKernels } from '../src/kernels/simdWasm';
import { createRng, permutation } from '../src/lib/rng';
import { batchTensors, disposeBatchTensors, groupBySupport, makeBatch } from '../src/train/batch';
import { createMamoEngine, createMeluEngine, type GroupedBatch } from '../src/train/engine';
import { prepareExperiment } from '../src/train/prepare';
import { stagedDataset } from '../tests/helpers/datasets';
import { meluShapedProblem } from './shapes';

export interface StepBench {
  readonly label: string;
  readonly tasksPerSecond: number;
  readonly msPerStep: number;
  readonly kernels: number;
  readonly peakMB: number;
}

export async function problem(
  config: TrainConfig,
): Promise<{ layout: FeatureLayout; train: TaskSet; source: string }> {
  const ml1m = stagedDataset('ml-1m');
  const melu = stagedDataset('ml-1m-melu');
  if (ml1m && melu) {
    const dataset = await loadDataset(readSource(readPaths([ml1m, melu])));
    const prepared = prepareExperiment(dataset, { ...config, protocol: 'published' });
    return {
      layout: prepared.layout,
      train: prepared.split.train,
      source: `partial ML-1M, MeLU's published split (${prepared.split.train.count} training tasks)`,
    };
  }
  const shaped = meluShapedProblem(1, 640);
  return {
    layout: shaped.layout,
    train: shaped.set,
    source: 'synthetic problem with ML-1M/MeLU shapes (no staged data)',
  };
}

export async function benchStep(
  model: 'melu' | 'mamo',
  strategy: string,
  backend: BackendName,
  steps: number,
  groups = 1,
  overrides: Partial<TrainConfig> = {},
): Promise<StepBench & { source: string }> {
  const info = await initBackend(backend);
  if (info.name !== backend)
    throw new Error(`backend ${backend} unavailable: ${info.fallbacks.map((f) => f.reason).join('; ')}`);
  const config: TrainConfig = { ...DEFAULT_CONFIG, ...PRESETS[`${model}-paper`].values, ...overrides };
  const { layout, train, source } = await problem(config);
  const options = { config, layout, meanRating: 3.6, rng: createRng(1), strategy: strategy as 'tile' };
  const engine = model === 'melu' ? createMeluEngine(options) : createMamoEngine(options);
  const order = permutation(train.count, createRng(2));
  const size = config.batchSize;
  const batches = Math.floor(train.count / size);
  const times: number[] = [];
  let kernels = 0;
  let peak = 0;
  const warmup = 3;
  for (let s = 0; s < warmup + steps; s++) {
    const ids = order.subarray((s % batches) * size, (s % batches) * size + size);
    const t0 = performance.now();
    const parts = groupBySupport(train, ids, groups);
    const b: GroupedBatch = {
      tasks: ids.length,
      groups: parts.map((part) => batchTensors(makeBatch(train, part.ids, layout), layout)),
      positions: parts.map((part) => part.positions),
    };
    if (s === warmup) {
      const profile = await tf.profile(async () => {
        const loss = engine.trainStep(b);
        await loss.data();
        loss.dispose();
      });
      kernels = profile.kernels.length;
      peak = profile.peakBytes;
    } else {
      const loss = engine.trainStep(b);
      await loss.data();
      loss.dispose();
    }
    b.groups.forEach(disposeBatchTensors);
    engine.commit();
    if (s > warmup) times.push(performance.now() - t0);
  }
  engine.dispose();
  const ms = times.sort((a, b) => a - b)[times.length >> 1]!;
  return {
    label: `${model} ${strategy} ${backend} groups ${groups}`,
    tasksPerSecond: (size * 1000) / ms,
    msPerStep: ms,
    kernels,
    peakMB: peak / 1e6,
    source,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // optional 6th and 7th arguments: local steps and meta order (the MeLU-5 rows); METAREC_SIMD=off runs
  // wasm without the project's SIMD module (kernels/simdWasm.ts), for A/B comparisons
  if (process.env.METAREC_SIMD === 'off') setSimdKernels(false);
  const [model, strategy, backend, steps, groups, innerSteps, metaOrder] = process.argv.slice(2);
  let uninstall: (() => void) | null = null;
  if (backend === 'webgpu') uninstall = await (await import('../src/cli/webgpuNode')).installNodeWebGPU();
  const r = await benchStep(
    model as 'melu',
    strategy!,
    backend as BackendName,
    Number(steps ?? 20),
    Number(groups ?? 1),
    {
      ...(innerSteps ? { innerSteps: Number(innerSteps), innerLr: 0.01 } : {}),
      ...(metaOrder ? { metaOrder: metaOrder as TrainConfig['metaOrder'] } : {}),
    },
  );
  // peak resident memory of this whole process (the engine, tfjs and the loaded data)
  console.log(JSON.stringify({ ...r, peakRssMB: process.resourceUsage().maxRSS / 1024 }));
  uninstall?.();
}
