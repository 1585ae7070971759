// Performance benchmark of the gateway: starts the built server (`dist/main.js`) as a child process on
// the embedded store and, when PostgreSQL answers, on a fresh PostgreSQL database, and measures the
// handshake, notification delivery end to end, broadcast fan-out and the mark-read round trip.
// Prints a table per scenario and store and writes bench/results/latest.json. No thresholds.
//
//   pnpm bench                      (from the repository root: builds the server, then runs this)
//   node apps/server/bench/run.mjs  (with dist/ already built)
//
// Optional, bounded: BENCH_CLIENTS (2..2000, default 1000), BENCH_NOTIFICATIONS (1..10000, default 2000),
// BENCH_STORES (comma-separated: embedded,postgres), BENCH_SERVER_NODE_ARGS (extra node flags for the
// server child, e.g. "--prof --logfile=/tmp/v8.log" to profile it).
import console from 'node:console';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import process from 'node:process';
import { clearTimeout, setTimeout } from 'node:timers';
import { fileURLToPath, URL } from 'node:url';
import { closeAll, createHub, now } from './lib/fleet.mjs';
import { createHttp } from './lib/http.mjs';
import { createDatabase, databaseStats, dropDatabase, postgresProblem } from './lib/postgres.mjs';
import { broadcast, handshake, markRead, measured, notifications, pool } from './lib/scenarios.mjs';
import { startServer } from './lib/server.mjs';
import { fmtLatency, fmtRate, mb, ms, printBlock, printTable, round } from './lib/stats.mjs';

const intEnv = (name, def, min, max) => {
  const v = Number.parseInt(process.env[name] ?? '', 10);
  return Number.isFinite(v) ? Math.min(max, Math.max(min, v)) : def;
};

const CLIENTS = intEnv('BENCH_CLIENTS', 1000, 2, 2000) & ~1; // even: two devices per user
const PARAMS = {
  clients: CLIENTS,
  users: CLIENTS / 2,
  handshakeConcurrency: 50,
  notifications: intEnv('BENCH_NOTIFICATIONS', 2000, 1, 10_000),
  notificationWarmup: 50,
  notificationConcurrency: 16,
  broadcastRounds: 30,
  broadcastBurst: 20,
  broadcastBurstConcurrency: 5,
  markReadOps: 1000,
  markReadConcurrency: 16,
  scenarioCapMs: 60_000,
};
const STORES = (process.env.BENCH_STORES ?? 'embedded,postgres').split(',').map((s) => s.trim());
// The whole run is bounded too: past this, the server children are killed and the run fails.
const GLOBAL_CAP_MS = 6 * 60_000;

const RESULTS = fileURLToPath(new URL('./results/', import.meta.url));

function header() {
  const cpus = os.cpus();
  const meta = {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpuModel: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    totalMemBytes: os.totalmem(),
    // Other work on the machine skews every number here: the load before the run says how much.
    loadAvgAtStart: os.loadavg().map((v) => round(v, 2)),
    params: PARAMS,
  };
  console.log('Realtime gateway benchmark');
  console.log(`  node ${meta.node}  |  ${meta.platform}`);
  console.log(
    `  cpu  ${meta.cpuModel}  x ${meta.cores} cores  |  memory ${mb(meta.totalMemBytes)}  |  ` +
      `load avg ${meta.loadAvgAtStart.join(' ')} (1/5/15 min)`,
  );
  console.log(
    `  load ${PARAMS.clients} websocket clients (${PARAMS.users} users x 2 devices), ` +
      `${PARAMS.notifications} notifications, ${PARAMS.broadcastRounds}+${PARAMS.broadcastBurst} broadcasts, ` +
      `${PARAMS.markReadOps} mark-reads; bench and server share the same cores`,
  );
  return meta;
}

const resourcesLine = (r) =>
  r
    ? `cpu ${r.serverCpuCores ?? '-'} cores (bench ${r.benchCpuCores ?? '-'})  rss ${mb(r.serverRssBytes)} ` +
      `(${r.serverRssDeltaBytes >= 0 ? '+' : ''}${mb(r.serverRssDeltaBytes)})  heap ${mb(r.serverHeapUsedBytes)}  ` +
      `loop lag p99 ${r.serverLoopLagP99Ms ?? '-'} ms, max ${r.serverLoopLagMaxMs ?? '-'} ms`
    : '-';

