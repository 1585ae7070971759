// Side-by-side benchmark: the gateway (@realtime/server's dist/main.js) against a bare Socket.IO
// server doing the same work (../baseline/server.mjs), started and measured alternately (bare,
// bare-jose, empty-nest, gateway, bare, ...) so that drift on the machine hits every side alike, on
// the embedded store (a data directory as `pnpm start` keeps one: created once, unmeasured, then
// reopened by each gateway run from a pristine copy) and on a fresh PostgreSQL database per gateway
// run (created and dropped here). The sides:
//   bare        the baseline checking every token with node:crypto's HMAC, uncached, as a careful
//               bare server would: the reference of the targets
//   bare-jose   the same server checking tokens through jose (WebCrypto), the bench's old reference,
//               reported as a second comparison
//   empty-nest  an empty Nest + Fastify + Socket.IO app (../empty-nest/main.mjs): idle RSS only, the
//               floor the gateway's idle RSS is judged against
// Per run: idle RSS (IDLE_SETTLE_MS after /ready, the same for every side); handshakes of every
// socket (users x 2 devices); a closed loop of POST /api/events to one user (fan-out); broadcasts to
// every socket; then, gateway only, POST /api/notifications, notification:mark_read, fan-out under a
// flooding socket and Web Push to a local push service (./lib/push-receiver.mjs). Every delivery is
// checked: a lost, duplicated or misrouted event fails the run (exit 1). Targets on the ratios
// gateway/bare (idle RSS: gateway/empty Nest) are printed with PASS/MISS and never change the exit
// code. Server CPU and RSS come from /proc (whole process tree).
//
//   pnpm bench                                  from the repository root (builds the server first)
//   node apps/bench/src/run.mjs [--smoke]       with the server already built
//
// Environment (all optional, bounded):
//   BENCH_SMOKE=1 (or --smoke)  tiny sizes, one round each side, all checks on, writes no docs
//   BENCH_CLIENTS               sockets, two per user (default 2000; smoke 40)
//   BENCH_STORES                embedded,postgres (default both; without PostgreSQL outside CI it is skipped)
//   BENCH_ROUNDS                alternating rounds per store (default 2; smoke 1)
//   BENCH_SIDES                 sides to run, in order (default bare,bare-jose,empty-nest,gateway)
//   BENCH_EVENTS                measured fan-out events (default 4000; smoke 50), twice: a fresh process's first, then the steady state
//   BENCH_FANOUT_WARMUP         warm-up events between the two (default 400; smoke 10)
//   BENCH_BROADCASTS            broadcasts in the burst (default 40; smoke 3)
//   BENCH_PUSH_USERS            gateway only: users with one push subscription each (default 500; smoke 20)
//   BENCH_PUSH_NOTIFICATIONS    gateway only: notifications pushed to them (default 2000; smoke 40)
//   BENCH_SERVER_NODE_ARGS      extra node flags for the servers, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"
//   BENCH_WORKERS=1,2           scaling mode: the gateway alone on PostgreSQL with WORKERS=N for each N
//   BENCH_REDIS_URL             passed to the gateway as REDIS_URL
//   BENCH_NO_PIN=1              do not pin with taskset
//   BENCH_DOCS=0|1              never / always write docs/benchmarks.{md,svg} (default: full default runs only)
//   BENCH_MODES=storm,cluster,groups  the modes run after the comparison, each a section of docs/benchmarks.md
//                               (default: all three on a full default run; none with --smoke, BENCH_WORKERS or
//                               other sizes; `BENCH_MODES=` none). Each also runs alone: src/storm.mjs, src/cluster.mjs,
//                               src/groups.mjs (their sizes and variables are in apps/bench/README.md)
//   BENCH_PG_ADMIN_URL          where databases are created (default postgres://postgres@127.0.0.1:5432/test)
import console from 'node:console';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import { clearTimeout, setTimeout } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, URL } from 'node:url';
import { writeDocs } from './lib/docs.mjs';
import { createFleet } from './lib/fleet.mjs';
import { createHttp } from './lib/http.mjs';
import { pin } from './lib/pinning.mjs';
import { createDatabase, databaseStats, dropDatabase, postgresProblem } from './lib/postgres.mjs';
import {
  baselineRows,
  BASELINES_HEADER,
  COMPARISON_HEADER,
  COMPARISON_NOTE,
  comparisonRows,
  FIGURES,
  GATEWAY_ONLY_HEADER,
  gatewayOnlyRows,
  GENERATOR_HEADER,
  generatorRows,
  placementWarnings,
  idleHeader,
  idleRows,
  info,
  INFO,
  INFO_HEADER,
  infoRows,
  joseComparison,
  judge,
  textTable,
} from './lib/report.mjs';
import { broadcast, fanout, handshake, markRead, notifications, underFlood } from './lib/scenarios.mjs';
import { webPush } from './lib/push.mjs';
import { startPushReceiver, vapidKeyPair } from './lib/push-receiver.mjs';
import { SIDES as SERVER_SIDES, startServer } from './lib/server.mjs';
import { mb, mean, num, round } from './lib/stats.mjs';
import { signToken } from './lib/tokens.mjs';
import { now } from './lib/wire.mjs';

