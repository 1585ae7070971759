import type { PushError } from '@realtime/client';
import type { PushControl } from '@realtime/react';
import { describeFailure } from '../gateway/failures.js';

/** What the device switch shows: `data-status` for tests and styles, a label, and a line of detail. */
export interface PushStatus {
  status: 'checking' | 'unsupported' | 'blocked' | 'off' | 'on' | 'working' | 'error';
  label: string;
  detail: string;
  /** Whether the switch can be used. */
  enabled: boolean;
}

const UNSUPPORTED = 'This browser cannot receive push notifications.';

// The SDK's PushError codes, in the words the page uses.
const FAILURES: Partial<Record<PushError['code'], string>> = {
  UNSUPPORTED,
  PERMISSION_DENIED: 'Notifications were not allowed.',
  NOT_CONFIGURED: 'The gateway has no Web Push configured.',
  ENDPOINT_REFUSED: "The gateway does not accept this browser's push service.",
  NETWORK_ERROR: 'The gateway cannot be reached. Try again.',
};

function explain(error: PushError): string {
  if (error.code === 'PUSH_SERVICE_ERROR') {
    const why = error.cause instanceof Error ? error.cause.message : error.message;
    return `This browser could not subscribe at its push service (${why}).`;
  }
  return FAILURES[error.code] ?? (error.httpError ? describeFailure(error.httpError) : error.message);
}

/** The switch's status for the hook's state; a browser block first, then the failure (it says why it is off). */
export function describePush({ state, error, busy }: Pick<PushControl, 'state' | 'error' | 'busy'>): PushStatus {
  if (busy)
    return { status: 'working', label: 'Working…', detail: 'Asking the browser and the gateway.', enabled: false };
  if (state === 'denied') {
    const detail = "Notifications are blocked for this site: allow them in the browser's site settings.";
    return { status: 'blocked', label: 'Blocked by the browser', detail, enabled: false };
  }
  if (state === 'unsupported')
    return { status: 'unsupported', label: 'Not available', detail: UNSUPPORTED, enabled: false };
  if (error) return { status: 'error', label: 'Error', detail: explain(error), enabled: state !== null };
  if (state === null)
    return { status: 'checking', label: 'Checking…', detail: 'Looking at this browser.', enabled: false };
  if (state === 'subscribed') {
    const detail = 'A notification shows here when no tab of yours is open.';
    return { status: 'on', label: 'On', detail, enabled: true };
  }
  return { status: 'off', label: 'Off', detail: 'Turn on to be notified here while no tab is open.', enabled: true };
}
