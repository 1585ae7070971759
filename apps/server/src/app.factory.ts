import { type INestApplication, type LoggerService, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import cluster from 'node:cluster';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module.js';
import { HttpExceptionFilter } from './common/http-exception.filter.js';
import { type AppConfig } from './config/config.js';
import { RealtimeIoAdapter } from './realtime/realtime-io.adapter.js';
import { REDIS, type RedisPair } from './realtime/redis.module.js';

export interface CreateAppOptions {
  logger?: LoggerService | LogLevel[] | false;
}

/** Request bodies larger than this are refused with 413. */
export const BODY_LIMIT_BYTES = 256 * 1024;

const noRouteSchemas = () => () => {
  throw new Error('Fastify route schemas are not used here: validate with the contract (parseOrThrow)');
};

/**
 * Builds the whole server (HTTP + Socket.IO) without listening; `main.ts` and the e2e tests share it.
 * HTTP runs on Fastify: on the publish routes Express and its middleware chain cost more CPU than
 * the Socket.IO emit they lead to.
 */
export async function createApp(config: AppConfig, options: CreateAppOptions = {}): Promise<INestApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    skipMiddie: true,
    // Bodies are checked by the contract's zod schemas, never by Fastify route schemas: without these
    // stand-ins Fastify would load Ajv and fast-json-stringify for nothing.
    schemaController: { compilersFactory: { buildValidator: noRouteSchemas, buildSerializer: noRouteSchemas } },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.register(config), adapter, {
    logger: options.logger ?? ['log', 'warn', 'error'],
    // Throw instead of process.abort(), so a failed start-up is reported like any other error.
    abortOnError: false,
  });
  app.enableCors({ origin: config.corsOrigins ?? true, credentials: true });
  app.useGlobalFilters(new HttpExceptionFilter());
  app.useWebSocketAdapter(new RealtimeIoAdapter(app, config, await clusterAdapter(app.get<RedisPair | null>(REDIS))));
  // One command, one port: the built demo page is served by the gateway itself.
  if (config.webDistDir) app.useStaticAssets({ root: config.webDistDir, index: 'index.html', maxAge: '1h' });
  app.enableShutdownHooks();
  return app;
}

/** How Socket.IO reaches the other processes: over Redis with REDIS_URL, else over IPC as a WORKERS worker. */
async function clusterAdapter(redis: RedisPair | null) {
  if (redis) return redis.adapter;
  if (!cluster.isWorker) return null;
  const { createAdapter } = await import('@socket.io/cluster-adapter');
  return createAdapter();
}

/** Makes the app serve connections handed to its HTTP server (a WORKERS worker) without listening itself. */
export async function initWithoutListening(app: INestApplication): Promise<void> {
  await app.init();
  // Fastify compiles its routes when it listens or is made ready.
  await (app as NestFastifyApplication).getHttpAdapter().getInstance().ready();
}
