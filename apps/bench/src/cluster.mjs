// Cluster cost: 1, 2 and 4 gateway processes (each on its own port) on one fresh PostgreSQL database and
// one Redis (a fresh REDIS_PREFIX per run), with REDIS_ADAPTER classic and/or sharded. 2,000 sockets are
// spread evenly over the processes and a closed loop of user-targeted POST /api/events goes to a process
// picked at random per event, as a load balancer would. Reported per event: the CPU of all processes
// together (from /proc; also less their idle use) and Redis's bytes in and out (INFO stats deltas less a
// quiet baseline), plus deliveries/s and the ratio N-process / 1-process (the target: within
// 1.2x from 1 to 4). Every delivery is checked; a lost, duplicated or misrouted event fails the run (exit 1).
//
// The idle baseline is measured before the warm-up, so the measured events follow it at once: a process left
// idle for seconds between the two loses some of what the warm-up gained. After the counts, one more run at
// the largest count sends each POST to the process that holds its user (a control, not judged): no event
// crosses processes, so what it costs above one process is the processes sharing the machine's cores,
// which the bench pins them to one of; what the random runs cost above it is the hop between processes.
//
// A user's two devices sit on the same process by default: that is what the adapter can exploit (an
// event for one user needs to reach one process), and what sticky routing by user gives. With them
// spread (BENCH_CLUSTER_PLACEMENT=spread) an event must reach two processes whatever the adapter does.
//
//   node apps/bench/src/cluster.mjs [--smoke]
//
// Environment (all optional, bounded):
//   BENCH_SMOKE=1 (or --smoke)   1 and 2 processes, 40 sockets, 40 events
//   BENCH_CLUSTER                process counts (default 1,2,4; smoke 1,2)
//   BENCH_REDIS_ADAPTER          classic and/or sharded (default both; sharded only where the server reads REDIS_ADAPTER)
//   BENCH_CLUSTER_SOCKETS        sockets, two per user (default 2000; smoke 40)
//   BENCH_CLUSTER_EVENTS         measured events (default 16000, some 2 s per run; smoke 40)
//   BENCH_CLUSTER_WARMUP         warm-up events PER PROCESS before measuring (default 5000; smoke 5): V8 optimizes
//                                each process's hot paths only after thousands of its own events, so a warm-up
//                                shared by N processes would leave them all cold and measure the JIT, not the cluster
//   BENCH_CLUSTER_PLACEMENT      together (default) or spread: where a user's second device connects
//   BENCH_REDIS_URL              the Redis (default redis://127.0.0.1:6379)
//   BENCH_PG_ADMIN_URL           where the database is created (default postgres://postgres@127.0.0.1:5432/test)
//   BENCH_NO_PIN=1               do not pin with taskset
//   BENCH_GATEWAY_MAIN           another build of the gateway (see lib/server.mjs)
import console from 'node:console';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { setTimeout as sleep } from 'node:timers/promises';
import { createFleet, reportViolations } from './lib/fleet.mjs';
import { createHttp } from './lib/http.mjs';
import { finishMode, intEnv, listEnv, runWhenMain, smokeFlag } from './lib/mode-env.mjs';
import { pin } from './lib/pinning.mjs';
import { createDatabase, dropDatabase, postgresProblem } from './lib/postgres.mjs';
import { DEFAULT_REDIS_URL, deleteKeys, netBytes, redisClient, redisProblem } from './lib/redis-stats.mjs';
import { fanout, pool } from './lib/scenarios.mjs';
import { gatewayMain, startServer } from './lib/server.mjs';
import { clusterLines, clusterSummary, runLine } from './lib/cluster-report.mjs';
import { round } from './lib/stats.mjs';
import { signToken } from './lib/tokens.mjs';
import { now } from './lib/wire.mjs';

export { CLUSTER_TARGET, clusterLines, clusterMarkdown, clusterSummary } from './lib/cluster-report.mjs';

const ADAPTERS = ['classic', 'sharded'];