const SMOKE = process.argv.includes('--smoke') || process.env.BENCH_SMOKE === '1';
const CI = Boolean(process.env.CI);

const intEnv = (name, def, min, max) => {
  const v = Number.parseInt(process.env[name] ?? '', 10);
  return Number.isFinite(v) ? Math.min(max, Math.max(min, v)) : def;
};

const IDLE_SETTLE_MS = 3000;
const CLIENTS = intEnv('BENCH_CLIENTS', SMOKE ? 40 : 2000, 2, 10_000) & ~1; // even: two devices per user
const P = {
  smoke: SMOKE,
  clients: CLIENTS,
  users: CLIENTS / 2,
  rounds: intEnv('BENCH_ROUNDS', SMOKE ? 1 : 2, 1, 10),
  // Idle RSS is read this long after /ready, the same for every side: start-up has settled by then
  // (bare, empty Nest and the gateway on PostgreSQL read the same from 1 s to 15 s), and V8's memory
  // reducer, which shrinks an idle heap at some point 8 s to over 30 s after the first full
  // collection, has not run in any side yet, so that no side is caught before it and another after it.
  idleSettleMs: SMOKE ? 300 : IDLE_SETTLE_MS,
  handshakeConcurrency: 50,
  rssSettleMs: SMOKE ? 200 : 1000,
  fanoutEvents: intEnv('BENCH_EVENTS', SMOKE ? 50 : 4000, 1, 100_000),
  fanoutWarmup: intEnv('BENCH_FANOUT_WARMUP', SMOKE ? 10 : 400, 0, 100_000),
  fanoutConcurrency: intEnv('BENCH_FANOUT_CONCURRENCY', 32, 1, 1024),
  broadcastWarmup: SMOKE ? 0 : 3,
  broadcastRounds: SMOKE ? 2 : 20,
  broadcastBurst: intEnv('BENCH_BROADCASTS', SMOKE ? 3 : 40, 1, 1000),
  broadcastBurstConcurrency: intEnv('BENCH_BROADCAST_CONCURRENCY', 4, 1, 100),
  notifications: SMOKE ? 20 : 1000,
  notificationConcurrency: 16,
  markReads: SMOKE ? 10 : 500,
  floodEvents: SMOKE ? 30 : 2000,
  markReadConcurrency: 16,
  pushUsers: intEnv('BENCH_PUSH_USERS', SMOKE ? 20 : 500, 1, 10_000),
  pushNotifications: intEnv('BENCH_PUSH_NOTIFICATIONS', SMOKE ? 40 : 2000, 1, 100_000),
  pushConcurrency: 32,
  pushRegisterConcurrency: 16,
  pushGraceMs: SMOKE ? 300 : 1500,
  scenarioCapMs: SMOKE ? 20_000 : 90_000,
};
const STORES = (process.env.BENCH_STORES ?? 'embedded,postgres')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
const SIDES = (process.env.BENCH_SIDES ?? 'bare,bare-jose,empty-nest,gateway')
  .split(',')
  .map((s) => s.trim())
  .filter((s) => Object.hasOwn(SERVER_SIDES, s));
const WORKERS = (process.env.BENCH_WORKERS ?? '')
  .split(',')
  .map((s) => Number.parseInt(s.trim(), 10))
  .filter((n) => Number.isInteger(n) && n >= 1 && n <= 64);
const WORKERS_MODE = WORKERS.length > 0;
const DEFAULT_SIZES = ![
  'BENCH_CLIENTS',
  'BENCH_ROUNDS',
  'BENCH_EVENTS',
  'BENCH_FANOUT_WARMUP',
  'BENCH_BROADCASTS',
  'BENCH_STORES',
  'BENCH_SIDES',
  'BENCH_FANOUT_CONCURRENCY',
  'BENCH_BROADCAST_CONCURRENCY',
  'BENCH_PUSH_USERS',
  'BENCH_PUSH_NOTIFICATIONS',
].some((k) => process.env[k]);
const GLOBAL_CAP_MS = SMOKE ? 110_000 : WORKERS_MODE ? 20 * 60_000 : 30 * 60_000;

/** Passed to the gateway only (BENCH_REDIS_URL). */
const GATEWAY_ENV = process.env.BENCH_REDIS_URL ? { REDIS_URL: process.env.BENCH_REDIS_URL } : {};

const RESULTS = fileURLToPath(new URL('../results/', import.meta.url));

