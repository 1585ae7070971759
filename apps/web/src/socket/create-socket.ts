import type { ClientToServerEvents, ServerToClientEvents } from '@realtime/contracts';
import { io, type Socket } from 'socket.io-client';

export type AppSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** What every handshake sends; read afresh on each (re)connect. */
export interface HandshakeAuth {
  token: string | null;
  /** The highest notification `seq` seen: the server replays everything after it. */
  lastSeq?: number;
}

/** The app's one socket, on this origin; it connects only when told to. */
export function createSocket(getAuth: () => HandshakeAuth): AppSocket {
  return io({
    path: '/socket.io/',
    autoConnect: false,
    // WebSocket first needs no sticky sessions in a cluster; polling stays as the fallback.
    transports: ['websocket', 'polling'],
    auth: (cb) => cb({ ...getAuth() }),
  });
}
