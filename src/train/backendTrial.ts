/**
 * The trial 'auto' runs on each candidate backend (kernels/autoBackend.ts): a throwaway engine takes
 * 1 + `steps` meta-steps of the configured run on the backend now set; the first (kernel compilation,
 * WebGPU pipeline creation) is not timed; the result is steps / Σ step seconds. The run itself starts
 * afresh afterwards, from its own seed, so the trial changes no number of it.
 */
import { backendsToMeasure, resolveAutoBackend, withDecision } from '../kernels/autoBackend';
import { initBackend, type BackendInfo, type BackendName } from '../kernels/backend';
import { createRng } from '../lib/rng';
import { createEngine, trainEpochs, type ExperimentInput } from './epochs';

export async function metaStepsPerSecond(
  input: ExperimentInput,
  backend: BackendInfo,
  steps = 3,
): Promise<number> {
  const trialInput = { ...input, backend, config: { ...input.config, epochs: 1 } };
  const engine = createEngine(trialInput, createRng(input.config.seed).fork('backend-trial'));
  const abort = new AbortController();
  let taken = 0;
  let seconds = 0;
  try {
    await trainEpochs(
      engine,
      trialInput,
      { signal: abort.signal },
      createRng(input.config.seed).fork('backend-trial-batches'),
      (e) => {
        if (taken++ > 0) seconds += e.seconds;
        if (taken > steps) abort.abort();
      },
      async () => {},
    );
  } finally {
    engine.dispose();
  }
  const timed = Math.max(0, taken - 1);
  if (timed === 0 || seconds <= 0) throw new Error('the trial took no timed meta-step');
  return timed / seconds;
}

/**
 * 'auto' on a hardware WebGPU adapter, before a run builds its engine: time webgpu and wasm on this
 * run's configuration and continue on the faster (kernels/autoBackend.ts); the returned input carries
 * the decision (its `started` event shows it on the badge). Any other backend request, a software
 * adapter or no adapter: the input unchanged, no trial.
 */
export async function decideAutoBackend(
  input: ExperimentInput,
  switchTo: (name: BackendName) => Promise<BackendInfo> = (name) => initBackend(name),
  trial: (backend: BackendInfo) => Promise<number> = (backend) => metaStepsPerSecond(input, backend),
): Promise<ExperimentInput> {
  const info = input.backend;
  if (info.requested !== 'auto' || backendsToMeasure(info.adapter).length === 0) return input;
  let current = info;
  try {
    const decision = await resolveAutoBackend(
      info.adapter,
      async (name) => {
        // always set it: a previous run's trials may have left tfjs on another backend than `info` says
        current = await switchTo(name);
        if (current.name !== name) throw new Error(`${name} did not start (${current.name} runs)`);
      },
      () => trial(current),
    );
    return {
      ...input,
      backend: withDecision({ ...current, requested: 'auto', adapter: info.adapter }, decision),
    };
  } catch {
    // switching back failed half-way: run on what 'auto' chose before the trials
    if (current.name !== info.name) await switchTo(info.name);
    return input;
  }
}
