import { type AppSocket } from './socket-types.js';

type Write = (packets: unknown, opts: unknown) => void;

interface Gate {
  held: [unknown, unknown][];
  passing: boolean;
}

const gates = new WeakMap<AppSocket, Gate>();

/** What Socket.IO writes to a socket, from its own emits and from every room broadcast alike. */
const client = (socket: AppSocket) => socket.client as unknown as { writeToEngine: Write };

/**
 * Holds back everything written to one socket (emits to it and broadcasts to its rooms, from this
 * process or from the cluster) until {@link releaseSocket}, except what {@link throughGate} sends:
 * the handshake's replay goes out first, and the live events that arose meanwhile after it, in order.
 */
export function holdSocket(socket: AppSocket): void {
  const gate: Gate = { held: [], passing: false };
  const target = client(socket);
  const write = target.writeToEngine;
  target.writeToEngine = function (this: unknown, packets, opts) {
    if (gate.passing) write.call(this, packets, opts);
    else gate.held.push([packets, opts]);
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

/** Writes what was held, oldest first, but what `drop` picks (by its encoded form), and stops holding. */
export function releaseSocket(socket: AppSocket, drop: (encoded: string) => boolean = () => false): void {
  const gate = gates.get(socket);
  if (!gate) return;
  gates.delete(socket);
  const target = client(socket);
  delete (target as Partial<typeof target>).writeToEngine;
  if (!socket.connected) return;
  for (const [packets, opts] of gate.held) {
    const first = Array.isArray(packets) ? packets[0] : packets;
    if (typeof first === 'string' && drop(first)) continue;
    target.writeToEngine(packets, opts);
  }
}
