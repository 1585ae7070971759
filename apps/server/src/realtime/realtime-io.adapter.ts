import { type INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import cluster from 'node:cluster';
import { type IncomingMessage, type Server as HttpServer } from 'node:http';
import { type Server, type ServerOptions } from 'socket.io';
import { serveFromPrimary } from '../cluster/worker.js';
import { type AppConfig } from '../config/config.js';
import { connectionLimits } from './connection-caps.js';

/**
 * The largest Engine.IO message, and HTTP long-polling POST, a client may send. A client event is at
 * most ~8 KB (auth:refresh's token), so this is plenty, and it bounds the packets one POST carries
 * (~1,800 of the smallest) so the event budget refuses a flood before it piles up. socket.io-client
 * learns it in the handshake (`maxPayload`) and splits its POSTs below it.
 */
export const MAX_CLIENT_MESSAGE_BYTES = 64 * 1024;

/** The reason a refused Engine.IO handshake carries when the process holds all the sessions it may. */
export const SESSIONS_FULL = 'TOO_MANY_CONNECTIONS';

/** Whether other server processes share this one's sockets: over Redis, or as a WORKERS worker. */
export function isClustered(config: AppConfig): boolean {
  return Boolean(config.redisUrl) || cluster.isWorker;
}

/**
 * Whether a request's `Origin` may use this server: requests without one (non-browser clients), the
 * page's own origin (same host), and the origins in CORS_ORIGIN (null: any).
 */
export function originAllowed(origin: string | undefined, host: string | undefined, allowed: string[] | null): boolean {
  if (!origin || allowed === null) return true;
  const normalized = origin.replace(/\/$/, '');
  if (allowed.includes(normalized)) return true;
  try {
    return new URL(normalized).host === host;
  } catch {
    return false;
  }
}

/**
 * Socket.IO configured from AppConfig: path, CORS, an Origin check that also covers WebSocket
 * upgrades, the size of client messages, the connection caps (see connection-caps.ts) and the
 * adapter that makes every emit, room and fetchSockets cluster-wide: Redis with REDIS_URL, else
 * Node's cluster IPC in a WORKERS process.
 */
export class RealtimeIoAdapter extends IoAdapter {
  constructor(
    app: INestApplicationContext,
    private readonly config: AppConfig,
    /** The cluster's adapter (Redis, or Node's cluster IPC); null for a process alone. */
    private readonly clusterAdapter: Parameters<Server['adapter']>[0] | null,
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions) {
    const { corsOrigins, wsPath } = this.config;
    const caps = connectionLimits(this.config.limits);
    const merged: Partial<ServerOptions> = {
      ...options,
      path: wsPath,
      serveClient: false,
      cors: { origin: corsOrigins ?? true, credentials: true },
      maxHttpBufferSize: MAX_CLIENT_MESSAGE_BYTES,
      // Called for new sessions only. Socket.IO's cors option only sets headers; refusing here also
      // stops cross-site WebSocket hijacking. Sessions that never join (ConnectionCaps refuses them
      // with a code) may take half the HTTP reserve at most.
      allowRequest: (req: IncomingMessage, callback: (err: string | null | undefined, success: boolean) => void) => {
        if (!originAllowed(req.headers.origin, req.headers.host, corsOrigins))
          return callback('origin not allowed', false);
        if (server.engine.clientsCount >= caps.maxSessions) return callback(SESSIONS_FULL, false);
        callback(null, true);
      },
    };
    const server = super.createIOServer(port, merged as ServerOptions);
    // A WORKERS worker is handed its connections (the primary accepts them), so this is for a process alone.
    if (this.httpServer && !cluster.isWorker) (this.httpServer as HttpServer).maxConnections = caps.maxConnections;
    if (this.clusterAdapter) server.adapter(this.clusterAdapter);
    if (cluster.isWorker) serveFromPrimary(this.httpServer as HttpServer, server);
    return server;
  }

  /**
   * Nest binds a gateway's `@SubscribeMessage` handlers to each socket, and builds RxJS streams for
   * every socket even when there are none. Client events go through ClientEventRouter here, so a
   * handshake skips that work.
   */
  override bindMessageHandlers(...args: Parameters<IoAdapter['bindMessageHandlers']>): void {
    if (args[1].length > 0) super.bindMessageHandlers(...args);
  }
}
