/** A visible message box: errors in red, warnings in amber; text only (never HTML). */
import type { ReactNode } from 'react';

export function Callout({
  kind,
  children,
  onClose,
  testId,
}: {
  kind: 'error' | 'warning' | 'info';
  children: ReactNode;
  onClose?: () => void;
  testId?: string;
}) {
  return (
    <div
      className={`callout callout-${kind}`}
      role={kind === 'error' ? 'alert' : 'status'}
      data-testid={testId}
    >
      <div className="callout-body">{children}</div>
      {onClose && (
        <button type="button" className="link" onClick={onClose} aria-label="Dismiss">
          ×
        </button>
      )}
    </div>
  );
}
