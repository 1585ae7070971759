import { type Server as HttpServer } from 'node:http';
import { type Socket } from 'node:net';
import { type Server as IoServer } from 'socket.io';
import { type ConnectionMessage, type LoadMessage, type SessionMessage, StickyMessage } from './sticky-balancer.js';

const LOAD_REPORT_MS = 1000;

/** Worker to primary: this worker has started and may be given connections. */
export const WORKER_READY = 'realtime:ready';

/**
 * A worker's side of the sticky balancer: serves the connections the primary hands over (the bytes
 * the primary already read first, then the socket itself), and reports its Engine.IO sessions so
 * the primary can send a session's later requests here.
 */
export function serveFromPrimary(http: HttpServer, io: IoServer): void {
  process.on('message', (message: Partial<ConnectionMessage>, handle?: Socket) => {
    if (message?.type !== StickyMessage.Connection || !handle) return;
    http.emit('connection', handle);
    handle.emit('data', Buffer.from(message.head!));
    handle.resume();
  });
  const send = (message: SessionMessage | LoadMessage) => {
    if (process.connected) process.send!(message);
  };
  // Only a long-polling session needs its later requests sent here; a WebSocket is one connection.
  io.engine.on(
    'connection',
    (session: { id: string; transport: { name: string }; once(e: 'close', fn: () => void): void }) => {
      if (session.transport.name !== 'polling') return;
      send({ type: StickyMessage.Session, sid: session.id, open: true });
      session.once('close', () => send({ type: StickyMessage.Session, sid: session.id, open: false }));
    },
  );
  setInterval(() => send({ type: StickyMessage.Load, sessions: io.engine.clientsCount }), LOAD_REPORT_MS).unref();
}

/** Tells the primary this worker is ready for connections. */
export function reportReady(): void {
  process.send?.({ type: WORKER_READY });
}
