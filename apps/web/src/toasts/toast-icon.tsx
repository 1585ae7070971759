import type { ToastTone } from './toast-context.js';

const PATHS: Record<ToastTone, string> = {
  info: 'M12 4a5 5 0 0 0-5 5v3l-1.4 2.4a.8.8 0 0 0 .7 1.2h11.4a.8.8 0 0 0 .7-1.2L17 12V9a5 5 0 0 0-5-5Zm-2 14a2 2 0 0 0 4 0',
  success: 'M5 12.5l4.2 4.2L19 7',
  error: 'M12 7v6m0 4h.01',
  achievement: 'M8 4h8v5a4 4 0 0 1-8 0V4Zm0 2H5a3 3 0 0 0 3 4m8-4h3a3 3 0 0 1-3 4m-4 3v4m-3 3h6',
};

/** A drawn icon per tone (no emoji font needed); an emoji from the server replaces it when given. */
export function ToastIcon({ tone, emoji }: { tone: ToastTone; emoji?: string }) {
  return (
    <span className="toast__icon" aria-hidden="true">
      {emoji ?? (
        <svg viewBox="0 0 24 24" width="18" height="18">
          <path
            d={PATHS[tone]}
            fill="none"
            stroke="currentColor"
            strokeWidth="2"
            strokeLinecap="round"
            strokeLinejoin="round"
          />
        </svg>
      )}
    </span>
  );
}