function command() {
  const env = Object.keys(process.env)
    .filter((k) => k.startsWith('BENCH_'))
    .sort()
    .map((k) => `${k}=${process.env[k]}`);
  const fromRoot = process.env.npm_lifecycle_event === 'bench' && process.env.npm_package_name === 'realtime-gateway';
  const base = fromRoot
    ? 'pnpm bench'
    : `node apps/bench/src/run.mjs${process.argv
        .slice(2)
        .map((a) => ` ${a}`)
        .join('')}`;
  return [...env, base].join(' ');
}

function machine() {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    node: process.version,
    kernel: `${os.type()} ${os.release()} ${os.arch()}`,
    cpuModel: cpus[0]?.model?.trim() ?? 'unknown',
    cores: os.availableParallelism?.() ?? cpus.length,
    totalMemBytes: os.totalmem(),
    loadAvgAtStart: os.loadavg().map((v) => round(v, 2)),
  };
}

const perRunLine = (r) => {
  if (r.error) return `FAILED: ${r.error.split('\n')[0]}`;
  const h = r.handshake;
  const f = r.fanout;
  const b = r.broadcast;
  const parts = [`idle ${mb(r.idleRssBytes)}`];
  if (h) {
    parts.push(
      `handshake ${num(h.handshakesPerSec)}/s p99 ${num(h.latencyMs.p99)} ms ${num(h.serverCpuMsPerHandshake)} ms CPU each, ` +
        `${num(h.rssPerConnectionBytes / 1024)} KB/conn (gen ${num(h.resources.generatorCores)} cores)`,
    );
  }
  const hw = r.handshakeWarm;
  if (hw)
    parts.push(`handshake, warm process: ${num(hw.handshakesPerSec)}/s ${num(hw.serverCpuMsPerHandshake)} ms CPU each`);
  const first = r.fanoutFirst;
  if (first) {
    parts.push(
      `fan-out, first events: ${num(first.deliveriesPerSec)} deliveries/s ${num(first.serverCpuMsPerEvent)} ms CPU/event`,
    );
  }
  if (f) {
    parts.push(
      `fan-out ${num(f.deliveriesPerSec)} deliveries/s p99 ${num(f.latencyMs.p99)} ms ${num(f.serverCpuMsPerEvent)} ms CPU/event ` +
        `(server ${num(f.resources.serverCores)}, gen ${num(f.resources.generatorCores)} cores)`,
    );
  }
  if (b) {
    parts.push(
      `broadcast ${num(b.deliveriesPerSec)} deliveries/s, p50 to all ${num(b.allSocketsMs.p50)} ms ` +
        `(server ${num(b.resources.serverCores)}, gen ${num(b.resources.generatorCores)} cores)`,
    );
  }
  if (r.notifications) parts.push(`notifications ${num(r.notifications.requestsPerSec)}/s`);
  if (r.markRead) parts.push(`mark_read ${num(r.markRead.opsPerSec)}/s ack p99 ${num(r.markRead.ackMs.p99)} ms`);
  if (r.push?.delayMs) {
    parts.push(
      `web push ${num(r.push.pushesPerSec)} sends/s, 201 -> push p50 ${num(r.push.delayMs.p50)} p99 ${num(r.push.delayMs.p99)} ms, ` +
        `${num(r.push.serverCpuMsPerPush)} ms CPU/push (server ${num(r.push.resources.serverCores)}, gen ${num(r.push.resources.generatorCores)} cores)`,
    );
  }
  return parts.join('\n      ');
};

