import 'reflect-metadata';
import type { INestApplication, Logger } from '@nestjs/common';
import cluster from 'node:cluster';
import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { AppConfig } from './config/config.js';
import type { DrainService, DrainTimings } from './health/drain.service.js';

/**
 * Loads the application with require(), which Node (20.19+, 22.12+) answers with its synchronous
 * loader for ES modules. import() would take the asynchronous one, which makes URLs, promises and a
 * module job for each of the ~950 modules of the graph: start-up garbage that an idle server keeps
 * as ~12 MB of grown young generation and half-empty old-space pages. The modules and their
 * instances are the same either way, as the `import` statements inside them resolve packages as
 * before; what is loaded here directly is the server's own code and Nest, which ships ES modules
 * only (a package that also ships CommonJS, such as zod, would be loaded a second time).
 */
const load = createRequire(import.meta.url);

/**
 * Start-up allocates mostly objects that live on (modules, the dependency graph), and V8 answers by
 * growing the young generation, which then stays committed: ~25 MB of an idle server's memory. It
 * may not grow while the server starts, and grows as usual once it serves.
 */
function youngGenerationGrowth(allowed: boolean): void {
  setFlagsFromString(`--semi-space-growth-factor=${allowed ? 2 : 1}`);
}

/**
 * Once serving, collects what start-up left behind. Most of it is the embedded store's: creating a
 * database runs PostgreSQL's initdb in a second WebAssembly instance, ~300 MB that V8 would
 * otherwise keep until some major collection tens of seconds later.
 */
function collectStartupGarbage(): void {
  setFlagsFromString('--expose-gc');
  setTimeout(runInNewContext('gc') as () => void, 0).unref();
}

/** The process is serving: back to V8's usual heap sizing, without what start-up left behind. */
function started(): void {
  youngGenerationGrowth(true);
  collectStartupGarbage();
}

/**
 * SIGTERM or SIGINT drains the process (see DrainService), then exits 0; a drain that fails or
 * outlasts its deadline exits 1. Later signals are ignored: a WORKERS worker gets Ctrl-C's SIGINT
 * and then its primary's SIGTERM.
 */
function exitOnSignals(app: INestApplication, drain: DrainService, timings: DrainTimings, logger: Logger): void {
  let draining = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (draining) return;
    draining = true;
    logger.log(`${signal}: draining`);
    setTimeout(() => {
      logger.error(`still draining ${timings.exitDeadlineMs} ms after ${signal}: exiting anyway`);
      process.exit(1);
    }, timings.exitDeadlineMs);
    // SIGINT comes from someone at a terminal: no load balancer is waiting for /ready.
    drain.drain(app, signal === 'SIGINT' ? { ...timings, readyGraceMs: 0 } : timings).then(
      () => {
        logger.log('drained: exiting');
        process.exit(0);
      },
      (err: unknown) => {
        logger.error('drain failed', err instanceof Error ? err.stack : String(err));
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

/** One server process: alone, or as one of the workers of `WORKERS=N`. */
async function serve(config: AppConfig): Promise<void> {
  // Loaded here, so a WORKERS primary never loads the application.
  const { createApp, initWithoutListening } = load('./app.factory.js') as typeof import('./app.factory.js');
  const { Logger } = load('@nestjs/common') as typeof import('@nestjs/common');
  const { reportReady } = load('./cluster/worker.js') as typeof import('./cluster/worker.js');
  const { createLogger } = load('./logging/pino-logger.js') as typeof import('./logging/pino-logger.js');
  const { DrainService, DRAIN_TIMINGS } = load(
    './health/drain.service.js',
  ) as typeof import('./health/drain.service.js');
  const app = await createApp(config, { logger: createLogger(config.log) });
  const logger = new Logger('Bootstrap');
  // Said once, not by every worker.
  const first = (cluster.worker?.id ?? 1) === 1;
  if (config.usingDevSecret && first) {
    logger.warn('JWT_SECRET is not set: using the development secret (never do this in production)');
  } else if (config.devTokens && first) {
    logger.warn(
      'POST /api/dev/token mints any token with your JWT_SECRET: set NODE_ENV=production or DEV_TOKENS=false',
    );
  }
  if (cluster.isWorker) {
    // The primary listens and hands connections over.
    await initWithoutListening(app);
    exitOnSignals(app, app.get(DrainService), DRAIN_TIMINGS, logger);
    started();
    reportReady();
    return;
  }
  await app.listen(config.port, config.host);
  exitOnSignals(app, app.get(DrainService), DRAIN_TIMINGS, logger);
  started();
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  logger.log(`listening on http://${host}:${config.port} (socket path ${config.wsPath})`);
}

async function main(): Promise<void> {
  youngGenerationGrowth(false);
  const { loadConfig } = load('./config/config.js') as typeof import('./config/config.js');
  const config = loadConfig();
  if (config.workers > 1 && cluster.isPrimary) {
    const { runPrimary } = load('./cluster/primary.js') as typeof import('./cluster/primary.js');
    await runPrimary(config);
  } else {
    await serve(config);
  }
}

main().catch((err: unknown) => {
  // Configuration errors are the operator's to fix: one line, no stack.
  if (err instanceof Error && err.name === 'ConfigError') console.error(`error: ${err.message}`);
  else console.error(err);
  process.exit(1);
});
