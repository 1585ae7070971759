import { type AppSocket } from './socket-types.js';

type Write = (packets: unknown, opts: unknown) => void;

interface Gate {
  write: Write;
  held: [unknown, unknown][];
  passing: boolean;
  /** Once released: `notification:new` with a `seq` at or below this was already sent, and is dropped. */
  floor: number | undefined;
}

const gates = new WeakMap<AppSocket, Gate>();

/** What Socket.IO writes to a socket, from its own emits and from every room broadcast alike. */
const client = (socket: AppSocket) => socket.client as unknown as { writeToEngine: Write };

const NOTIFICATION_NEW = '2["notification:new",';

/**
 * The `seq` of an encoded `notification:new` packet (type 2, EVENT), undefined for any other. A
 * notification's first keys are `id`, `userId`, `seq`, and `"seq":` cannot occur inside a JSON string,
 * so the first `"seq":` is the notification's.
 */
export function notificationSeq(packets: unknown): number | undefined {
  const encoded = Array.isArray(packets) ? (packets[0] as unknown) : packets;
  if (typeof encoded !== 'string' || !encoded.startsWith(NOTIFICATION_NEW)) return undefined;
  const at = encoded.indexOf('"seq":', NOTIFICATION_NEW.length);
  if (at < 0) return undefined;
  const seq = Number.parseInt(encoded.slice(at + 6, at + 24), 10);
  return Number.isSafeInteger(seq) ? seq : undefined;
}

/**
 * Holds back everything written to one socket (emits to it and broadcasts to its rooms, from this
 * process or from the cluster) until {@link releaseSocket}, except what {@link throughGate} sends:
 * the handshake's replay goes out first, and the live events that arose meanwhile after it, in order.
 */
export function holdSocket(socket: AppSocket): void {
  const target = client(socket);
  const write = target.writeToEngine;
  const gate: Gate = { write, held: [], passing: false, floor: undefined };
  target.writeToEngine = function (this: unknown, packets, opts) {
    if (gate.passing) return write.call(this, packets, opts);
    if (gate.floor === undefined) return void gate.held.push([packets, opts]);
    const seq = notificationSeq(packets);
    if (seq === undefined || seq > gate.floor) write.call(this, packets, opts);
  };
  gates.set(socket, gate);
}

/** Sends what `send` emits to a held socket at once (to any other socket, as usual). */
export function throughGate(socket: AppSocket, send: () => void): void {
  const gate = gates.get(socket);
  if (!gate) return send();
  gate.passing = true;
  try {
    send();
  } finally {
    gate.passing = false;
  }
}

/**
 * Stops holding: writes what was held, oldest first, but the `notification:new` with `seq <= sent`
 * (the replay gave them), and from then on drops those too, should one still arrive (its publisher
 * committed before the replay read, but its emit came later, e.g. through Redis). Answers the highest
 * `seq` among the held notifications written (0 for none).
 */
export function releaseSocket(socket: AppSocket, sent = 0): number {
  const gate = gates.get(socket);
  if (!gate) return 0;
  gate.floor = sent;
  const target = client(socket);
  if (sent <= 0) {
    gates.delete(socket);
    delete (target as Partial<typeof target>).writeToEngine;
  }
  let highest = 0;
  if (!socket.connected) return highest;
  for (const [packets, opts] of gate.held) {
    const seq = notificationSeq(packets);
    if (seq !== undefined && seq <= sent) continue;
    if (seq !== undefined) highest = Math.max(highest, seq);
    gate.write.call(target, packets, opts);
  }
  gate.held = [];
  return highest;
}
