import { useEffect, useState } from 'react';
import type { Toast } from './toast-context.js';
import { ToastIcon } from './toast-icon.js';

const DISMISS_AFTER_MS = 5_000;
const ERROR_DISMISS_AFTER_MS = 8_000;

function ToastItem({ toast, onDismiss }: { toast: Toast; onDismiss: (id: number) => void }) {
  // Hovering or focusing a toast holds it, so it can be read or its button reached.
  const [held, setHeld] = useState(false);
  useEffect(() => {
    if (held) return;
    const timer = setTimeout(
      () => onDismiss(toast.id),
      toast.tone === 'error' ? ERROR_DISMISS_AFTER_MS : DISMISS_AFTER_MS,
    );
    return () => clearTimeout(timer);
  }, [held, toast.id, toast.tone, onDismiss]);

  return (
    <li
      className={`toast toast--${toast.tone}`}
      onMouseEnter={() => setHeld(true)}
      onMouseLeave={() => setHeld(false)}
      onFocus={() => setHeld(true)}
      onBlur={() => setHeld(false)}
    >
      <ToastIcon tone={toast.tone} emoji={toast.icon} />
      <div className="toast__body">
        <p className="toast__title">{toast.title}</p>
        {toast.message && <p className="toast__message">{toast.message}</p>}
      </div>
      <button type="button" className="icon-button toast__close" onClick={() => onDismiss(toast.id)}>
        <span aria-hidden="true">×</span>
        <span className="visually-hidden">Dismiss</span>
      </button>
    </li>
  );
}

/** Where toasts appear; screen readers hear each new one without losing their place. */
export function ToastRegion({ toasts, onDismiss }: { toasts: Toast[]; onDismiss: (id: number) => void }) {
  return (
    <section className="toast-region" aria-label="Alerts">
      <ol className="toast-list" aria-live="polite" aria-relevant="additions">
        {toasts.map((toast) => (
          <ToastItem key={toast.id} toast={toast} onDismiss={onDismiss} />
        ))}
      </ol>
    </section>
  );
}