const counts = (obj) =>
  Object.keys(obj ?? {}).length
    ? Object.entries(obj)
        .map(([k, v]) => `${k} x${v}`)
        .join('; ')
    : 'none';

function printHandshake(store, h) {
  printBlock(`[${store}] 1. handshake: ${h.clients} websocket clients, concurrency ${h.concurrency}`, [
    ['connected', `${h.connected}/${h.clients}  (failed ${h.failed}: ${counts(h.failures)})`],
    ['rate', `${fmtRate(h.connectionsPerSec, 'conn/s')}  (${h.elapsedMs} ms)`],
    ['connect -> authenticated', fmtLatency(h.authenticatedMs)],
    ['connect -> unread_count', fmtLatency(h.unreadCountMs)],
    ['server', resourcesLine(h.resources)],
  ]);
}

function printNotifications(store, n) {
  printBlock(
    `[${store}] 2. notification end to end: ${n.count} POST /api/notifications, concurrency ${n.concurrency} (+${n.warmup} warm-up)`,
    [
      ['created', `${n.created}/${n.count}  (HTTP ${counts(n.statuses)}; errors ${counts(n.errors)})`],
      ['throughput', `${fmtRate(n.requestsPerSec, 'req/s')}  ${fmtRate(n.deliveriesPerSec, 'socket deliveries/s')}`],
      ['POST -> 201', fmtLatency(n.httpMs)],
      ['POST -> first device', fmtLatency(n.firstDeviceMs)],
      ['POST -> all devices', fmtLatency(n.allDevicesMs)],
      [
        'delivered',
        `${n.deliveredToAllDevices} to every device, ${n.missing} missing; pushed before the 201: ${n.pushedBeforeHttpAnswerPct}%`,
      ],
      ['server', resourcesLine(n.resources)],
    ],
  );
}

function printBroadcast(store, b) {
  printBlock(`[${store}] 3. broadcast fan-out: leaderboard:updated to all ${b.sockets} sockets`, [
    [
      'sequential',
      `${b.rounds} rounds, ${b.timedOut} incomplete (HTTP ${counts(b.statuses)}; errors ${counts(b.errors)})`,
    ],
    ['POST -> 202', fmtLatency(b.httpMs, ['p50', 'p95', 'max'])],
    ['POST -> first socket', fmtLatency(b.firstSocketMs, ['p50', 'p95', 'max'])],
    ['POST -> all sockets', fmtLatency(b.allSocketsMs, ['p50', 'p95', 'max'])],
    ['sequential deliveries', fmtRate(b.sequentialDeliveriesPerSec, 'deliveries/s')],
    [
      `burst (${b.burst.broadcasts}, conc. ${b.burst.concurrency})`,
      `${b.burst.deliveries}/${b.burst.expectedDeliveries} deliveries in ${b.burst.ms} ms = ${fmtRate(b.burst.deliveriesPerSec, 'deliveries/s')}`,
    ],
    ['server', resourcesLine(b.resources)],
  ]);
}

function printMarkRead(store, m) {
  printBlock(`[${store}] 4. mark-read over the socket: ${m.ops} emitWithAck, concurrency ${m.concurrency}`, [
    ['acked ok', `${m.acked}/${m.ops}  (failures: ${counts(m.failures)})`],
    ['throughput', fmtRate(m.opsPerSec, 'ops/s')],
    ['emit -> ack', fmtLatency(m.ackMs)],
    ['emit -> other device read', `${fmtLatency(m.otherDeviceReadMs)}  missing ${m.otherDeviceMissing}`],
    ['server', resourcesLine(m.resources)],
  ]);
}

async function mint(http, body) {
  const res = await http.request('POST', '/api/dev/token', { body });
  if (res.status !== 201 && res.status !== 200) {
    throw new Error(`POST /api/dev/token answered ${res.status}: ${JSON.stringify(res.body)}`);
  }
  return res.body.token;
}

