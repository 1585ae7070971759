// Starts the real built server (`dist/main.js`) as a child process, waits for /ready, scrapes
// /metrics, and makes sure the child never outlives the benchmark.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { clearTimeout, setTimeout } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, URL } from 'node:url';
import { createHttp } from './http.mjs';

const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));
const GUARD = new URL('./orphan-guard.mjs', import.meta.url).href;

/** Every server child still running; killed on any exit of the bench. */
const live = new Set();

function killAll(signal) {
  for (const child of live) {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

process.on('exit', () => killAll('SIGKILL'));
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    killAll('SIGKILL');
    process.exit(130);
  });
}

export async function freePort() {
  const srv = createServer();
  await new Promise((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', resolve);
  });
  const { port } = srv.address();
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

// Configuration the server reads that must not leak in from the caller's shell.
const SERVER_VARS = [
  'NODE_ENV',
  'HOST',
  'PORT',
  'WS_PORT',
  'WS_PATH',
  'JWT_SECRET',
  'CORS_ORIGIN',
  'DATABASE_URL',
  'REDIS_URL',
  'REDIS_PREFIX',
  'METRICS_TOKEN',
  'DATA_DIR',
  'FALLBACK_WEBHOOK_URL',
  'WEB_DIST_DIR',
  'DEV_TOKEN_TTL_SECONDS',
];

/**
 * Spawns `node dist/main.js` on 127.0.0.1 with a random JWT secret and the given store variables
 * (`{ DATA_DIR }` or `{ DATABASE_URL }`), and waits until `GET /ready` answers 200.
 */
export async function startServer(storeEnv, { readyTimeoutMs = 30_000 } = {}) {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run the build first (pnpm bench does)`);
  const port = await freePort();
  const env = { ...process.env };
  for (const k of SERVER_VARS) delete env[k];
  Object.assign(env, {
    HOST: '127.0.0.1',
    PORT: String(port),
    NODE_ENV: 'development',
    JWT_SECRET: randomBytes(32).toString('hex'),
    NO_COLOR: '1',
    ...storeEnv,
  });
  const started = performance.now();
  // Extra node flags for the server only, e.g. BENCH_SERVER_NODE_ARGS="--prof --logfile=/tmp/v8.log".
  const extra = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const child = spawn(process.execPath, [...extra, '--import', GUARD, MAIN], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  live.add(child);

  const log = { lines: 0, warn: 0, error: 0, notable: [], tail: [] };
  const onData = (stream) => {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) {
        if (!line.trim()) continue;
        log.lines++;
        log.tail.push(line);
        if (log.tail.length > 40) log.tail.shift();
        const level = /\b(ERROR|WARN)\b/.exec(line)?.[1] ?? (stream === child.stderr ? 'ERROR' : null);
        if (level === 'ERROR') log.error++;
        if (level === 'WARN') log.warn++;
        // The development-secret warning cannot happen (JWT_SECRET is set); anything else is worth showing.
        if (level && log.notable.length < 15) log.notable.push(line.trim());
      }
    });
  };
  onData(child.stdout);
  onData(child.stderr);

  let exitInfo = null;
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      exitInfo = { code, signal };
      resolve(exitInfo);
    });
  });

  const baseUrl = `http://127.0.0.1:${port}`;
  const http = createHttp(baseUrl, { maxSockets: 4 });
  const server = {
    baseUrl,
    pid: child.pid,
    log,
    get exited() {
      return exitInfo;
    },
    metrics: () => scrapeMetrics(http),
    async stop() {
      http.close();
      if (exitInfo) return { ...exitInfo, shutdownMs: 0 };
      const t0 = performance.now();
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 8000);
      const info = await exited;
      clearTimeout(timer);
      child.stdin.destroy();
      return { ...info, shutdownMs: Math.round(performance.now() - t0) };
    },
  };

  try {
    const deadline = performance.now() + readyTimeoutMs;
    for (;;) {
      if (exitInfo) throw new Error(`server exited during start-up (${JSON.stringify(exitInfo)})`);
      if (performance.now() > deadline) throw new Error(`GET /ready did not answer 200 within ${readyTimeoutMs} ms`);
      try {
        const res = await http.request('GET', '/ready', { timeoutMs: 2000 });
        if (res.status === 200) break;
      } catch {
        // not listening yet
      }
      await sleep(50);
    }
  } catch (err) {
    await server.stop();
    err.message += `\n--- server log tail ---\n${log.tail.join('\n')}`;
    throw err;
  }
  server.startupMs = Math.round(performance.now() - started);
  return server;
}

/** The numbers the benchmark follows in the server's Prometheus text. */
async function scrapeMetrics(http) {
  try {
    const res = await http.request('GET', '/metrics', { timeoutMs: 5000 });
    if (res.status !== 200 || typeof res.body !== 'string') return null;
    const text = res.body;
    const value = (name) => {
      const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.eE+-]+)$`, 'm').exec(text);
      return m ? Number(m[1]) : null;
    };
    return {
      at: performance.now(),
      cpuSeconds: value('process_cpu_seconds_total'),
      rssBytes: value('process_resident_memory_bytes'),
      heapUsedBytes: value('nodejs_heap_size_used_bytes'),
      connections: value('realtime_connections'),
      // prom-client resets its event-loop histogram at every scrape: this is the lag since the last one.
      loopLagP99Seconds: value('nodejs_eventloop_lag_p99_seconds'),
      loopLagMaxSeconds: value('nodejs_eventloop_lag_max_seconds'),
    };
  } catch {
    return null;
  }
}