export function clusterParams(smoke = smokeFlag()) {
  const sockets = intEnv('BENCH_CLUSTER_SOCKETS', smoke ? 40 : 2000, 2, 20_000) & ~1;
  const events = intEnv('BENCH_CLUSTER_EVENTS', smoke ? 40 : 16_000, 1, 100_000);
  const placement = process.env.BENCH_CLUSTER_PLACEMENT === 'spread' ? 'spread' : 'together';
  return {
    smoke,
    processes: listEnv('BENCH_CLUSTER', smoke ? ['1', '2'] : ['1', '2', '4'])
      .map((s) => Number.parseInt(s, 10))
      .filter((n) => Number.isInteger(n) && n >= 1 && n <= 16),
    adapters: listEnv('BENCH_REDIS_ADAPTER', ADAPTERS).filter((a) => ADAPTERS.includes(a)),
    adaptersAsked: Boolean(process.env.BENCH_REDIS_ADAPTER),
    sockets,
    events,
    warmupPerProcess: intEnv('BENCH_CLUSTER_WARMUP', smoke ? 5 : 5000, 0, 100_000),
    concurrency: 32,
    placement,
    quietMs: smoke ? 500 : 4000,
    capMs: smoke ? 30_000 : 180_000,
    redisUrl: process.env.BENCH_REDIS_URL || DEFAULT_REDIS_URL,
  };
}

/** Whether the gateway build reads REDIS_ADAPTER at all (before helper A's change it does not). */
export function serverReadsRedisAdapter(main = gatewayMain()) {
  const config = join(dirname(main), 'config', 'config.js');
  return existsSync(config) && readFileSync(config, 'utf8').includes('REDIS_ADAPTER');
}

/** A small seeded generator: which process each POST goes to. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Redis bytes in and out per second, and the servers' CPU, while nothing is published: presence
 * heartbeats, the store's pollers and other clients of the same Redis, which the per-event figures leave out.
 */
async function quietRate(redis, cluster, ms) {
  const a = await netBytes(redis);
  const c0 = cluster.sample().cpuSeconds;
  const t0 = now();
  await sleep(ms);
  const b = await netBytes(redis);
  const s = (now() - t0) / 1000;
  return {
    inPerSec: (b.inBytes - a.inBytes) / s,
    outPerSec: (b.outBytes - a.outBytes) / s,
    cpuCores: (cluster.sample().cpuSeconds - c0) / s,
  };
}

