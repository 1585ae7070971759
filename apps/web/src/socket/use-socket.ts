import type { ServerEventName, ServerToClientEvents } from '@realtime/contracts';
import { createContext, useContext, useEffect, useEffectEvent } from 'react';
import type { AppSocket } from './create-socket.js';

export type ConnectionStatus = 'connecting' | 'connected' | 'reconnecting' | 'offline';

export interface SocketContextValue {
  socket: AppSocket;
  status: ConnectionStatus;
  /** Why the socket is offline, when it is. */
  error: string | null;
  /** Connects again after the socket gave up (e.g. the server was down). */
  reconnect: () => void;
}

export const SocketContext = createContext<SocketContextValue | null>(null);

/** The app's socket and its connection status. */
export function useSocket(): SocketContextValue {
  const value = useContext(SocketContext);
  if (!value) throw new Error('useSocket must be used inside <SocketProvider>');
  return value;
}

// socket.io types a listener by a conditional on the event name, which TypeScript cannot resolve for a
// generic `E`; the public signature below is what keeps callers typed.
interface UntypedListeners {
  on(event: string, listener: (payload: unknown) => void): unknown;
  off(event: string, listener: (payload: unknown) => void): unknown;
}

/**
 * Listens to one server event while the component is mounted; the payload type comes from the contract.
 * The latest `handler` is always the one called, so it need not be memoised.
 */
export function useSocketEvent<E extends ServerEventName>(event: E, handler: ServerToClientEvents[E]): void {
  const { socket } = useSocket();
  const onEvent = useEffectEvent(handler as (payload: unknown) => void);
  useEffect(() => {
    const target = socket as unknown as UntypedListeners;
    const listener = (payload: unknown) => onEvent(payload);
    target.on(event, listener);
    return () => {
      target.off(event, listener);
    };
  }, [socket, event]);
}
