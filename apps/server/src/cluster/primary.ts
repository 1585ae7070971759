import { setupPrimary as relayAdapterMessages } from '@socket.io/cluster-adapter';
import cluster, { type Worker } from 'node:cluster';
import { type AppConfig } from '../config/config.js';
import { connectionLimits } from '../realtime/connection-caps.js';
import { serveClusterMetrics } from './cluster-metrics.js';
import { StickyBalancer } from './sticky-balancer.js';
import { WORKER_READY } from './worker.js';

/** How long the workers get to drain on SIGTERM before they are killed. */
const SHUTDOWN_GRACE_MS = 10_000;
/** A worker that dies is started again after this delay, doubled for each death in a row, at most 10 s. */
const RESPAWN_DELAY_MS = 250;
/** A worker that served this long before dying resets the doubling. */
const HEALTHY_UPTIME_MS = 30_000;

const log = (level: 'log' | 'warn' | 'error', message: string) =>
  console[level](`[cluster] ${process.pid} ${new Date().toISOString()} ${message}`);

/**
 * `WORKERS=N`: this process forks N workers that each run the whole server, and listens on the
 * port itself, handing each connection to a worker (see StickyBalancer). Workers share PostgreSQL,
 * and Socket.IO's cluster adapter (or Redis, with REDIS_URL) so they act as one server.
 */
export async function runPrimary(config: AppConfig): Promise<void> {
  cluster.setupPrimary({ serialization: 'advanced' });
  if (!config.redisUrl) relayAdapterMessages();
  serveClusterMetrics();
  const balancer = new StickyBalancer();
  // The primary accepts every connection, so the process-wide cap (derived from the open-file limit) is set here.
  balancer.server.maxConnections = connectionLimits(config.limits).maxConnections;
  let stopping = false;
  let deathsInARow = 0;

  const fork = (): Worker => {
    const worker = cluster.fork();
    const startedAt = Date.now();
    worker.on('message', (message: { type?: unknown }) => {
      if (message?.type === WORKER_READY) balancer.add(worker);
    });
    worker.once('exit', (code, signal) => {
      balancer.remove(worker);
      if (stopping) return;
      deathsInARow = Date.now() - startedAt > HEALTHY_UPTIME_MS ? 1 : deathsInARow + 1;
      const delay = Math.min(10_000, RESPAWN_DELAY_MS * 2 ** (deathsInARow - 1));
      log(
        'error',
        `worker ${worker.process.pid} exited (${signal ?? `code ${code}`}); starting another in ${delay} ms`,
      );
      setTimeout(() => {
        if (!stopping) fork();
      }, delay);
    });
    return worker;
  };

  // Start every worker before listening, so the first connection finds the server whole.
  const workers = Array.from({ length: config.workers }, fork);
  await Promise.all(
    workers.map(
      (w) =>
        new Promise<void>((resolve, reject) => {
          const onExit = () => reject(new Error(`worker ${w.process.pid} exited while starting`));
          w.once('exit', onExit);
          w.on('message', (m: { type?: unknown }) => {
            if (m?.type !== WORKER_READY) return;
            w.off('exit', onExit);
            resolve();
          });
        }),
    ),
  ).catch((err: unknown) => {
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
    throw err;
  });
  await new Promise<void>((resolve, reject) => {
    balancer.server.once('error', reject);
    balancer.server.listen(config.port, config.host, resolve);
  });
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  log('log', `listening on http://${host}:${config.port} with ${config.workers} workers`);

  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log('log', `${signal}: draining ${config.workers} workers`);
    balancer.close();
    const alive = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && !w.isDead());
    for (const w of alive) w.process.kill('SIGTERM');
    const timer = setTimeout(() => {
      for (const w of alive) if (!w.isDead()) w.process.kill('SIGKILL');
    }, SHUTDOWN_GRACE_MS);
    timer.unref();
    void Promise.all(alive.map((w) => new Promise((r) => (w.isDead() ? r(null) : w.once('exit', r))))).then(() => {
      clearTimeout(timer);
      process.exit(0);
    });
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}
