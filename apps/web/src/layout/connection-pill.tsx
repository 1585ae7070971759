import type { ConnectionState } from '@realtime/client';
import { useConnectionState, useRealtimeClient, useRealtimeEvent } from '@realtime/react';
import { useState } from 'react';
import { useToasts } from '../toasts/toast-context.js';

const LABEL: Record<ConnectionState, string> = {
  disconnected: 'Reconnecting…',
  connecting: 'Connecting…',
  connected: 'Catching up…',
  synced: 'Live',
  failed: 'Offline',
};

const TONE: Record<ConnectionState, 'live' | 'pending' | 'offline'> = {
  disconnected: 'pending',
  connecting: 'pending',
  connected: 'pending',
  synced: 'live',
  failed: 'offline',
};

/** The client's state, always in view: the whole demo depends on it. `synced` is live and caught up. */
export function ConnectionPill() {
  const client = useRealtimeClient();
  const state = useConnectionState();
  const { notify } = useToasts();
  const [wasLive, setWasLive] = useState(false);

  useRealtimeEvent('state', ({ to }) => {
    if (to === 'synced') setWasLive(true);
    if (to === 'failed' && client.failure)
      notify({ tone: 'error', title: 'Disconnected from the gateway', message: client.failure.message });
  });
  // Errors about one of our emits come back as its failed ack; an expired session is renewed by the SDK.
  useRealtimeEvent('error', ({ message, code, event }) => {
    if (!event && code !== 'TOKEN_EXPIRED') notify({ tone: 'error', title: 'The gateway reported an error', message });
  });

  // Before the first connection there is nothing to get back to.
  const label = state === 'disconnected' && !wasLive ? LABEL.connecting : LABEL[state];
  return (
    <div className="connection" role="status" aria-live="polite" title={client.failure?.message}>
      <span className={`connection__pill connection__pill--${TONE[state]}`} data-status={state}>
        <span className="connection__dot" aria-hidden="true" />
        <span>
          <span className="visually-hidden">Connection: </span>
          {label}
        </span>
      </span>
      {state === 'failed' && (
        <button type="button" className="link-button" onClick={() => client.connect()}>
          Retry
        </button>
      )}
    </div>
  );
}
