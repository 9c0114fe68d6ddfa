/**
 * 'auto' on a machine with a hardware WebGPU adapter: time a few meta-steps on webgpu and on wasm and
 * keep the faster. Which one wins depends on the GPU, the model and the batch (a small MAMO batch can
 * be launch-bound on a GPU and faster on wasm's SIMD threads), so it is measured, not assumed. No tfjs
 * import: the decision is a pure function (unit-tested with fake adapters and timings), and the
 * orchestration takes its trial and backend switch as arguments (the worker passes real ones).
 */
import type { AdapterDescription, BackendInfo, BackendName } from './backend';
import { SOFTWARE_ADAPTER_REASON } from './backendReasons';

/** One backend's trial: meta-steps per second, or why it could not run (BackendInfo.trials). */
export type BackendTrial = NonNullable<BackendInfo['trials']>[number];

export interface AutoDecision {
  readonly name: BackendName;
  /** The badge's sentence: what was chosen and why, with the measured steps/s. */
  readonly why: string;
  readonly trials: readonly BackendTrial[];
}

/** The backends 'auto' should time on this adapter: both on hardware WebGPU, none otherwise. */
export function backendsToMeasure(adapter: AdapterDescription | null): BackendName[] {
  return adapter && !adapter.isFallbackAdapter ? ['webgpu', 'wasm'] : [];
}

const rate = (t: BackendTrial) =>
  t.stepsPerSecond === null ? `failed (${t.error ?? 'no result'})` : `${t.stepsPerSecond.toFixed(1)} steps/s`;

/**
 * The faster backend by measured meta-steps per second. Without a hardware adapter: wasm, with the
 * reason. A trial that failed never wins; when both fail, wasm. A tie within `tieShare` (5%) keeps
 * wasm: the same speed without a GPU's driver and memory limits.
 */
export function chooseAutoBackend(
  adapter: AdapterDescription | null,
  trials: readonly BackendTrial[],
  tieShare = 0.05,
): AutoDecision {
  if (!adapter) return { name: 'wasm', why: 'auto: wasm (no WebGPU adapter here)', trials: [] };
  if (adapter.isFallbackAdapter)
    return { name: 'wasm', why: `auto: wasm (not webgpu: ${SOFTWARE_ADAPTER_REASON})`, trials: [] };
  const gpu = trials.find((t) => t.backend === 'webgpu');
  const cpu = trials.find((t) => t.backend === 'wasm');
  const g = gpu?.stepsPerSecond ?? null;
  const c = cpu?.stepsPerSecond ?? null;
  const measured = trials.map((t) => `${t.backend} ${rate(t)}`).join(', ');
  const name: BackendName =
    g !== null && (c === null || g > c * (1 + tieShare))
      ? 'webgpu'
      : c !== null || g === null
        ? 'wasm'
        : 'webgpu';
  const reason =
    g !== null && c !== null
      ? name === 'webgpu'
        ? `faster on ${adapter.vendor || 'the GPU'} ${adapter.architecture}`.trim()
        : g > c
          ? `webgpu within ${Math.round(tieShare * 100)}%, wasm kept`
          : 'faster than webgpu here'
      : name === 'webgpu'
        ? 'wasm failed'
        : g === null && c === null
          ? 'both trials failed'
          : 'webgpu failed';
  return { name, why: `auto: ${name}, ${reason} (measured ${measured})`, trials };
}

/**
 * Runs the trials 'auto' needs on this adapter (each after switching to its backend), then switches to
 * the chosen one. `trial` times a few meta-steps on the backend now set and returns steps per second.
 */
export async function resolveAutoBackend(
  adapter: AdapterDescription | null,
  switchTo: (name: BackendName) => Promise<void>,
  trial: () => Promise<number>,
): Promise<AutoDecision> {
  const trials: BackendTrial[] = [];
  for (const backend of backendsToMeasure(adapter)) {
    try {
      await switchTo(backend);
      trials.push({ backend, stepsPerSecond: await trial() });
    } catch (error) {
      trials.push({
        backend,
        stepsPerSecond: null,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
  const decision = chooseAutoBackend(adapter, trials);
  if (trials.length) await switchTo(decision.name);
  return decision;
}

/** The backend report after the decision: what runs, the badge's sentence and the trials behind it. */
export function withDecision(info: BackendInfo, decision: AutoDecision): BackendInfo {
  return decision.trials.length
    ? { ...info, name: decision.name, why: decision.why, trials: decision.trials }
    : info;
}
