import { type INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import { type IncomingMessage } from 'node:http';
import { type ServerOptions } from 'socket.io';
import { type AppConfig } from '../config/config.js';
import { type RedisPair } from './redis.module.js';

/** Whether a request's `Origin` may use this server; requests without one (non-browser clients) may. */
export function originAllowed(origin: string | undefined, allowed: string[] | null): boolean {
  return !origin || allowed === null || allowed.includes(origin.replace(/\/$/, ''));
}

/**
 * Socket.IO configured from AppConfig: path, CORS, an Origin check that also covers WebSocket
 * upgrades and, with REDIS_URL, the Redis adapter that makes every emit, room and fetchSockets
 * cluster-wide.
 */
export class RealtimeIoAdapter extends IoAdapter {
  constructor(
    app: INestApplicationContext,
    private readonly config: AppConfig,
    private readonly redis: RedisPair | null,
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
        const ok = originAllowed(req.headers.origin, corsOrigins);
        callback(ok ? null : 'origin not allowed', ok);
      },
    };
    const server = super.createIOServer(port, merged as ServerOptions);
    if (this.redis)
      server.adapter(createAdapter(this.redis.pub, this.redis.sub, { key: `${this.redis.key}#socket.io` }));
    return server;
  }
}