/** One server run: start, measure every scenario, stop. Never throws: failures land in `error`/`violations`. */
async function runOne({
  side,
  store,
  round: roundNo,
  env,
  cpus,
  gatewayOnly = true,
  expectProcesses = 0,
  pushReceiver = null,
}) {
  const label = `[${store} r${roundNo} ${side}]`;
  const result = { side, store, round: roundNo };
  const users = Array.from({ length: P.users }, (_, k) => `bench-u${String(k).padStart(5, '0')}`);
  let server;
  let fleet;
  let http;
  try {
    server = await startServer(side, env, { cpus });
    result.pid = server.pid;
    result.startupMs = server.startupMs;
    const tokens = new Map();
    await Promise.all(
      users.map(async (u) =>
        tokens.set(u, await signToken(server.jwtSecret, { sub: u, email: `${u}@bench.test`, role: 'user' })),
      ),
    );
    const serviceToken = await signToken(server.jwtSecret, {
      sub: 'bench-service',
      email: 'service@bench.test',
      role: 'service',
    });
    fleet = createFleet({ users, tokens });
    http = createHttp(server.baseUrl, { maxSockets: 64 });

    if (expectProcesses) {
      // A cluster's workers come up after the first /ready: wait (bounded) for all of them.
      const deadline = now() + 20_000;
      while (server.sample().processes < expectProcesses && now() < deadline) await sleep(100);
      const n = server.sample().processes;
      result.processes = n;
      if (n < expectProcesses) {
        throw new Error(
          `${env.WORKERS ? `WORKERS=${env.WORKERS}: ` : ''}expected ${expectProcesses} server processes, found ${n} ` +
            `after 20 s: the server does not seem to support WORKERS (no cluster workers were started)`,
        );
      }
      await sleep(1000); // let the last worker finish its start-up
    }
    await sleep(Math.min(1000, P.idleSettleMs));
    result.rssAfterReadyBytes = server.sample().rssBytes;
    await sleep(Math.max(0, P.idleSettleMs - 1000));
    const idle = server.sample();
    result.idleRssBytes = idle.rssBytes;
    result.processes ??= idle.processes;
    // The empty Nest app is measured idle only: it does none of the gateway's work.
    if (side !== 'empty-nest') {
      const cap = P.scenarioCapMs;
      const tag = `${store}-r${roundNo}-${side}`;

      result.handshake = await handshake({
        server,
        fleet,
        concurrency: P.handshakeConcurrency,
        capMs: cap,
        idleRssBytes: idle.rssBytes,
        settleMs: P.rssSettleMs,
      });
      if (result.handshake.connected === 0)
        throw new Error(`no socket could connect: ${JSON.stringify(result.handshake.failures)}`);

      // The first events of a fresh process pay for compiling its code (on the one core it has): shown
      // apart, and the targets judged on the steady state after them, as a long-running server is.
      const loop = {
        server,
        fleet,
        http,
        serviceToken,
        users,
        count: P.fanoutEvents,
        concurrency: P.fanoutConcurrency,
        capMs: cap,
      };
      result.fanoutFirst = await fanout({ ...loop, warmup: 0, tag: `${tag}-first` });
      result.fanout = await fanout({ ...loop, warmup: P.fanoutWarmup, tag });
      result.broadcast = await broadcast({
        server,
        fleet,
        http,
        serviceToken,
        warmupRounds: P.broadcastWarmup,
        rounds: P.broadcastRounds,
        burst: P.broadcastBurst,
        burstConcurrency: P.broadcastBurstConcurrency,
        capMs: cap,
      });
      // The same handshakes into a process that has served a while (the first sockets stay): what a
      // wave of reconnects costs once the code is compiled, next to the fresh process's figure above.
      const again = createFleet({ users, tokens });
      try {
        result.handshakeWarm = await handshake({
          server,
          fleet: again,
          concurrency: P.handshakeConcurrency,
          capMs: cap,
          idleRssBytes: idle.rssBytes,
          settleMs: P.rssSettleMs,
        });
      } finally {
        await again.closeAll();
        for (const [kind, count] of Object.entries(again.violations)) {
          for (let k = 0; k < count; k++) fleet.violation(`second wave: ${kind}`, again.violationSamples[kind]?.[k]);
        }
      }
      await sleep(P.rssSettleMs);
      if (side === 'gateway' && gatewayOnly) {
        const n = await notifications({
          server,
          fleet,
          http,
          serviceToken,
          users,
          count: P.notifications,
          concurrency: P.notificationConcurrency,
          capMs: cap,
          tag,
        });
        const { createdNotifications, ...rest } = n;
        result.notifications = rest;
        result.markRead = await markRead({
          server,
          fleet,
          created: createdNotifications,
          ops: P.markReads,
          concurrency: P.markReadConcurrency,
          capMs: cap,
        });
        result.underFlood = await underFlood({
          server,
          flooderToken: await signToken(server.jwtSecret, { sub: 'bench-flooder', role: 'user' }),
          fleet,
          http,
          serviceToken,
          users,
          count: P.floodEvents,
          warmup: 0,
          concurrency: P.fanoutConcurrency,
          capMs: cap,
          tag: `${tag}-flood`,
        });
        if (pushReceiver) {
          result.push = await webPush({
            server,
            fleet,
            http,
            receiver: pushReceiver,
            serviceToken,
            users: P.pushUsers,
            count: P.pushNotifications,
            concurrency: P.pushConcurrency,
            registerConcurrency: P.pushRegisterConcurrency,
            capMs: cap,
            graceMs: P.pushGraceMs,
            tag: `${tag}-push`,
          });
        }
      }
    }
  } catch (err) {
    result.error = err instanceof Error ? err.message : String(err);
  } finally {
    if (fleet) await fleet.closeAll();
    http?.close();
    if (server) {
      result.shutdown = await server.stop();
      result.serverLog = {
        lines: server.log.lines,
        warn: server.log.warn,
        error: server.log.error,
        notable: server.log.notable,
      };
    }
    if (fleet) {
      result.violations = fleet.violations;
      result.violationSamples = fleet.violationSamples;
      result.serverErrorEvents = fleet.serverErrors;
      result.serverErrorSamples = fleet.serverErrorSamples;
      result.unexpectedDisconnects = fleet.disconnects;
    }
  }
  const bad = Object.entries(result.violations ?? {});
  console.log(
    `${label} pid ${result.pid ?? '-'}, ready in ${result.startupMs ?? '-'} ms${result.processes > 1 ? `, ${result.processes} processes` : ''}`,
  );
  console.log(`      ${perRunLine(result)}`);
  if (bad.length) console.log(`      VIOLATIONS: ${bad.map(([k, v]) => `${k} x${v}`).join('; ')}`);
  if (result.serverErrorEvents)
    console.log(
      `      server 'error' events: ${result.serverErrorEvents} ${JSON.stringify(result.serverErrorSamples?.[0])}`,
    );
  for (const line of result.serverLog?.notable ?? []) console.log(`      server log: ${line}`);
  return result;
}

