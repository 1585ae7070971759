import type { ConnectionState } from '@realtime/client';
import { useCallback, useSyncExternalStore } from 'react';
import { useRealtimeClient } from './realtime-provider.js';

/** `disconnected | connecting | connected | synced | failed`, re-rendering on each change; why it failed is `client.failure`. */
export function useConnectionState(): ConnectionState {
  const client = useRealtimeClient();
  const subscribe = useCallback((changed: () => void) => client.on('state', changed), [client]);
  const read = () => client.state;
  return useSyncExternalStore(subscribe, read, read);
}

/** The user's unread count, exact and never older than one already shown; null until the server said it. */
export function useUnreadCount(): number | null {
  const client = useRealtimeClient();
  const subscribe = useCallback(
    (changed: () => void) => {
      // A new session (another user) forgets the count without an `unreadCount` event; its state change tells.
      const off = [client.on('unreadCount', changed), client.on('state', changed)];
      return () => off.forEach((unsubscribe) => unsubscribe());
    },
    [client],
  );
  const read = () => client.unreadCount?.unreadCount ?? null;
  return useSyncExternalStore(subscribe, read, read);
}