/** One full run of the four scenarios against one server. */
async function runStore(store, storeEnv) {
  const result = { store };
  const hub = createHub();
  const clients = [];
  let http;
  const server = await startServer(storeEnv);
  const idle = await server.metrics();
  result.startupMs = server.startupMs;
  result.rssAtReadyBytes = idle?.rssBytes ?? null;
  result.heapUsedAtReadyBytes = idle?.heapUsedBytes ?? null;
  console.log(
    `\n=== ${store}: server pid ${server.pid} ready at ${server.baseUrl} in ${server.startupMs} ms ` +
      `(rss ${mb(result.rssAtReadyBytes)}, heap ${mb(result.heapUsedAtReadyBytes)}) ===`,
  );
  try {
    http = createHttp(server.baseUrl, { maxSockets: 64 });
    const users = Array.from({ length: PARAMS.users }, (_, k) => `bench-u${String(k).padStart(4, '0')}`);
    const serviceToken = await mint(http, { name: 'bench service', userId: 'bench-service', role: 'service' });
    const tokens = new Map();
    const tMint = now();
    await pool(users.length, 8, now() + PARAMS.scenarioCapMs, async (k) => {
      tokens.set(users[k], await mint(http, { name: `Bench ${k}`, userId: users[k], role: 'user' }));
    });
    if (tokens.size !== users.length) throw new Error(`minted only ${tokens.size}/${users.length} tokens`);
    result.tokenMintMs = round(now() - tMint, 0);

    // Socket i is device floor(i / users) of user i % users: the first half connects one device per user.
    const byUser = new Map(users.map((u) => [u, []]));
    for (let i = 0; i < PARAMS.clients; i++) {
      const userId = users[i % users.length];
      const client = { i, userId, device: Math.floor(i / users.length), token: tokens.get(userId), connected: false };
      clients.push(client);
      byUser.get(userId).push(client);
    }

    const cap = PARAMS.scenarioCapMs;
    result.handshake = await measured(server, () =>
      handshake({ baseUrl: server.baseUrl, hub, clients, concurrency: PARAMS.handshakeConcurrency, capMs: cap }),
    );
    printHandshake(store, result.handshake);
    if (result.handshake.connected === 0) throw new Error('no client could connect');

    const notif = await measured(server, () =>
      notifications({
        http,
        hub,
        serviceToken,
        users,
        byUser,
        count: PARAMS.notifications,
        warmup: PARAMS.notificationWarmup,
        concurrency: PARAMS.notificationConcurrency,
        capMs: cap,
      }),
    );
    const { createdNotifications, ...notifResult } = notif;
    result.notifications = notifResult;
    printNotifications(store, notif);

    result.broadcast = await measured(server, () =>
      broadcast({
        http,
        hub,
        serviceToken,
        clients,
        rounds: PARAMS.broadcastRounds,
        burst: PARAMS.broadcastBurst,
        burstConcurrency: PARAMS.broadcastBurstConcurrency,
        capMs: cap,
      }),
    );
    printBroadcast(store, result.broadcast);

    result.markRead = await measured(server, () =>
      markRead({
        hub,
        byUser,
        created: createdNotifications,
        ops: PARAMS.markReadOps,
        concurrency: PARAMS.markReadConcurrency,
        capMs: cap,
      }),
    );
    printMarkRead(store, result.markRead);

    result.socketHealth = {
      unexpectedDisconnects: hub.unexpectedDisconnects,
      disconnectReasons: hub.disconnectReasons,
      serverErrorEvents: hub.serverErrors,
    };
  } finally {
    await closeAll(clients, hub);
    http?.close();
    result.shutdown = await server.stop();
    result.serverLog = {
      lines: server.log.lines,
      warn: server.log.warn,
      error: server.log.error,
      notable: server.log.notable,
    };
    const { code, signal, shutdownMs } = result.shutdown;
    console.log(
      `\n[${store}] server stopped (exit ${code ?? signal}) in ${shutdownMs} ms; log: ${server.log.lines} lines, ` +
        `${server.log.warn} warn, ${server.log.error} error; unexpected client disconnects ${hub.unexpectedDisconnects}`,
    );
    for (const line of server.log.notable) console.log(`  server: ${line}`);
  }
  return result;
}

