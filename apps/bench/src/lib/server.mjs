// Starts a server under test as a child process (the built gateway, `@realtime/server`'s dist/main.js;
// the bare baseline, checking tokens with node:crypto or, as `bare-jose`, with jose; or the empty Nest
// app whose idle memory is the gateway's floor), optionally pinned with `taskset`, waits for GET /ready,
// samples its CPU and memory from /proc, and makes sure it never outlives the benchmark.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { clearTimeout, setTimeout } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, URL } from 'node:url';
import { createHttp } from './http.mjs';
import { sampleTree } from './procfs.mjs';

const require = createRequire(import.meta.url);

/**
 * The gateway's entry point, found through the workspace dependency on @realtime/server, unless
 * BENCH_GATEWAY_MAIN names another build (e.g. a copy of an earlier dist, for before/after figures).
 */
export function gatewayMain() {
  if (process.env.BENCH_GATEWAY_MAIN) return process.env.BENCH_GATEWAY_MAIN;
  const pkgPath = require.resolve('@realtime/server/package.json');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8'));
  return join(dirname(pkgPath), pkg.main ?? 'dist/main.js');
}

export const BASELINE_MAIN = fileURLToPath(new URL('../../baseline/server.mjs', import.meta.url));
export const EMPTY_NEST_MAIN = fileURLToPath(new URL('../../empty-nest/main.mjs', import.meta.url));

/**
 * The servers the bench can start: entry point and the environment that makes the side. `bare` and
 * `bare-jose` are the same baseline server, checking tokens with node:crypto's HMAC or with jose.
 */
export const SIDES = {
  bare: { label: 'bare', main: () => BASELINE_MAIN, env: { BASELINE_JWT: 'node-crypto' } },
  'bare-jose': { label: 'bare (jose)', main: () => BASELINE_MAIN, env: { BASELINE_JWT: 'jose' } },
  'empty-nest': { label: 'empty Nest app', main: () => EMPTY_NEST_MAIN, env: {} },
  gateway: { label: 'gateway', main: gatewayMain, env: {} },
};
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
    srv.listen({ port: 0, host: '127.0.0.1' }, () => resolve(undefined));
  });
  const { port } = /** @type {import('node:net').AddressInfo} */ (srv.address());
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

// Configuration the servers read that must not leak in from the caller's shell.
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
  'DEV_TOKENS',
  'DEV_TOKEN_TTL_SECONDS',
  'WORKERS',
  'JWT_ISSUER',
  'JWT_AUDIENCE',
  'JWT_JWKS_URL',
  'JWT_MAX_LIFETIME_SECONDS',
  'BASELINE_JWT',
  // Web Push: the bench passes its own (a local push service, its certificate, a VAPID pair).
  'VAPID_PUBLIC_KEY',
  'VAPID_PRIVATE_KEY',
  'VAPID_SUBJECT',
  'PUSH_ENDPOINT_ORIGINS',
  'PUSH_DELAY_SECONDS',
  'NODE_EXTRA_CA_CERTS',
  'FALLBACK_WEBHOOK_SECRET',
  'OFFLINE_MAX_AGE_SECONDS',
  'OFFLINE_RETRY_BASE_SECONDS',
  // Email: off in the bench's production runs unless it passes SMTP_URL itself.
  'SMTP_URL',
  'EMAIL_FROM',
  'APP_URL',
  'PUBLIC_URL',
  'EMAIL_DELAY_SECONDS',
  'EMAIL_DIGEST_WINDOW_SECONDS',
  'EMAIL_DIGEST_MAX_ITEMS',
  'EMAIL_TYPE_OPTIONS',
];

/**
 * Spawns `side` (a key of SIDES) on 127.0.0.1 with a fresh random JWT secret and `env`
 * (`{ DATA_DIR }`, `{ DATABASE_URL }`, `{ WORKERS }`, the push receiver's `NODE_EXTRA_CA_CERTS` and
 * `PUSH_ENDPOINT_ORIGINS`...), pinned to `cpus` (a taskset list) when given,
 * and waits until `GET /ready` answers 200.
 */
export async function startServer(side, env, { cpus = null, readyTimeoutMs = 60_000 } = {}) {
  const spec = SIDES[side];
  if (!spec) throw new Error(`unknown side ${side} (${Object.keys(SIDES).join(', ')})`);
  const main = spec.main();
  if (!existsSync(main)) throw new Error(`${main} is missing: build the server first (pnpm bench does)`);
  const port = await freePort();
  const jwtSecret = randomBytes(32).toString('hex');
  const childEnv = { ...process.env };
  for (const k of SERVER_VARS) delete childEnv[k];
  Object.assign(childEnv, {
    HOST: '127.0.0.1',
    PORT: String(port),
    NODE_ENV: 'production',
    JWT_SECRET: jwtSecret,
    NO_COLOR: '1',
    ...spec.env,
    ...env,
  });
  // Extra node flags for the servers only, e.g. BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof".
  const extra = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const nodeArgs = [...extra, '--import', GUARD, main];
  // taskset execs node in place: the child's pid is the server's.
  const [cmd, args] =
    cpus === null ? [process.execPath, nodeArgs] : ['taskset', ['-c', cpus, process.execPath, ...nodeArgs]];
  const started = performance.now();
  const child = spawn(cmd, args, { env: childEnv, stdio: ['pipe', 'pipe', 'pipe'] });
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
  child.once('error', (err) => {
    log.tail.push(`spawn error: ${err.message}`);
  });

  const baseUrl = `http://127.0.0.1:${port}`;
  const http = createHttp(baseUrl, { maxSockets: 2 });
  const server = {
    side,
    baseUrl,
    wsUrl: `ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`,
    port,
    pid: child.pid,
    jwtSecret,
    log,
    get exited() {
      return exitInfo;
    },
    /** CPU seconds, RSS bytes and process count of the server's process tree, now. */
    sample: () => sampleTree(child.pid),
    async stop() {
      http.close();
      if (exitInfo) return { ...exitInfo, shutdownMs: 0 };
      const t0 = performance.now();
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
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
    err.message += `\n--- ${side} log tail ---\n${log.tail.join('\n')}`;
    throw err;
  }
  server.startupMs = Math.round(performance.now() - started);
  return server;
}
