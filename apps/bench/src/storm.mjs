// Leaderboard storm: N sockets on one gateway process while XP is awarded at 20/s to users already in
// the top 10, so the global board changes on nearly every award and goes to every socket (coalesced by
// the server). Meanwhile an unrelated user (two sockets, in a worker thread: ./lib/storm-probe.mjs) gets
// an open loop of POST /api/events and GET /health is sampled, first in a quiet phase, then during the
// storm. Reported: the probe's POST -> delivered p50/p99 and /health p99, quiet vs storm (target: storm
// p99 within 2x of quiet), server CPU, boards per socket per second, and whether every socket ends with
// the final board (GET /api/leaderboard). A socket without the final board, or any lost, duplicated or
// misrouted event, fails the run (exit 1); a 503 (the server says it is overloaded) is counted and shown,
// and targets never change the exit code.
//
//   node apps/bench/src/storm.mjs [--smoke]
//
// Environment (all optional, bounded):
//   BENCH_SMOKE=1 (or --smoke)  200 sockets, about 1.3 s quiet, 4 s storm
//   BENCH_STORM_SOCKETS         crowd sockets, two per user (default 16000; smoke 200)
//   BENCH_STORM_SECONDS         storm length (default 30; smoke 4); the quiet phase is a third of it, at most 10 s
//   BENCH_STORES                embedded (default) and/or postgres, one run each
//   BENCH_NO_PIN=1              do not pin with taskset
//   BENCH_GATEWAY_MAIN          another build of the gateway (see lib/server.mjs)
import console from 'node:console';
import os from 'node:os';
import process from 'node:process';
import { setTimeout as sleep } from 'node:timers/promises';
import { URL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { createFleet, reportViolations } from './lib/fleet.mjs';
import { createHttp } from './lib/http.mjs';
import { finishMode, freshStore, intEnv, listEnv, runWhenMain, smokeFlag } from './lib/mode-env.mjs';
import { pin } from './lib/pinning.mjs';
import { postgresProblem } from './lib/postgres.mjs';
import { handshake, meter } from './lib/scenarios.mjs';
import { startServer } from './lib/server.mjs';
import { num, round, summarize } from './lib/stats.mjs';
import { stormLines } from './lib/storm-report.mjs';
import { signToken } from './lib/tokens.mjs';
import { now } from './lib/wire.mjs';

export { STORM_P99_TARGET, stormLines, stormMarkdown } from './lib/storm-report.mjs';

const TOP_USERS = Array.from({ length: 10 }, (_, k) => `storm-top-${k}`);
const PROBE_USER = 'storm-probe';

/** Sizes from the environment (or smoke defaults); every field can be overridden by the caller. */
export function stormParams(smoke = smokeFlag()) {
  const stormMs = intEnv('BENCH_STORM_SECONDS', smoke ? 4 : 30, 1, 600) * 1000;
  const sockets = intEnv('BENCH_STORM_SOCKETS', smoke ? 200 : 16_000, 2, 60_000) & ~1;
  return {
    smoke,
    sockets,
    stormMs,
    quietMs: Math.min(10_000, Math.max(1000, Math.round(stormMs / 3))),
    awardsPerSec: 20,
    probeEventsPerSec: 20,
    healthPerSec: 10,
    handshakeConcurrency: 50,
    handshakeCapMs: 60_000 + sockets * 10,
    settleCapMs: 15_000,
    calmCapMs: smoke ? 5000 : 30_000,
    stores: listEnv('BENCH_STORES', ['embedded']),
  };
}

/** A small seeded generator, so two runs award the same users the same amounts. */
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

/** A board as comparable text: the fields a client shows, in order. */
const boardKey = (leaderboard) =>
  JSON.stringify(
    (Array.isArray(leaderboard) ? leaderboard : []).map((e) => [e.userId, e.displayName ?? null, e.xp, e.position]),
  );
const xpSum = (leaderboard) =>
  (Array.isArray(leaderboard) ? leaderboard : []).reduce((s, e) => s + (Number(e.xp) || 0), 0);

function startProbe(server, tokens) {
  const worker = new Worker(new URL('./lib/storm-probe.mjs', import.meta.url), {
    workerData: {
      baseUrl: server.baseUrl,
      wsUrl: server.wsUrl,
      userId: PROBE_USER,
      token: tokens.probe,
      serviceToken: tokens.service,
      eventsPerSec: 20,
      healthPerSec: 10,
      graceMs: 5000,
    },
  });
  const next = () =>
    new Promise((resolve, reject) => {
      const onMessage = (msg) => {
        worker.off('error', onError);
        if (msg.error) reject(new Error(msg.error));
        else resolve(msg);
      };
      const onError = (err) => {
        worker.off('message', onMessage);
        reject(err);
      };
      worker.once('message', onMessage);
      worker.once('error', onError);
    });
  return {
    ready: next(),
    phase: (phase) => worker.postMessage({ phase }),
    async finish() {
      const done = next();
      worker.postMessage({ finish: true });
      const { results } = await done;
      await worker.terminate();
      return results;
    },
    terminate: () => worker.terminate(),
  };
}

/** The probe's figures for one phase. */
function probePhase(results, phase) {
  const deliveries = results.deliveries.filter((d) => d.phase === phase);
  const health = results.health.filter((h) => h.phase === phase);
  const statuses = (list) => {
    const out = {};
    for (const { status } of list) out[status] = (out[status] ?? 0) + 1;
    return out;
  };
  return {
    eventStatuses: statuses(results.eventStatuses.filter((e) => e.phase === phase)),
    healthStatuses: statuses(health),
    deliveryMs: summarize(deliveries.map((d) => d.ms)),
    httpMs: summarize(deliveries.map((d) => d.httpMs).filter((v) => v !== null)),
    healthMs: summarize(health.map((h) => h.ms)),
  };
}

/** Awards XP to the top users at `perSec` (an open loop) for `ms`; resolves once every answer is in. */
async function awardLoop({ http, serviceToken, perSec, ms, seed, violation }) {
  const rnd = random(seed);
  const statuses = {};
  const latencies = [];
  const pending = [];
  const t0 = now();
  for (let k = 0; ; k++) {
    const due = t0 + (k * 1000) / perSec;
    if (due >= t0 + ms) break;
    if (due > now()) await sleep(due - now());
    const body = {
      userId: TOP_USERS[Math.floor(rnd() * TOP_USERS.length)],
      amount: 1 + Math.floor(rnd() * 500),
      source: 'storm',
    };
    const sent = now();
    pending.push(
      http.request('POST', '/api/xp', { token: serviceToken, body, timeoutMs: 30_000 }).then(
        (res) => {
          statuses[res.status] = (statuses[res.status] ?? 0) + 1;
          if (res.status === 200) latencies.push(now() - sent);
          // 503 (UNAVAILABLE: the store's turn timed out) is the storm's effect, counted in `statuses`.
          else if (res.status !== 503) violation(`POST /api/xp answered ${res.status}`, res.body);
        },
        (err) => violation('POST /api/xp failed', String(err?.message ?? err)),
      ),
    );
  }
  const tEnd = now();
  await Promise.allSettled(pending);
  return { sent: pending.length, statuses, httpMs: summarize(latencies), wallMs: round(tEnd - t0, 0) };
}

/** One storm on one store. Never throws: a failure lands in `error` / `problems`. */
export async function stormRun({ store, params: P, cpus = null, log = console.log }) {
  const result = { store, sockets: P.sockets, problems: [] };
  const users = Array.from({ length: P.sockets / 2 }, (_, k) => `storm-u${String(k).padStart(5, '0')}`);
  let storeHandle;
  let server;
  let fleet;
  let http;
  let probe;
  try {
    storeHandle = await freshStore(store);
    result.storeLabel = storeHandle.label;
    server = await startServer('gateway', storeHandle.env, { cpus });
    result.pid = server.pid;
    result.startupMs = server.startupMs;
    const tokens = new Map();
    for (const u of users) tokens.set(u, await signToken(server.jwtSecret, { sub: u, role: 'user' }));
    const service = await signToken(server.jwtSecret, { sub: 'bench-service', role: 'service' });
    const probeToken = await signToken(server.jwtSecret, { sub: PROBE_USER, role: 'user' });
    // The awards are an open loop: enough connections that none waits in the agent (20/s for up to 30 s).
    http = createHttp(server.baseUrl, { maxSockets: 1024 });

    // The top 10 first, before anyone connects: the quiet phase then sees no board at all.
    for (const [k, userId] of TOP_USERS.entries()) {
      const res = await http.request('POST', '/api/xp', {
        token: service,
        body: { userId, amount: 100_000 - k * 1000, source: 'storm-seed', displayName: `Top ${k}` },
      });
      if (res.status !== 200) throw new Error(`seeding ${userId}: POST /api/xp answered ${res.status}`);
    }
    await sleep(1000); // the seeding's own board goes out to nobody

    fleet = createFleet({ users, tokens });
    const boards = new Uint32Array(fleet.clients.length);
    const lastBoard = new Array(fleet.clients.length).fill(null);
    const lastSum = new Float64Array(fleet.clients.length).fill(-1);
    let counting = false;
    let quietBoards = 0;
    fleet.onEvent = (client, name, payload) => {
      if (name !== 'leaderboard:updated') return false;
      if (payload?.groupId !== undefined) fleet.violation('group board to the crowd', payload);
      lastBoard[client.index] = payload.leaderboard;
      lastSum[client.index] = xpSum(payload.leaderboard);
      if (counting) boards[client.index]++;
      else quietBoards++;
      return true;
    };
    log(`  connecting ${P.sockets} sockets...`);
    result.handshake = await handshake({
      server,
      fleet,
      concurrency: P.handshakeConcurrency,
      capMs: P.handshakeCapMs,
      idleRssBytes: server.sample().rssBytes,
      settleMs: 500,
    });
    const { connected } = result.handshake;
    result.connected = connected;
    if (connected < fleet.clients.length)
      throw new Error(`${fleet.clients.length - connected} sockets did not connect`);
    log(`  ${connected} sockets at ${num(result.handshake.handshakesPerSec)}/s; probe and quiet phase...`);

    // 16,000 handshakes stall the loop now and then, and /health reports a stall for 10 to 20 s: the
    // quiet phase starts once the server says it is healthy again (bounded), so it is quiet indeed.
    const calm = now();
    while (now() - calm < P.calmCapMs) {
      const res = await http.request('GET', '/health').catch(() => ({ status: 0 }));
      if (res.status === 200) break;
      await sleep(500);
    }
    result.calmMs = round(now() - calm, 0);
    probe = startProbe(server, { probe: probeToken, service });
    await probe.ready;

    probe.phase('quiet');
    const quietMeter = meter(server);
    await sleep(P.quietMs);
    result.quietResources = quietMeter.stop();

    log(`  storm: ${P.awardsPerSec} awards/s for ${P.stormMs / 1000} s...`);
    probe.phase('storm');
    counting = true;
    const stormMeter = meter(server);
    const awardsDone = awardLoop({
      http,
      serviceToken: service,
      perSec: P.awardsPerSec,
      ms: P.stormMs,
      seed: 17,
      violation: fleet.violation,
    });
    await sleep(P.stormMs);
    probe.phase(null);
    counting = false;
    const stormWallMs = now() - stormMeter.t0;
    result.stormResources = stormMeter.stop();
    result.awards = await awardsDone;
    result.quietBoards = quietBoards;
    const rates = Array.from(boards, (b) => b / (stormWallMs / 1000));
    result.boardsPerSocketPerSec = {
      mean: round(rates.reduce((s, v) => s + v, 0) / (rates.length || 1), 2),
      min: round(Math.min(...rates), 2),
      max: round(Math.max(...rates), 2),
    };

    // Settle: the final board must reach every socket (bounded wait), and stay the last one. An award
    // answered 503 may still commit afterwards; the board read again then shows it and becomes the final one.
    const t0 = now();
    const readBoard = async () => {
      const res = await http.request('GET', '/api/leaderboard', { token: service });
      if (res.status !== 200 || !Array.isArray(res.body?.leaderboard))
        throw new Error(`GET /api/leaderboard answered ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
      return res.body.leaderboard;
    };
    let finalBoard = await readBoard();
    result.boardChangesAfterStorm = 0;
    for (;;) {
      const finalSum = xpSum(finalBoard);
      while (now() - t0 < P.settleCapMs && lastSum.some((s) => s !== finalSum)) await sleep(200);
      result.settleMs = round(now() - t0, 0);
      await sleep(500);
      const again = await readBoard();
      if (boardKey(again) === boardKey(finalBoard) || now() - t0 >= P.settleCapMs) break;
      result.boardChangesAfterStorm++;
      finalBoard = again;
    }
    const finalKey = boardKey(finalBoard);
    const stale = [];
    for (const c of fleet.clients) {
      if (boardKey(lastBoard[c.index]) !== finalKey) stale.push(`${c.userId}/${c.device}`);
    }
    const probeResults = await probe.finish();
    probe = null;
    probeResults.lastBoards.forEach((b, device) => {
      if (boardKey(b) !== finalKey) stale.push(`${PROBE_USER}/${device}`);
    });
    result.finalBoard = {
      entries: finalBoard.length,
      socketsChecked: fleet.clients.length + probeResults.lastBoards.length,
      socketsWithFinal: fleet.clients.length + probeResults.lastBoards.length - stale.length,
      staleSamples: stale.slice(0, 5),
    };
    if (stale.length) result.problems.push(`${stale.length} socket(s) did not end with the final board`);

    result.probePriority = probeResults.priority;
    result.quiet = probePhase(probeResults, 'quiet');
    result.storm = probePhase(probeResults, 'storm');
    const ratio = (k, f) => {
      const q = result.quiet[k][f];
      const s = result.storm[k][f];
      return q && s !== null ? round(s / q, 2) : null;
    };
    result.ratios = {
      deliveryP50: ratio('deliveryMs', 'p50'),
      deliveryP99: ratio('deliveryMs', 'p99'),
      healthP99: ratio('healthMs', 'p99'),
    };
    for (const [kind, v] of Object.entries(probeResults.violations))
      result.problems.push(`probe: ${kind} x${v.count} ${JSON.stringify(v.samples[0] ?? '')}`);
  } catch (err) {
    result.error = err instanceof Error ? err.message : String(err);
    result.problems.push(result.error.split('\n')[0]);
  } finally {
    if (probe) await probe.terminate();
    if (fleet) await fleet.closeAll();
    http?.close();
    if (server) {
      result.shutdown = await server.stop();
      result.serverLog = { warn: server.log.warn, error: server.log.error, notable: server.log.notable };
    }
    await storeHandle?.dispose();
    if (fleet) reportViolations(fleet, result);
  }
  return result;
}

/** Every store in `params.stores`; a PostgreSQL that does not answer is skipped outside CI, fatal in CI. */
export async function storm({ params = stormParams(), cpus = null, log = console.log } = {}) {
  /** @type {Record<string, any>[]} */
  const runs = [];
  for (const store of params.stores) {
    if (store === 'postgres') {
      const problem = await postgresProblem();
      if (problem) {
        const fatal = Boolean(process.env.CI);
        runs.push({ store, skipped: `PostgreSQL did not answer: ${problem}`, problems: fatal ? [problem] : [] });
        log(`\n=== storm on postgres: skipped, PostgreSQL did not answer (${problem}) ===`);
        continue;
      }
    }
    log(`\n=== storm on ${store}: ${params.sockets} sockets ===`);
    const run = await stormRun({ store, params, cpus, log });
    runs.push(run);
    for (const l of stormLines(run)) log(l);
  }
  const problems = runs.flatMap((r) => r.problems.map((p) => `${r.store}: ${p}`));
  return { kind: 'storm', params, runs, ok: problems.length === 0 && runs.some((r) => !r.skipped), problems };
}

async function main() {
  const params = stormParams();
  const cores = os.availableParallelism(); // before pinning narrows this process's view of the cores
  const pinning = pin({ serverCores: 1, disabled: Boolean(process.env.BENCH_NO_PIN) });
  console.log(`Leaderboard storm${params.smoke ? ' (smoke: correctness only, sizes too small to mean anything)' : ''}`);
  console.log(`  ${os.cpus()[0]?.model?.trim()} x ${cores} cores | node ${process.version} | ${pinning.note}`);
  const loadAvgAtStart = os.loadavg().map((v) => round(v, 2));
  console.log(`  load avg ${loadAvgAtStart.join(' ')} (1/5/15 min): other work on the machine shows in every figure`);
  const outcome = await storm({ params, cpus: pinning.serverCpus });
  const loadAvgAtEnd = os.loadavg().map((v) => round(v, 2));
  console.log(`\n  load avg at the end ${loadAvgAtEnd.join(' ')}`);
  const doc = { date: new Date().toISOString(), cores, loadAvgAtStart, loadAvgAtEnd, pinning, ...outcome };
  return finishMode(
    'storm',
    doc,
    outcome,
    'every socket ended with the final board and nothing was lost, duplicated or misrouted',
  );
}

runWhenMain(import.meta.url, main);