function printSummary(results) {
  const stores = Object.keys(results).filter((s) => !results[s].error && !results[s].skipped);
  if (stores.length === 0) return;
  const v = (s, f) => {
    try {
      const x = f(results[s]);
      return x === null || x === undefined ? '-' : String(x);
    } catch {
      return '-';
    }
  };
  const row = (label, f) => [label, ...stores.map((s) => v(s, f))];
  printTable(
    'Summary (ms unless stated)',
    ['metric', ...stores],
    [
      row('server start-up to /ready', (r) => r.startupMs),
      row('1 handshake conn/s', (r) => Math.round(r.handshake.connectionsPerSec)),
      row('1 authenticated p50 / p95 / p99', (r) => l3(r.handshake.authenticatedMs)),
      row('2 notifications req/s', (r) => Math.round(r.notifications.requestsPerSec)),
      row('2 POST -> 201 p50 / p95 / p99', (r) => l3(r.notifications.httpMs)),
      row('2 POST -> all devices p50 / p95 / p99', (r) => l3(r.notifications.allDevicesMs)),
      row('2 missing deliveries', (r) => r.notifications.missing),
      row(
        '3 broadcast all sockets p50 / p95',
        (r) => `${ms(r.broadcast.allSocketsMs.p50)} / ${ms(r.broadcast.allSocketsMs.p95)}`,
      ),
      row('3 burst deliveries/s', (r) => Math.round(r.broadcast.burst.deliveriesPerSec)),
      row('4 mark_read ack p50 / p95 / p99', (r) => l3(r.markRead.ackMs)),
      row('4 mark_read ops/s', (r) => Math.round(r.markRead.opsPerSec)),
      row('server rss at ready (MB)', (r) => Math.round(r.rssAtReadyBytes / 1048576)),
      row('server rss at end (MB)', (r) => Math.round(r.markRead.resources.serverRssBytes / 1048576)),
      row('server shutdown', (r) => r.shutdown.shutdownMs),
    ],
  );
}
const l3 = (s) => `${ms(s.p50)} / ${ms(s.p95)} / ${ms(s.p99)}`;

async function main() {
  const started = now();
  const meta = header();
  const results = {};
  let failed = false;
  let activeDb = null;

  const watchdog = setTimeout(async () => {
    console.error(`\nbench: exceeded ${GLOBAL_CAP_MS / 1000} s overall; stopping`);
    if (activeDb)
      await Promise.race([dropDatabase(activeDb).catch(() => undefined), new Promise((r) => setTimeout(r, 3000))]);
    process.exit(1); // the exit hook in lib/server.mjs kills every server child
  }, GLOBAL_CAP_MS);
  watchdog.unref();

  for (const store of STORES) {
    try {
      if (store === 'embedded') {
        results.embedded = await runStore('embedded', { DATA_DIR: 'memory://' });
      } else if (store === 'postgres') {
        const problem = await postgresProblem();
        if (problem) {
          console.log(`\n=== postgres: skipped, PostgreSQL did not answer (${problem}) ===`);
          results.postgres = { store, skipped: problem };
          continue;
        }
        const db = await createDatabase();
        activeDb = db.name;
        try {
          results.postgres = await runStore('postgres', { DATABASE_URL: db.url });
          results.postgres.database = await databaseStats(db.url).catch((err) => ({ error: String(err) }));
          const d = results.postgres.database;
          if (d.bytes)
            console.log(
              `[postgres] database ${db.name}: ${d.notifications} notifications (${d.read} read), ${mb(d.bytes)}`,
            );
        } finally {
          await dropDatabase(db.name);
          activeDb = null;
          console.log(`[postgres] dropped database ${db.name}`);
        }
      } else {
        throw new Error(`unknown store ${store} in BENCH_STORES`);
      }
    } catch (err) {
      failed = true;
      console.error(`\n[${store}] FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      results[store] = { ...(results[store] ?? {}), store, error: err instanceof Error ? err.message : String(err) };
    }
  }

  printSummary(results);
  const totalMs = Math.round(now() - started);
  mkdirSync(RESULTS, { recursive: true });
  const file = `${RESULTS}latest.json`;
  const loadAvgAtEnd = os.loadavg().map((v) => round(v, 2));
  writeFileSync(file, `${JSON.stringify({ ...meta, loadAvgAtEnd, totalMs, stores: results }, null, 2)}\n`);
  console.log(
    `\nbench finished in ${(totalMs / 1000).toFixed(1)} s (load avg now ${loadAvgAtEnd.join(' ')}); results in ${file}`,
  );
  clearTimeout(watchdog);
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
