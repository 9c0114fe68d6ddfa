/**
 * The trial 'auto' runs on each candidate backend (kernels/autoBackend.ts): a throwaway engine takes
 * 1 + `steps` meta-steps of the configured run on the backend now set; the first (kernel compilation,
 * WebGPU pipeline creation) is not timed; the result is steps / Σ step seconds. The run itself starts
 * afresh afterwards, from its own seed, so the trial changes no number of it.
 */
import type { BackendInfo } from '../kernels/backend';
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
