import { type LatestBroadcast } from '@realtime/contracts';
import { performance } from 'node:perf_hooks';
import { type AppServer, type AppSocket } from './socket-types.js';

/** Longest one slice of a broadcast keeps the event loop before other work runs. */
export const SLICE_MS = 2;

/** Packets encoded once for every socket (the adapter's own encoding, with the WebSocket frame ready). */
interface Encoded {
  packets: unknown[];
  opts: Record<string, unknown>;
  /** What engine.io's WebSocket transport checks before it sends `opts.wsPreEncodedFrame` as is. */
  framed: { options: Record<string, unknown> };
  /** The same frame as one buffer: one write per socket instead of a corked pair. */
  frame: Buffer[] | null;
}

/**
 * Socket.IO's in-memory adapter encodes a broadcast once (`_encode`, which also frames it for
 * WebSocket) and writes it to each socket (`client.writeToEngine`). Both are internal to socket.io
 * 4.x; they are reached here because a broadcast cut into slices has to do the same per socket, and
 * budgeted-broadcast.test.ts fails if either goes away. Most writes skip `writeToEngine` and hand
 * the frame to engine.io's WebSocket transport themselves (see {@link writeFrame}); the test also
 * fails if that stops happening or changes the order of a socket's packets.
 */
interface AdapterInternals {
  _encode(packet: unknown, opts: Record<string, unknown>): unknown[];
}
interface ClientInternals {
  writeToEngine(packets: unknown[], opts: Record<string, unknown>): void;
}
/** engine.io 6.x's session (`socket.conn`) and WebSocket transport, as its own flush() uses them. */
interface EngineInternals {
  readyState: string;
  upgrading: boolean;
  writeBuffer: unknown[];
  sentCallbackFn: unknown[];
  transport: {
    name: string;
    writable: boolean;
    socket?: { _sender?: { sendFrame(frame: unknown, cb: (err?: Error) => void): void } };
    _canSendPreEncodedFrame?(packet: { options: Record<string, unknown> }): boolean;
    _onSentLast: (err?: Error) => void;
  };
}

/**
 * Writes the ready WebSocket frame straight to the socket's transport when engine.io would do just
 * that now (session open, not upgrading, WebSocket transport writable, nothing queued before it):
 * the same steps as engine.io's sendPacket() + flush() + transport.send() for one packet, without
 * their per-write objects. engine.io pushes each packet into the session's `writeBuffer` and then
 * replaces that array with a new one. A session's array lives from one board to the next, so it is
 * usually promoted to the old generation; the next board's packet and the array's new backing store
 * are young objects referenced from it, and once it is dropped (dead, but in old space) the
 * remembered set still keeps them alive through the next two scavenges, which copy and then promote
 * them. With 16,000 sockets that was most of what each scavenge copied during a leaderboard storm,
 * and the cause of its 10-50 ms pauses. Returns false (the caller goes through engine.io) whenever
 * engine.io would queue the packet or frame it another way, so the order of a socket's packets
 * (other events, heartbeats, close) is engine.io's own.
 */
function writeFrame(conn: EngineInternals, { framed, frame }: Encoded): boolean {
  const transport = conn.transport;
  const sender = transport.socket?._sender;
  if (
    frame === null ||
    conn.readyState !== 'open' ||
    conn.upgrading ||
    transport.name !== 'websocket' ||
    !transport.writable ||
    conn.writeBuffer.length !== 0 ||
    !sender ||
    transport._canSendPreEncodedFrame?.(framed) !== true
  ) {
    return false;
  }
  // As flush() does: one (empty) entry per batch, which the transport's 'drain' takes off again.
  conn.sentCallbackFn.push(null);
  // As transport.send() does: not writable until the frame is written; then 'drain' and 'ready',
  // which flushes whatever engine.io queued meanwhile (a heartbeat, another event).
  transport.writable = false;
  sender.sendFrame(frame, transport._onSentLast);
  return true;
}

/** What the metrics learn of the broadcasts. */
export interface BroadcastObserver {
  /** Milliseconds one slice took. */
  spent?(ms: number): void;
  /** A value was replaced by a newer one before it was sent. */
  superseded?(): void;
}