/** One cluster of `processes` gateways with `adapter`. Never throws: failures land in `error` / `problems`. */
export async function clusterRun({
  adapter,
  processes: N,
  routing = 'random',
  params: P,
  cpus = null,
  adapterSupported,
  log = console.log,
}) {
  const result = { adapter, processes: N, routing, placement: P.placement, problems: [] };
  const prefix = `bench-${randomBytes(5).toString('hex')}`;
  const users = Array.from({ length: P.sockets / 2 }, (_, k) => `cl-u${String(k).padStart(5, '0')}`);
  const userIndex = new Map(users.map((u, k) => [u, k]));
  const servers = [];
  const https = [];
  let db;
  let redis;
  let fleet;
  try {
    db = await createDatabase();
    redis = await redisClient(P.redisUrl);
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL: P.redisUrl,
      REDIS_PREFIX: prefix,
      ...(adapterSupported ? { REDIS_ADAPTER: adapter } : {}),
    };
    // The first creates the schema; the others start together once it is there.
    servers.push(await startServer('gateway', env, { cpus }));
    const jwtSecret = servers[0].jwtSecret;
    servers.push(
      ...(await Promise.all(
        Array.from({ length: N - 1 }, () => startServer('gateway', { ...env, JWT_SECRET: jwtSecret }, { cpus })),
      )),
    );
    result.pids = servers.map((s) => s.pid);
    const tokens = new Map();
    for (const u of users) tokens.set(u, await signToken(jwtSecret, { sub: u, role: 'user' }));
    const serviceToken = await signToken(jwtSecret, { sub: 'bench-service', role: 'service' });

    // Socket i is device floor(i / users) of user i % users (see lib/fleet.mjs).
    fleet = createFleet({ users, tokens });
    const home = (c) => (userIndex.get(c.userId) + (P.placement === 'spread' ? c.device : 0)) % N;
    const deadline = now() + P.capMs;
    await pool(fleet.clients.length, 50, deadline, async (k) => {
      const c = fleet.clients[k];
      try {
        await c.open(servers[home(c)].wsUrl, 15_000);
      } catch (err) {
        fleet.violation('handshake failed', `${c.userId}/${c.device}: ${err instanceof Error ? err.message : err}`);
      }
    });
    result.socketsPerProcess = servers.map((_, i) => fleet.clients.filter((c) => c.ready && home(c) === i).length);
    const connected = result.socketsPerProcess.reduce((s, v) => s + v, 0);
    if (connected < fleet.clients.length)
      throw new Error(`${fleet.clients.length - connected} sockets did not connect`);
    const [channels, shardChannels] = await Promise.all([
      redis.command('PUBSUB', 'CHANNELS', `${prefix}*`),
      redis.command('PUBSUB', 'SHARDCHANNELS', `${prefix}*`),
    ]);
    result.redisSubscriptions = { channels: channels.length, shardChannels: shardChannels.length };
    log(
      `  ${connected} sockets connected (${result.socketsPerProcess.join('/')}); warm-up, then ${P.events} events...`,
    );

    // The whole cluster as one server for the scenario: CPU and RSS summed over every process tree.
    const cluster = {
      sample() {
        const all = servers.map((s) => s.sample());
        return {
          cpuSeconds: all.reduce((s, v) => s + v.cpuSeconds, 0),
          rssBytes: all.reduce((s, v) => s + v.rssBytes, 0),
          processes: all.reduce((s, v) => s + v.processes, 0),
        };
      },
    };
    for (const s of servers) https.push(createHttp(s.baseUrl, { maxSockets: 64 }));
    const rnd = random(42);
    const posts = new Array(N).fill(0);
    let crossing = 0;
    const http = {
      request(method, path, options) {
        // The fan-out scenario posts to one user at a time; its first socket's process is the user's.
        const own = home({ userId: options.body.userIds[0], device: 0 });
        const i = routing === 'home' ? own : Math.floor(rnd() * N);
        posts[i]++;
        if (i !== own) crossing++;
        return https[i].request(method, path, options);
      },
    };
    const loop = { server: cluster, fleet, http, serviceToken, users, concurrency: P.concurrency, capMs: P.capMs };
    const before = await quietRate(redis, cluster, P.quietMs);
    await fanout({ ...loop, count: Math.max(5, P.warmupPerProcess * N), warmup: 0, tag: `${prefix}-warm` });
    posts.fill(0);
    crossing = 0;

    const cpu0 = servers.map((s) => s.sample().cpuSeconds);
    const r0 = await netBytes(redis);
    const t0 = now();
    result.fanout = await fanout({ ...loop, count: P.events, warmup: 0, tag: `${prefix}-run` });
    const r1 = await netBytes(redis);
    const wallS = (now() - t0) / 1000;
    result.cpuSecondsByProcess = servers.map((s, i) => round(s.sample().cpuSeconds - cpu0[i], 3));
    const after = await quietRate(redis, cluster, P.quietMs);
    result.postsByProcess = posts;
    result.postsToAnotherProcess = crossing;
    if (routing === 'home' && crossing > 0)
      result.problems.push(`${crossing} POSTs of the control run crossed processes`);

    const events = result.fanout.events;
    const baseIn = (before.inPerSec + after.inPerSec) / 2;
    const baseOut = (before.outPerSec + after.outPerSec) / 2;
    const idleCores = (before.cpuCores + after.cpuCores) / 2;
    result.idleCpu = { cores: [round(before.cpuCores, 3), round(after.cpuCores, 3)] };
    result.idleCpu.cpuMsPerEventLessIdle = events
      ? round(((result.cpuSecondsByProcess.reduce((t, v) => t + v, 0) - idleCores * wallS) * 1000) / events, 4)
      : null;
    result.redis = {
      quietInBytesPerSec: [round(before.inPerSec, 0), round(after.inPerSec, 0)],
      quietOutBytesPerSec: [round(before.outPerSec, 0), round(after.outPerSec, 0)],
      inBytes: r1.inBytes - r0.inBytes,
      outBytes: r1.outBytes - r0.outBytes,
      inBytesPerEvent: events ? round((r1.inBytes - r0.inBytes - baseIn * wallS) / events, 1) : null,
      outBytesPerEvent: events ? round((r1.outBytes - r0.outBytes - baseOut * wallS) / events, 1) : null,
    };
  } catch (err) {
    result.error = err instanceof Error ? err.message : String(err);
    result.problems.push(result.error.split('\n')[0]);
  } finally {
    if (fleet) await fleet.closeAll();
    for (const h of https) h.close();
    result.shutdown = await Promise.all(servers.map((s) => s.stop()));
    result.serverLog = servers.map((s) => ({ warn: s.log.warn, error: s.log.error, notable: s.log.notable }));
    if (redis) {
      result.keysDeleted = await deleteKeys(redis, prefix).catch(() => null);
      redis.close();
    }
    if (db) await dropDatabase(db.name).catch((err) => result.problems.push(`could not drop ${db.name}: ${err}`));
    if (fleet) reportViolations(fleet, result);
  }
  return result;
}

