import { readFileSync } from 'node:fs';
import { type ExtendedError } from 'socket.io';
import { handshakeError } from '../auth/ws-jwt.middleware.js';
import { type Limits } from '../config/config.js';
import { type MetricsService } from '../metrics/metrics.service.js';
import { type AppSocket } from './socket-types.js';

/** File descriptors kept for everything but client connections: the store, Redis, logs, modules. */
const FD_RESERVE = 64;
/** Where the open-file limit cannot be read (not Linux). */
const FALLBACK_MAX_CONNECTIONS = 1024;
/** An `unlimited` open-file limit is read as this. */
const UNLIMITED_OPEN_FILES = 1_048_576;
/** The HTTP reserve: a tenth of the connections, at least 2 and at most 1000. */
const MIN_HTTP_RESERVE = 2;
const MAX_HTTP_RESERVE = 1000;

/** The soft `Max open files` of a /proc/<pid>/limits text; null when absent. */
export function parseOpenFileLimit(limitsText: string): number | null {
  const soft = /^Max open files\s+(\S+)/m.exec(limitsText)?.[1];
  if (soft === undefined) return null;
  if (soft === 'unlimited') return UNLIMITED_OPEN_FILES;
  const n = Number(soft);
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

let openFiles: number | null | undefined;

/** This process's soft open-file limit (Node raises it to the hard limit at start-up); null off Linux. */
export function openFileLimit(): number | null {
  if (openFiles === undefined) {
    try {
      openFiles = parseOpenFileLimit(readFileSync('/proc/self/limits', 'utf8'));
    } catch {
      openFiles = null;
    }
  }
  return openFiles;
}

/** The connection caps of one process, derived once from {@link Limits}. */
export interface ConnectionLimits {
  /** TCP connections the HTTP server accepts (MAX_CONNECTIONS, else 90% of the open-file limit less a reserve). */
  maxConnections: number;
  /** Sockets of this process: maxConnections less a reserve that keeps /health, /ready and publishers served. */
  maxSockets: number;
  /** Engine.IO sessions, joined or not: the sockets plus half the HTTP reserve, never all of it. */
  maxSessions: number;
  /** Sockets of one user on this process (0: no cap). */
  maxSocketsPerUser: number;
  /** Sockets from one address (0: no cap). */
  maxSocketsPerIp: number;
}

export function connectionLimits(limits: Limits, openFiles = openFileLimit()): ConnectionLimits {
  const derived = openFiles === null ? FALLBACK_MAX_CONNECTIONS : Math.floor(openFiles * 0.9) - FD_RESERVE;
  const maxConnections = limits.maxConnections || Math.max(MIN_HTTP_RESERVE + 1, derived);
  const reserve = Math.min(MAX_HTTP_RESERVE, Math.max(MIN_HTTP_RESERVE, Math.ceil(maxConnections / 10)));
  const maxSockets = Math.max(1, maxConnections - reserve);
  return {
    maxConnections,
    maxSockets,
    maxSessions: maxSockets + Math.floor(reserve / 2),
    maxSocketsPerUser: limits.maxSocketsPerUser,
    maxSocketsPerIp: limits.maxConnectionsPerIp,
  };
}

type Cap = 'sockets' | 'ip' | 'user';

/**
 * Admits a socket in the handshake, or refuses it with TOO_MANY_CONNECTIONS when this process, its
 * address or its user already holds as many sockets as allowed. The newest connection is the one
 * refused, never an older one evicted: a leaked token cannot push its owner's devices off, and a
 * connected client is never disturbed by another's arrival. (A vanished device holds its place
 * until the ping timeout ends its socket.)
 */
export class ConnectionCaps {
  private sockets = 0;
  private readonly perUser = new Map<string, number>();
  private readonly perIp = new Map<string, number>();

  constructor(
    readonly limits: ConnectionLimits,
    private readonly metrics: MetricsService,
  ) {}

  /** Socket.IO middleware; after authentication, since it counts by user. */
  readonly middleware = (socket: AppSocket, next: (err?: ExtendedError) => void): void => {
    const cap = this.full(socket);
    if (cap) {
      this.metrics.handshakeFailures.inc({ code: 'TOO_MANY_CONNECTIONS' });
      this.metrics.connectionsRefused.inc({ code: 'TOO_MANY_CONNECTIONS', cap });
      return next(handshakeError('TOO_MANY_CONNECTIONS'));
    }
    this.hold(socket);
    next();
  };

  private full(socket: AppSocket): Cap | undefined {
    const { maxSockets, maxSocketsPerIp, maxSocketsPerUser } = this.limits;
    if (this.sockets >= maxSockets) return 'sockets';
    if (maxSocketsPerIp > 0 && (this.perIp.get(socket.handshake.address) ?? 0) >= maxSocketsPerIp) return 'ip';
    if (maxSocketsPerUser > 0 && (this.perUser.get(socket.data.userId) ?? 0) >= maxSocketsPerUser) return 'user';
    return undefined;
  }

  // Released when the socket disconnects, or when its connection closes before it ever connected.
  private hold(socket: AppSocket): void {
    const ip = this.limits.maxSocketsPerIp > 0 ? socket.handshake.address : undefined;
    const user = this.limits.maxSocketsPerUser > 0 ? socket.data.userId : undefined;
    this.sockets++;
    if (ip !== undefined) add(this.perIp, ip, 1);
    if (user !== undefined) add(this.perUser, user, 1);
    let held = true;
    const release = () => {
      if (!held) return;
      held = false;
      this.sockets--;
      if (ip !== undefined) add(this.perIp, ip, -1);
      if (user !== undefined) add(this.perUser, user, -1);
      socket.conn.off('close', release);
    };
    socket.once('disconnect', release);
    socket.conn.once('close', release);
  }
}

function add(counts: Map<string, number>, key: string, delta: number): void {
  const n = (counts.get(key) ?? 0) + delta;
  if (n > 0) counts.set(key, n);
  else counts.delete(key);
}
