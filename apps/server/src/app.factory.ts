import { type INestApplication, type LoggerService, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { routes } from '@realtime/contracts';
import cluster from 'node:cluster';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type FastifyReply } from 'fastify';
import { type Server, type ServerOptions } from 'socket.io';
import { AppModule } from './app.module.js';
import { BODY_LIMIT_BYTES, fastServerFactory, FastRoutes } from './common/fast-route.js';
import { HttpExceptionFilter } from './common/http-exception.filter.js';
import { type AppConfig } from './config/config.js';
import { DrainService } from './health/drain.service.js';
import { RealtimeIoAdapter } from './realtime/realtime-io.adapter.js';
import { REDIS, type RedisPair } from './realtime/redis.module.js';

export interface CreateAppOptions {
  logger?: LoggerService | LogLevel[] | false;
}

export { BODY_LIMIT_BYTES };

const noRouteSchemas = () => () => {
  throw new Error('Fastify route schemas are not used here: validate with the contract (parseOrThrow)');
};

/**
 * Builds the whole server (HTTP + Socket.IO) without listening; `main.ts` and the e2e tests share it.
 * HTTP runs on Fastify: on the publish routes Express and its middleware chain cost more CPU than
 * the Socket.IO emit they lead to.
 */
export async function createApp(config: AppConfig, options: CreateAppOptions = {}): Promise<INestApplication> {
  const late: { fast?: FastRoutes } = {};
  const adapter = new FastifyAdapter({
    // Node's HTTP server as Fastify would create it, whose plainest requests on the hottest route skip
    // Fastify (see common/fast-route.ts); the routes exist once the app is built, below.
    serverFactory: fastServerFactory(() => late.fast),
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
  app.enableCors({
    origin: config.corsOrigins ?? true,
    credentials: true,
    // Every method the HTTP API has (the CORS default stops at GET, HEAD and POST), and the answer
    // headers a page needs to read: when to retry, and whether a keyed request was a replay.
    methods: [...new Set(Object.values(routes).map((route) => route.method))],
    exposedHeaders: ['Retry-After', 'Idempotent-Replayed'],
  });
  late.fast = app.get(FastRoutes);
  app.useGlobalFilters(new HttpExceptionFilter());
  // No enableShutdownHooks(): main.ts drains on SIGTERM/SIGINT itself and then closes the app.
  const fastify = app.getHttpAdapter().getInstance();
  // RFC 8058 one-click unsubscribes are POSTed as multipart/form-data (or urlencoded, which Nest
  // parses): the body says nothing the link does not, so it is read (bounded) and not parsed.
  fastify.addContentTypeParser('multipart/form-data', { parseAs: 'string', bodyLimit: 4096 }, (_req, body, done) =>
    done(null, body),
  );
  const drain = app.get(DrainService);
  drain.watchRequests(fastify);
  const peers = await clusterAdapter(app.get<RedisPair | null>(REDIS));
  app.useWebSocketAdapter(new DrainableIoAdapter(app, config, peers, drain));
  // One command, one port: the built demo page is served by the gateway itself.
  if (config.webDistDir) {
    // Registered on Fastify itself: Nest's type of `setHeaders` predates @fastify/static 9, which passes the reply.
    void fastify.register(import('@fastify/static'), {
      root: config.webDistDir,
      index: 'index.html',
      cacheControl: false,
      setHeaders: webAppHeaders,
    });
  }
  return app;
}

/** Hands the Socket.IO server to the drain, which closes its sockets on SIGTERM. */
class DrainableIoAdapter extends RealtimeIoAdapter {
  constructor(
    app: INestApplication,
    config: AppConfig,
    clusterAdapter: ConstructorParameters<typeof RealtimeIoAdapter>[2],
    private readonly drain: DrainService,
  ) {
    super(app, config, clusterAdapter);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server = super.createIOServer(port, options) as Server;
    this.drain.watchSockets(server);
    return server;
  }
}

/** A Host header that is a host name or address and an optional port, safe to repeat in a header. */
const PLAIN_HOST = /^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/**
 * Headers of the demo page's files: a CSP that allows only this origin (the build has no inline
 * script or style; React sets styles through the DOM, which CSP allows; the favicon is a data: URL),
 * and revalidation of index.html so a new build is picked up at once.
 */
function webAppHeaders(reply: FastifyReply): void {
  const host = reply.request.headers.host;
  // 'self' covers ws: and wss: in CSP3, not in every browser yet.
  const sockets = host && PLAIN_HOST.test(host) ? ` ws://${host} wss://${host}` : '';
  reply.header(
    'content-security-policy',
    `default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'${sockets}; ` +
      "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  );
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'no-referrer');
  // Vite names what it puts in assets/ after a hash of the content: such a file never changes.
  const hashed = reply.request.url.startsWith('/assets/');
  reply.header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
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