/** Every adapter x process count; with PostgreSQL or Redis missing, one skipped entry saying why. */
export async function cluster({ params = clusterParams(), cpus = null, log = console.log } = {}) {
  const missing = [await postgresProblem(), await redisProblem(params.redisUrl)];
  if (missing.some(Boolean)) {
    const why = [missing[0] && `PostgreSQL: ${missing[0]}`, missing[1] && `Redis: ${missing[1]}`]
      .filter(Boolean)
      .join('; ');
    return {
      kind: 'cluster',
      params,
      skipped: why,
      runs: [],
      notes: [],
      ok: false,
      problems: [`not measured: ${why}`],
    };
  }
  const supported = serverReadsRedisAdapter();
  const notes = [];
  const problems = [];
  let adapters = params.adapters;
  if (!supported) {
    const note =
      'the built server does not read REDIS_ADAPTER (the sharded adapter is not in it yet): ' +
      'only its default adapter was measured, as classic';
    notes.push(note);
    log(`\nNOTE: ${note}`);
    if (params.adaptersAsked && adapters.includes('sharded'))
      problems.push('BENCH_REDIS_ADAPTER=sharded asked, but the server ignores it');
    adapters = adapters.filter((a) => a === 'classic');
  }
  if (params.adapters.length === 0) problems.push('BENCH_REDIS_ADAPTER names no known adapter (classic, sharded)');
  if (params.processes.length === 0) problems.push('BENCH_CLUSTER names no process count (1 to 16)');
  const runs = [];
  const largest = Math.max(...params.processes);
  for (const adapter of adapters) {
    const plan = params.processes.map((n) => ({ processes: n, routing: 'random' }));
    if (largest > 1) plan.push({ processes: largest, routing: 'home' });
    for (const { processes: n, routing } of plan) {
      const to = routing === 'home' ? "each POST to its user's process" : 'POSTs to a process at random';
      log(`\n=== ${adapter} adapter, ${n} process(es), ${params.sockets} sockets (${params.placement}), ${to} ===`);
      const run = await clusterRun({ adapter, processes: n, routing, params, cpus, adapterSupported: supported, log });
      runs.push(run);
      log(`  ${runLine(run)}`);
      for (const p of run.problems) log(`  PROBLEM: ${p}`);
    }
  }
  for (const r of runs) for (const p of r.problems) problems.push(`${r.adapter} x${r.processes} ${r.routing}: ${p}`);
  const outcome = { kind: 'cluster', params, cpus, adapterSupported: supported, notes, runs, problems };
  outcome.summary = clusterSummary(outcome);
  outcome.ok = problems.length === 0 && runs.length > 0;
  return outcome;
}

async function main() {
  const params = clusterParams();
  const cores = os.availableParallelism(); // before pinning narrows this process's view of the cores
  // Every server on one core and the generator on the other, so that total CPU compares across counts.
  const pinning = pin({ serverCores: 1, disabled: Boolean(process.env.BENCH_NO_PIN) });
  const note = pinning.pinned ? `${pinning.note.replace('server', 'every server')}` : pinning.note;
  console.log(
    `Cluster cost per event${params.smoke ? ' (smoke: correctness only, sizes too small to mean anything)' : ''}`,
  );
  console.log(`  ${os.cpus()[0]?.model?.trim()} x ${cores} cores | node ${process.version} | ${note}`);
  const loadAvgAtStart = os.loadavg().map((v) => round(v, 2));
  console.log(`  load avg ${loadAvgAtStart.join(' ')} (1/5/15 min): other work on the machine shows in every figure`);
  const outcome = await cluster({ params, cpus: pinning.serverCpus });
  if (outcome.skipped) console.log(`\nnot measured: ${outcome.skipped}`);
  for (const l of clusterLines(outcome)) console.log(l);
  const loadAvgAtEnd = os.loadavg().map((v) => round(v, 2));
  console.log(`\n  load avg at the end ${loadAvgAtEnd.join(' ')}`);
  const doc = {
    date: new Date().toISOString(),
    cores,
    loadAvgAtStart,
    loadAvgAtEnd,
    pinning: { ...pinning, note },
    ...outcome,
  };
  console.log(`\n  ${note}; CPU is every server process tree's`);
  return finishMode('cluster', doc, outcome, 'every event reached every socket it was for, once, and no other');
}

runWhenMain(import.meta.url, main);
