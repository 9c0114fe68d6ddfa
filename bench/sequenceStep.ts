// MELO/MML meta-training speed (printed, never asserted): `npx tsx bench/sequenceStep.ts <preset>
// <backend> [steps]` runs the preset's training through runExperiment (the code the notebook and the
// CLI run) on ML-100K's sequence protocol when staged, else on the synthetic demo, and stops it after
// the timed steps. ms per step = the median of the `step` events' wall times after 3 warm-up steps
// (batch building, meta-gradient, optimiser updates and the loss read-back); tasks/s = batch / that.
// tfjs kernels per step: a second run counting the engine's kernel calls (runKernelFunc, where
// tf.profile records them) between consecutive step events (the median over steps 3-5). Peak RSS: this process's. One JSON line on stdout.
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_CONFIG, type TrainConfig } from '../src/config/experiment';
import { PRESETS, type PresetName } from '../src/config/presets';
import type { Dataset } from '../src/data/dataset';
import { experimentInput } from '../src/experiment/headless';
import { initBackend, type BackendName } from '../src/kernels/backend';
import type { TrainEvent } from '../src/train/events';
import { runExperiment } from '../src/train/run';
import { loadSpecDataset } from '../src/cli/datasets';
import { stagedDataset } from '../tests/helpers/datasets';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** Runs `config` until `stopAfter` step events; the steps' wall times, and the kernel count at each. */
async function steps(
  dataset: Dataset,
  config: TrainConfig,
  backend: Awaited<ReturnType<typeof initBackend>>,
  stopAfter: number,
  countKernels: () => number,
): Promise<{ seconds: number[]; kernelsAt: number[] }> {
  const stop = new AbortController();
  const seconds: number[] = [];
  const kernelsAt: number[] = [];
  await runExperiment(
    experimentInput(dataset, config, backend),
    (e: TrainEvent) => {
      if (e.type !== 'step') return;
      seconds.push(e.seconds);
      kernelsAt.push(countKernels());
      if (seconds.length >= stopAfter) stop.abort();
    },
    { signal: stop.signal },
  );
  return { seconds, kernelsAt };
}

export async function benchSequence(preset: PresetName, backendName: BackendName, timed: number) {
  const backend = await initBackend(backendName);
  if (backend.name !== backendName)
    throw new Error(
      `backend ${backendName} unavailable: ${backend.fallbacks.map((f) => f.reason).join('; ')}`,
    );
  const staged = stagedDataset('ml-100k') !== null;
  const dataset = await loadSpecDataset(staged ? 'ml-100k' : 'demo');
  // evaluation (before training) on a few users only: it is not timed
  const config: TrainConfig = {
    ...DEFAULT_CONFIG,
    ...PRESETS[preset].values,
    evalUsers: 8,
    baselines: false,
  };
  const warmup = 3;
  const timedRun = await steps(dataset, config, backend, warmup + timed, () => 0);
  const ms = median(timedRun.seconds.slice(warmup)) * 1000;
  // kernels: every engine.runKernelFunc call (where tf.profile records its kernels; tf.profile itself
  // overflows the stack on a run this long), counted between consecutive step events
  const engine = tf.engine() as unknown as { runKernelFunc: (...args: unknown[]) => unknown };
  const original = engine.runKernelFunc;
  let kernels = 0;
  engine.runKernelFunc = function (this: unknown, ...args: unknown[]) {
    kernels++;
    return original.apply(this, args);
  };
  const r = await steps(dataset, config, backend, 6, () => kernels);
  engine.runKernelFunc = original;
  const counts = r.kernelsAt.slice(2).map((k, i) => k - r.kernelsAt[i + 1]!);
  return {
    preset,
    backend: backendName,
    tasksPerSecond: (config.batchSize * 1000) / ms,
    msPerStep: ms,
    kernels: median(counts),
    source: staged
      ? 'ML-100K, sequence protocol (seed 1)'
      : 'synthetic demo, sequence protocol (no staged data)',
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [preset, backend, timed] = process.argv.slice(2);
  let uninstall: (() => void) | null = null;
  if (backend === 'webgpu') uninstall = await (await import('../src/cli/webgpuNode')).installNodeWebGPU();
  const r = await benchSequence(
    preset as PresetName,
    (backend ?? 'wasm') as BackendName,
    Number(timed ?? 10),
  );
  console.log(JSON.stringify({ ...r, peakRssMB: process.resourceUsage().maxRSS / 1024 }));
  uninstall?.();
}
