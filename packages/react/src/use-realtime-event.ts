import type { RealtimeEvents } from '@realtime/client';
import { useEffect, useLayoutEffect, useRef } from 'react';
import { useRealtimeClient } from './realtime-provider.js';

// Layout effects do nothing on a server and React 18 warns about them there.
const useLatestEffect = typeof document === 'undefined' ? useEffect : useLayoutEffect;

/**
 * Calls `handler` for each `event` while the component is mounted: any server event of the contract
 * (`xp:gained`, `notification:read`...) or one the SDK adds (`notification`, `state`, `unreadCount`, `resync`).
 * The latest `handler` is the one called, so a new closure on every render does not subscribe again.
 */
export function useRealtimeEvent<E extends keyof RealtimeEvents>(event: E, handler: RealtimeEvents[E]): void {
  const client = useRealtimeClient();
  const latest = useRef(handler);
  useLatestEffect(() => {
    latest.current = handler;
  });
  useEffect(() => {
    const listener = (payload: unknown) => (latest.current as (payload: unknown) => void)(payload);
    return client.on(event, listener as RealtimeEvents[E]);
  }, [client, event]);
}