/** Runs `fn` with a fresh PostgreSQL database, dropped afterwards. */
async function withDatabase(state, fn) {
  const db = await createDatabase();
  state.activeDb = db.name;
  try {
    const result = await fn(db.url);
    result.database = await databaseStats(db.url).catch((err) => ({ error: String(err) }));
    return result;
  } finally {
    await dropDatabase(db.name).catch((err) => console.error(`could not drop ${db.name}: ${err}`));
    state.activeDb = null;
  }
}

async function storeAvailable(store) {
  if (store === 'embedded') return null;
  if (store !== 'postgres') return `unknown store ${store} in BENCH_STORES (embedded, postgres)`;
  const problem = await postgresProblem();
  if (!problem) return null;
  return CI
    ? `PostgreSQL is required in CI and did not answer: ${problem}`
    : `skipped, PostgreSQL did not answer (${problem})`;
}

/**
 * The embedded store as `pnpm start` runs it after its first start: a data directory in a temporary
 * folder, created by one unmeasured start of the gateway (PostgreSQL's initdb runs then), and a
 * pristine copy of it for each measured run. Removed when the bench exits.
 */
async function embeddedDataDirs() {
  const root = mkdtempSync(join(os.tmpdir(), 'realtime-bench-'));
  process.on('exit', () => rmSync(root, { recursive: true, force: true }));
  const template = join(root, 'template');
  const server = await startServer('gateway', { DATA_DIR: template });
  await server.stop();
  let n = 0;
  return () => {
    const dir = join(root, `run-${++n}`);
    cpSync(template, dir, { recursive: true });
    return dir;
  };
}

async function compare(meta, state) {
  const stores = {};
  let failed = false;
  // One local push service for every gateway run (each reopens it with fresh subscriptions); the
  // gateway gets its certificate, its origin and a VAPID key pair in its environment.
  const vapid = vapidKeyPair();
  const pushReceiver = SIDES.includes('gateway') ? await startPushReceiver({ vapidPublicKey: vapid.publicKey }) : null;
  const pushEnv = pushReceiver
    ? {
        ...pushReceiver.env,
        VAPID_PUBLIC_KEY: vapid.publicKey,
        VAPID_PRIVATE_KEY: vapid.privateKey,
        VAPID_SUBJECT: 'mailto:bench@bench.test',
      }
    : {};
  for (const store of STORES) {
    const problem = await storeAvailable(store);
    if (problem) {
      const fatal = store !== 'postgres' || CI;
      console.log(`\n=== ${store}: ${problem} ===`);
      stores[store] = { skipped: problem, fatal };
      if (fatal) failed = true;
      continue;
    }
    console.log(`\n=== ${store}: ${P.rounds} round(s) of ${SIDES.join(', ')} ===`);
    const dataDir = store === 'embedded' && SIDES.includes('gateway') ? await embeddedDataDirs() : null;
    const runs = [];
    for (let r = 1; r <= P.rounds; r++) {
      for (const side of SIDES) {
        let run;
        const extra = side === 'gateway' ? { ...GATEWAY_ENV, ...pushEnv } : {};
        const push = side === 'gateway' ? pushReceiver : null;
        if (store === 'embedded') {
          run = await runOne({
            side,
            store,
            round: r,
            env: side === 'gateway' ? { DATA_DIR: dataDir(), ...extra } : {},
            cpus: meta.pinning.serverCpus,
            pushReceiver: push,
          });
        } else if (side !== 'gateway')
          run = await runOne({ side, store, round: r, env: {}, cpus: meta.pinning.serverCpus });
        else {
          run = await withDatabase(state, (url) =>
            runOne({
              side,
              store,
              round: r,
              env: { DATABASE_URL: url, ...extra },
              cpus: meta.pinning.serverCpus,
              pushReceiver: push,
            }),
          ).catch((err) => ({
            side,
            store,
            round: r,
            error: `database: ${err instanceof Error ? err.message : String(err)}`,
          }));
        }
        runs.push(run);
        await sleep(SMOKE ? 100 : 1000);
      }
    }
    const figures = FIGURES.map((f) => judge(f, store, runs));
    const infos = INFO.map((f) => info(f, runs));
    stores[store] = { runs, figures, info: infos, vsJose: joseComparison(runs) };
  }
  await pushReceiver?.close();
  return { stores, failed };
}