function write(socket: AppSocket, encoded: Encoded): void {
  if (!socket.connected) return;
  try {
    if (writeFrame(socket.conn as unknown as EngineInternals, encoded)) return;
    (socket.client as unknown as ClientInternals).writeToEngine(encoded.packets, encoded.opts);
  } catch {
    // A connection closing under the write: that socket misses this value, the others do not.
  }
}

/**
 * Broadcasts the server makes by itself (the leaderboards), whose latest value is all that matters,
 * sent within a share of one core whatever the audience.
 *
 * - Latest wins per key: a value that comes while an older one of the same key waits replaces it,
 *   so a socket may skip boards but always ends with the last one.
 * - One broadcast at a time, in slices of at most {@link SLICE_MS}: between slices other work
 *   (requests, deliveries, handshakes) runs, so a 16,000-socket broadcast no longer holds the event
 *   loop for the ~250 ms it costs.
 * - Paced: after a slice of `t` ms the next starts `t * (1 - share) / share` ms later, so these
 *   broadcasts take at most `share` of the process's time however many sockets they reach. At
 *   16,000 sockets and share 0.25 a broadcast spans about a second, and the boards that changed
 *   meanwhile arrive as one.
 *
 * A broadcast reaches the sockets in the audience as it walks it: one that connects meanwhile is
 * reached too, one that left is skipped. Each process sends to its own sockets only; the cluster
 * hands each process the value (see WebSocketService.broadcastLatest).
 */
export class BudgetedBroadcast {
  private readonly waiting = new Map<string, LatestBroadcast>();
  private busy = false;

  constructor(
    private readonly io: AppServer,
    /** Of one core, in (0, 1]. */
    private readonly share: number,
    private readonly observe: BroadcastObserver = {},
    private readonly sliceMs = SLICE_MS,
  ) {}

  /** Sends `value` to this process's sockets of its audience, after the values queued before it. */
  send(key: string, value: LatestBroadcast): void {
    if (this.waiting.delete(key)) this.observe.superseded?.();
    // Re-inserted at the end: a key that keeps changing does not starve the others.
    this.waiting.set(key, value);
    if (!this.busy) this.next();
  }

  /** Whether nothing is waiting or being sent (tests, drain). */
  get idle(): boolean {
    return !this.busy && this.waiting.size === 0;
  }

  private next(): void {
    const first = this.waiting.entries().next();
    if (first.done) {
      this.busy = false;
      return;
    }
    const [key, value] = first.value;
    this.waiting.delete(key);
    this.busy = true;
    const sockets = this.audience(value.room);
    const encoded = this.encode(value);
    const slice = () => {
      const started = performance.now();
      let done = false;
      for (;;) {
        const step = sockets.next();
        if (step.done) {
          done = true;
          break;
        }
        write(step.value, encoded);
        if (performance.now() - started >= this.sliceMs) break;
      }
      const spent = performance.now() - started;
      this.observe.spent?.(spent);
      const pause = (spent * (1 - this.share)) / this.share;
      // Unref'd: a broadcast under way never holds up a process that is shutting down.
      if (done) setTimeout(() => this.next(), pause).unref();
      else if (pause < 1) setImmediate(slice).unref();
      else setTimeout(slice, pause).unref();
    };
    slice();
  }

  private *audience(room: string | null): Generator<AppSocket> {
    const nsp = this.io.of('/');
    if (room === null) {
      yield* nsp.sockets.values();
      return;
    }
    for (const id of nsp.adapter.rooms.get(room) ?? []) {
      const socket = nsp.sockets.get(id);
      if (socket) yield socket;
    }
  }

  private encode({ event, payload }: LatestBroadcast): Encoded {
    const opts: Record<string, unknown> = { preEncoded: true };
    const adapter = this.io.of('/').adapter as unknown as AdapterInternals;
    // 2 is Socket.IO's EVENT packet.
    const packets = adapter._encode({ type: 2, data: [event, payload], nsp: '/' }, opts);
    const parts = opts.wsPreEncodedFrame;
    const frame = Array.isArray(parts) && parts.every((p) => Buffer.isBuffer(p)) ? [Buffer.concat(parts)] : null;
    return { packets, opts, framed: { options: opts }, frame };
  }
}
