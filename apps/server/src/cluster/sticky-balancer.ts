import cluster, { type Worker } from 'node:cluster';
import { createServer, type Server, type Socket } from 'node:net';

/** IPC messages between the primary and its workers about connections. */
export const StickyMessage = {
  /** Primary to worker: a TCP connection (the handle) and the bytes already read from it. */
  Connection: 'realtime:connection',
  /** Worker to primary: a long-polling Engine.IO session opened or closed on it. */
  Session: 'realtime:session',
  /** Worker to primary, every second: how many sessions it holds. */
  Load: 'realtime:load',
} as const;

export interface ConnectionMessage {
  type: typeof StickyMessage.Connection;
  head: Uint8Array;
}

export interface SessionMessage {
  type: typeof StickyMessage.Session;
  sid: string;
  open: boolean;
}

export interface LoadMessage {
  type: typeof StickyMessage.Load;
  sessions: number;
}

/** What Node's IPC keeps of handles sent to a worker and not yet acknowledged by it (private fields). */
interface HandleChannel {
  _pendingMessage?: { handle?: { close?: () => void } } | null;
  _handleQueue?: { handle?: { destroy?: () => void } }[] | null;
}

/**
 * Closes the connections handed to a worker that died before taking them. Node keeps a sent handle open
 * in this process until the worker acknowledges it, and one that died never does: without this, those
 * clients would hang for as long as the primary lives.
 */
function dropUnclaimedHandles(worker: Worker): void {
  const channel = worker.process as unknown as HandleChannel;
  channel._pendingMessage?.handle?.close?.();
  for (const queued of channel._handleQueue ?? []) queued.handle?.destroy?.();
}

/** The Engine.IO session id in a request line (`/socket.io/?EIO=4&transport=polling&sid=...`). */
const SID = /[?&]sid=([\w-]{20})(?:[&\s#]|$)/;

/**
 * The primary's listener: hands each TCP connection, with the bytes it already read, to one worker.
 * A request of a known long-polling Engine.IO session goes to the worker that holds that session;
 * any other connection goes to the worker with the fewest sessions (as last reported, plus the
 * connections handed to it since). WebSocket sessions cost the primary no message at all.
 *
 * Unlike `@socket.io/sticky` 2.x, a request with a body is not proxied through the primary over IPC:
 * the primary stops reading after the first chunk and the worker reads the rest from the socket
 * itself, so publishing over HTTP costs the primary one handle transfer per connection, not per byte.
 */
export class StickyBalancer {
  readonly server: Server;
  /** Long-polling session id to the worker that holds it. */
  private readonly sessions = new Map<string, number>();
  /** Per worker: sessions it last reported, and connections handed to it since. */
  private readonly load = new Map<number, { reported: number; since: number }>();
  private turn = 0;
  /** Shutting down: the workers are draining, and a connection accepted meanwhile is answered 503, not handed over. */
  private closing = false;

  constructor() {
    this.server = createServer((socket) => this.accept(socket));
    cluster.on('message', (worker, message: Partial<SessionMessage> | Partial<LoadMessage>) => {
      if (message?.type === StickyMessage.Load) {
        const load = this.load.get(worker.id);
        if (load) Object.assign(load, { reported: (message as LoadMessage).sessions, since: 0 });
      } else if (message?.type === StickyMessage.Session) {
        const { sid, open } = message as SessionMessage;
        if (open) this.sessions.set(sid, worker.id);
        else if (this.sessions.get(sid) === worker.id) this.sessions.delete(sid);
      }
    });
    cluster.on('exit', (worker) => {
      this.remove(worker);
      dropUnclaimedHandles(worker);
    });
  }

  /**
   * Stops listening. A connection accepted just before (its first bytes not read yet) is answered 503
   * instead of being handed to a worker that is draining or already gone: a handle sent to a worker
   * that exits before taking it would stay open in this process, and its client would hang.
   */
  close(): void {
    this.closing = true;
    this.server.close();
  }

  /** The worker may be given connections. */
  add(worker: Worker): void {
    if (!this.load.has(worker.id)) this.load.set(worker.id, { reported: 0, since: 0 });
  }

  /** The worker gets no more connections, and its sessions are forgotten. */
  remove(worker: Worker): void {
    this.load.delete(worker.id);
    for (const [sid, id] of this.sessions) if (id === worker.id) this.sessions.delete(sid);
  }

  private accept(socket: Socket): void {
    socket.on('error', () => socket.destroy());
    socket.once('data', (first: Buffer) => {
      // Stop reading here: whatever else the client sends stays in the kernel for the worker to read.
      socket.pause();
      (socket as Socket & { _handle?: { readStop?: () => number } })._handle?.readStop?.();
      const chunks = [first];
      for (let more: Buffer | null; (more = socket.read() as Buffer | null) !== null;) chunks.push(more);
      const head = chunks.length === 1 ? first : Buffer.concat(chunks);
      const worker = this.closing ? undefined : this.pick(head);
      if (!worker) {
        socket.end(
          'HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nRetry-After: 1\r\nContent-Length: 0\r\n\r\n',
        );
        return;
      }
      const message: ConnectionMessage = { type: StickyMessage.Connection, head };
      worker.send(message, socket, (err: Error | null) => {
        if (err) socket.destroy();
      });
    });
  }

  private pick(head: Buffer): Worker | undefined {
    const end = head.indexOf('\r\n');
    const sid = SID.exec(head.toString('latin1', 0, end === -1 ? Math.min(head.length, 8192) : end))?.[1];
    const owner = sid === undefined ? undefined : this.sessions.get(sid);
    if (owner !== undefined && this.load.has(owner)) return cluster.workers?.[owner];
    const ids = [...this.load.keys()];
    if (ids.length === 0) return undefined;
    // The fewest sessions wins; ties go round the workers in turn.
    const size = (id: number) => this.load.get(id)!.reported + this.load.get(id)!.since;
    this.turn = (this.turn + 1) % ids.length;
    let best = ids[this.turn]!;
    for (const id of ids) if (size(id) < size(best)) best = id;
    this.load.get(best)!.since++;
    return cluster.workers?.[best];
  }
}