function printComparison(meta, stores) {
  for (const [store, s] of Object.entries(stores)) {
    if (s.skipped) continue;
    const n = s.runs.filter((r) => r.side === 'bare').length;
    console.log(
      `\n${store === 'embedded' ? 'Embedded store (a data directory, reopened)' : 'PostgreSQL (fresh database per gateway run)'}: mean of ${n} alternating run(s) per side`,
    );
    for (const l of textTable(COMPARISON_HEADER, comparisonRows(s.figures))) console.log(l);
    console.log(`  ${COMPARISON_NOTE}`);
    for (const f of s.figures.filter((x) => x.note)) console.log(`  ${f.label}: n/a, ${f.note}`);
    const baselines = baselineRows(s.runs);
    if (baselines.length) {
      console.log('');
      for (const l of textTable(BASELINES_HEADER, baselines)) console.log(l);
    }
    console.log('');
    for (const l of textTable(idleHeader(P.idleSettleMs), idleRows(s.runs))) console.log(l);
    console.log('');
    for (const l of textTable(INFO_HEADER, infoRows(s.info))) console.log(l);
    console.log('');
    for (const l of textTable(GENERATOR_HEADER, generatorRows(s.runs, meta.pinning.generatorCpus))) console.log(l);
    for (const w of placementWarnings(s.runs, meta.pinning)) console.log(`  WARNING, ${w}`);
    if (s.runs.some((r) => r.notifications)) {
      console.log('');
      for (const l of textTable(GATEWAY_ONLY_HEADER, gatewayOnlyRows(s.runs))) console.log(l);
    }
  }
  console.log(`\n  ${meta.pinning.note}`);
}

/** BENCH_WORKERS: the gateway alone on PostgreSQL with WORKERS=N, scaling against N=1. */
async function scaling(meta, state) {
  const problem = await postgresProblem();
  if (problem) {
    console.log(`\nBENCH_WORKERS needs PostgreSQL, which did not answer: ${problem}`);
    return { workers: { error: problem }, failed: true };
  }
  const byN = {};
  for (let r = 1; r <= P.rounds; r++) {
    for (const n of WORKERS) {
      const run = await withDatabase(state, (url) =>
        runOne({
          side: 'gateway',
          store: `postgres WORKERS=${n}`,
          round: r,
          env: { DATABASE_URL: url, WORKERS: String(n), ...GATEWAY_ENV },
          cpus: meta.pinning.serverCpus,
          gatewayOnly: false,
          // A primary plus N workers, or a single process for N=1 if the server runs it in place.
          expectProcesses: n > 1 ? n + 1 : 1,
        }),
      ).catch((err) => ({
        side: 'gateway',
        workers: n,
        round: r,
        error: `database: ${err instanceof Error ? err.message : String(err)}`,
      }));
      (byN[n] ??= []).push(run);
      await sleep(1000);
    }
  }
  const rows = [];
  const summary = {};
  const m = (runs, f) => mean(runs.filter((x) => !x.error).map((x) => f(x) ?? null));
  for (const n of WORKERS) {
    const runs = byN[n];
    summary[n] = {
      handshakesPerSec: round(
        m(runs, (x) => x.handshake?.handshakesPerSec),
        1,
      ),
      fanoutDeliveriesPerSec: round(
        m(runs, (x) => x.fanout?.deliveriesPerSec),
        1,
      ),
      broadcastDeliveriesPerSec: round(
        m(runs, (x) => x.broadcast?.deliveriesPerSec),
        1,
      ),
      cpuMsPerHandshake: round(
        m(runs, (x) => x.handshake?.serverCpuMsPerHandshake),
        4,
      ),
      cpuMsPerEvent: round(
        m(runs, (x) => x.fanout?.serverCpuMsPerEvent),
        4,
      ),
      fanoutP99Ms: round(
        m(runs, (x) => x.fanout?.latencyMs?.p99),
        2,
      ),
      idleRssBytes: m(runs, (x) => x.idleRssBytes),
      processes: Math.max(0, ...runs.map((x) => x.processes ?? 0)),
      errors: runs.filter((x) => x.error).map((x) => x.error),
    };
  }
  const base = summary[WORKERS[0]];
  for (const n of WORKERS) {
    const s = summary[n];
    const f = (v, b) => (v != null && b ? `${(v / b).toFixed(2)}x` : '-');
    s.scaling = {
      handshakes: base.handshakesPerSec ? round(s.handshakesPerSec / base.handshakesPerSec, 3) : null,
      fanout: base.fanoutDeliveriesPerSec ? round(s.fanoutDeliveriesPerSec / base.fanoutDeliveriesPerSec, 3) : null,
    };
    rows.push([
      `WORKERS=${n}`,
      String(s.processes),
      `${num(s.handshakesPerSec)} (${f(s.handshakesPerSec, base.handshakesPerSec)})`,
      `${num(s.fanoutDeliveriesPerSec)} (${f(s.fanoutDeliveriesPerSec, base.fanoutDeliveriesPerSec)})`,
      num(s.cpuMsPerHandshake),
      num(s.cpuMsPerEvent),
      num(s.broadcastDeliveriesPerSec),
      mb(s.idleRssBytes),
    ]);
  }
  console.log(`\nGateway on PostgreSQL by WORKERS (mean of ${P.rounds} run(s); scaling vs WORKERS=${WORKERS[0]})`);
  const header = [
    '',
    'processes',
    'handshakes/s',
    'fan-out deliveries/s',
    'CPU ms/handshake',
    'CPU ms/event',
    'broadcast deliveries/s',
    'idle RSS',
  ];
  for (const l of textTable(header, rows)) console.log(l);
  console.log(`\n  ${meta.pinning.note}; CPU is the whole server process tree`);
  const all = Object.values(byN).flat();
  return { workers: { byN, summary }, failed: all.some((x) => x.error || Object.keys(x.violations ?? {}).length) };
}

