/** Which tfjs backend really runs, on which adapter, and why it fell back (data-* attributes for tests). */
import type { BackendInfo } from '../../worker/protocol';

export function BackendBadge({ backend, error }: { backend: BackendInfo | null; error: string | null }) {
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
  return (
    <span
      className={`badge ${backend.name === 'webgpu' ? 'badge-gpu' : ''}`}
      data-testid="backend-badge"
      data-backend={backend.name}
      data-adapter-vendor={adapter?.vendor ?? ''}
      data-adapter-architecture={adapter?.architecture ?? ''}
      data-adapter-fallback={adapter ? String(adapter.isFallbackAdapter) : ''}
      data-fell-back={String(fellBack)}
      title={fellBack ? `Fell back:\n${why}` : 'The first backend tried works.'}
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
      {fellBack && (
        <span className="fellback"> · fell back ({backend.fallbacks.map((f) => f.backend).join(', ')})</span>
      )}
    </span>
  );
}
