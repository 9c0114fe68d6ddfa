/**
 * Which tfjs backend really runs, on which adapter, why it fell back, and the run's meta-step plan
 * (train/strategy.ts, from the worker's 'started' event; data-* attributes for tests).
 */
import { SOFTWARE_ADAPTER_REASON, type BackendInfo } from '../../worker/protocol';

export function BackendBadge({
  backend,
  error,
  strategy = '',
}: {
  backend: BackendInfo | null;
  error: string | null;
  strategy?: string;
}) {
  if (error) {
    return (
      <span className="badge badge-error" data-testid="backend-badge" data-backend="none" title={error}>
        no backend: {error}
      </span>
    );
  }
  if (!backend) {
    return (
      <span className="badge" data-testid="backend-badge" data-backend="pending">
        starting tfjs…
      </span>
    );
  }
  const adapter = backend.adapter;
  const fellBack = backend.fallbacks.length > 0;
  const why = backend.fallbacks.map((f) => `${f.backend}: ${f.reason}`).join('\n');
  const softwareSkipped = backend.fallbacks.some((f) => f.reason === SOFTWARE_ADAPTER_REASON);
  return (
    <span
      className={`badge ${backend.name === 'webgpu' ? 'badge-gpu' : ''}`}
      data-testid="backend-badge"
      data-backend={backend.name}
      data-adapter-vendor={adapter?.vendor ?? ''}
      data-adapter-architecture={adapter?.architecture ?? ''}
      data-adapter-fallback={adapter ? String(adapter.isFallbackAdapter) : ''}
      data-fell-back={String(fellBack)}
      data-why={backend.why}
      data-strategy={strategy}
      data-wasm-kernels={backend.wasmKernels ?? ''}
      title={
        (fellBack ? `${backend.why}\n\nTried first:\n${why}` : backend.why) +
        (strategy ? `\nmeta-step: ${strategy}` : '')
      }
    >
      <strong>{backend.name}</strong>
      {adapter && (
        <>
          {' '}
          · {adapter.vendor || 'unknown vendor'} {adapter.architecture}
          {adapter.isFallbackAdapter ? ' (software adapter)' : ''}
        </>
      )}
      {backend.wasmThreads !== undefined && <> · {backend.wasmThreads} thread(s)</>}
      {backend.wasmKernels === 'simd' && <> · SIMD kernels</>}
      {backend.requested === 'auto' && backend.trials?.length ? (
        <span className="measured" data-testid="backend-trials">
          {' '}
          · auto, measured{' '}
          {backend.trials
            .map((t) => `${t.backend} ${t.stepsPerSecond === null ? 'failed' : t.stepsPerSecond.toFixed(1)}`)
            .join(' vs ')}{' '}
          steps/s
        </span>
      ) : backend.requested === 'auto' ? (
        <span className="fellback">
          {' '}
          · auto
          {softwareSkipped
            ? ': software GPU skipped'
            : fellBack
              ? `: not ${backend.fallbacks.map((f) => f.backend).join(', ')}`
              : ''}
        </span>
      ) : (
        fellBack && (
          <span className="fellback">
            {' '}
            · {backend.requested} failed, fell back ({backend.fallbacks.map((f) => f.backend).join(', ')})
          </span>
        )
      )}
    </span>
  );
}
