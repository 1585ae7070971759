import { type INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import cluster from 'node:cluster';
import { type IncomingMessage, type Server as HttpServer } from 'node:http';
import { type Server, type ServerOptions } from 'socket.io';
import { serveFromPrimary } from '../cluster/worker.js';
import { type AppConfig } from '../config/config.js';

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
 * upgrades and the adapter that makes every emit, room and fetchSockets cluster-wide: Redis with
 * REDIS_URL, else Node's cluster IPC in a WORKERS process.
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
    const merged: Partial<ServerOptions> = {
      ...options,
      path: wsPath,
      serveClient: false,
      cors: { origin: corsOrigins ?? true, credentials: true },
      // Socket.IO's cors option only sets headers; refusing here also stops cross-site WebSocket hijacking.
      allowRequest: (req: IncomingMessage, callback: (err: string | null | undefined, success: boolean) => void) => {
        const ok = originAllowed(req.headers.origin, req.headers.host, corsOrigins);
        callback(ok ? null : 'origin not allowed', ok);
      },
    };
    const server = super.createIOServer(port, merged as ServerOptions);
    if (this.clusterAdapter) server.adapter(this.clusterAdapter);
    if (cluster.isWorker) serveFromPrimary(this.httpServer as HttpServer, server);
    return server;
  }
}