/** The modes asked for (BENCH_MODES), in order: by default all of them on a full default-size run. */
function modesWanted() {
  const raw = process.env.BENCH_MODES ?? (DEFAULT_SIZES && !SMOKE && !WORKERS_MODE ? 'storm,cluster,groups' : '');
  return raw
    .split(',')
    .map((m) => m.trim())
    .filter((m) => m === 'storm' || m === 'cluster' || m === 'groups');
}

/**
 * Runs the modes after the comparison, with the same pinning: the leaderboard storm at 16,000 sockets,
 * the cost per event from 1 to 4 processes over Redis, and groups of 5,000 and 100,000 members. Each
 * gives `{ name, outcome, problems, markdown }`; a mode that throws is a problem, not the end of the run.
 */
async function runModes(meta) {
  const results = [];
  const cpus = meta.pinning.serverCpus;
  for (const name of modesWanted()) {
    console.log(`\n##### mode: ${name}`);
    try {
      if (name === 'storm') {
        const { storm, stormMarkdown } = await import('./storm.mjs');
        const outcome = await storm({ cpus });
        results.push({
          name,
          outcome,
          problems: outcome.problems,
          markdown: stormMarkdown(outcome, { command: meta.command }),
        });
      } else if (name === 'cluster') {
        const { cluster, clusterLines, clusterMarkdown } = await import('./cluster.mjs');
        const outcome = await cluster({ cpus });
        for (const l of clusterLines(outcome)) console.log(l);
        const problems = outcome.skipped && !CI ? [] : outcome.problems;
        results.push({ name, outcome, problems, markdown: clusterMarkdown(outcome, { command: meta.command }) });
      } else {
        const { groups, groupsMarkdown } = await import('./groups.mjs');
        const outcome = await groups();
        results.push({
          name,
          outcome,
          problems: outcome.problems,
          markdown: groupsMarkdown(outcome, { command: meta.command }),
        });
      }
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      console.log(`  ${name} mode failed: ${message}`);
      results.push({ name, outcome: { error: message }, problems: [message], markdown: '' });
    }
  }
  return results;
}

async function main() {
  const started = now();
  const maxWorkers = WORKERS_MODE ? Math.max(...WORKERS) : 1;
  const host = machine(); // before pinning narrows this process's view of the cores
  const pinning = pin({ serverCores: maxWorkers, disabled: Boolean(process.env.BENCH_NO_PIN) });
  const meta = { ...host, command: command(), params: P, pinning, stores: WORKERS_MODE ? ['postgres'] : STORES };
  const state = { activeDb: null };

  console.log(
    `Realtime gateway benchmark${SMOKE ? ' (smoke: correctness only, sizes too small to mean anything)' : ''}`,
  );
  console.log(
    `  ${meta.cpuModel} x ${meta.cores} cores | ${mb(meta.totalMemBytes)} | node ${meta.node} | ${meta.kernel}`,
  );
  console.log(`  load avg ${meta.loadAvgAtStart.join(' ')} (1/5/15 min) | ${pinning.note}`);
  console.log(
    WORKERS_MODE
      ? `  WORKERS scaling: ${WORKERS.join(', ')}; gateway only, PostgreSQL; ${P.clients} sockets (${P.users} users x 2)`
      : `  ${P.clients} sockets (${P.users} users x 2 devices), ${P.fanoutEvents} fan-out events (after the first ${P.fanoutEvents} and ${P.fanoutWarmup} more, ` +
          `${P.fanoutConcurrency} in flight), ${P.broadcastRounds} sequential + ${P.broadcastBurst} burst broadcasts; ` +
          `Web Push ${P.pushNotifications} notifications to ${P.pushUsers} users; stores: ${STORES.join(', ')}`,
  );
  console.log(`  command: ${meta.command}`);

  const watchdog = setTimeout(async () => {
    console.error(`\nbench: exceeded ${GLOBAL_CAP_MS / 1000} s overall; stopping`);
    if (state.activeDb) {
      await Promise.race([dropDatabase(state.activeDb).catch(() => undefined), sleep(3000)]);
    }
    process.exit(1); // the exit hook in lib/server.mjs kills every server child
  }, GLOBAL_CAP_MS);
  watchdog.unref();

  let outcome;
  if (WORKERS_MODE) outcome = await scaling(meta, state);
  else {
    outcome = await compare(meta, state);
    printComparison(meta, outcome.stores);
  }
  const modes = await runModes(meta);

  // Correctness: every run ran, and nothing was lost, duplicated or misrouted.
  const runs = WORKERS_MODE
    ? Object.values(outcome.workers.byN ?? {}).flat()
    : Object.values(outcome.stores).flatMap((s) => s.runs ?? []);
  const problems = [];
  if (outcome.workers?.error) problems.push(`WORKERS mode: ${outcome.workers.error}`);
  for (const [store, st] of Object.entries(outcome.stores ?? {}))
    if (st.fatal) problems.push(`${store}: ${st.skipped}`);
  for (const r of runs) {
    const who = `${r.store ?? `WORKERS=${r.workers}`} r${r.round} ${r.side}`;
    if (r.error) problems.push(`${who}: ${r.error.split('\n')[0]}`);
    for (const [k, v] of Object.entries(r.violations ?? {})) problems.push(`${who}: ${k} x${v}`);
  }
  for (const m of modes) for (const p of m.problems) problems.push(`${m.name} mode: ${p}`);
  const serverErrorEvents = runs.reduce((s, r) => s + (r.serverErrorEvents ?? 0), 0);
  const ok = !outcome.failed && problems.length === 0 && runs.length > 0;

  const totalMs = Math.round(now() - started);
  const loadAvgAtEnd = os.loadavg().map((v) => round(v, 2));
  const doc = {
    ...meta,
    loadAvgAtEnd,
    totalMs,
    ok,
    problems,
    serverErrorEvents,
    ...(WORKERS_MODE ? outcome : { stores: outcome.stores }),
    modes: Object.fromEntries(modes.map((m) => [m.name, m.outcome])),
  };
  mkdirSync(RESULTS, { recursive: true });
  const stamp = meta.date.replace(/[:.]/g, '-');
  const name = `${WORKERS_MODE ? 'workers' : SMOKE ? 'smoke' : 'compare'}-${stamp}.json`;
  writeFileSync(`${RESULTS}${name}`, `${JSON.stringify(doc, null, 2)}\n`);
  writeFileSync(`${RESULTS}latest.json`, `${JSON.stringify(doc, null, 2)}\n`);

  const docsWanted =
    process.env.BENCH_DOCS === '1' ||
    (process.env.BENCH_DOCS !== '0' &&
      !SMOKE &&
      !WORKERS_MODE &&
      DEFAULT_SIZES &&
      Object.values(outcome.stores).every((s) => s.runs && s.runs.every((r) => !r.error)));
  if (docsWanted && !WORKERS_MODE && !SMOKE) {
    const files = writeDocs({
      meta: { ...meta, loadAvgAtEnd, totalMs },
      stores: outcome.stores,
      ok,
      problems,
      sections: modes.map((m) => m.markdown),
    });
    console.log(`\ndocs written: ${files.join(', ')}`);
  } else if (!SMOKE && !WORKERS_MODE) {
    console.log(
      '\ndocs/benchmarks.md not written (only a full run with default sizes and every store writes it; BENCH_DOCS=1 forces it)',
    );
  }

  console.log(
    `\nbench finished in ${(totalMs / 1000).toFixed(1)} s (load avg now ${loadAvgAtEnd.join(' ')}); results in ${RESULTS}${name}`,
  );
  if (serverErrorEvents) console.log(`server 'error' events received: ${serverErrorEvents} (see the results JSON)`);
  if (ok) console.log('SUMMARY: OK, every event reached every socket it was for, once, and no other');
  else {
    console.log(`SUMMARY: FAILED (${problems.length} problem(s))`);
    for (const p of problems.slice(0, 30)) console.log(`  - ${p}`);
  }
  clearTimeout(watchdog);
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
