// The storm's probe, run in a worker thread: an unrelated user's two sockets, an open loop of
// POST /api/events `xp:gained` to that user and GET /health samples. It lives on its own thread so that
// the main thread's work on the crowd's 16,000 boards never sits between a delivery and its timestamp:
// what it measures is the server's delay, not the generator's backlog. It also runs at a higher
// priority than the generator's other threads where the system allows it (see `raisePriority`).
//
// Messages from the parent: { phase: 'quiet' | 'storm' | null } (null stops sending), { finish: true }.
// To the parent: { ready: true } | { error } | { results }.
import { getPriority, setPriority } from 'node:os';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { clearInterval, setInterval } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { createHttp } from './http.mjs';
import { now, WireClient } from './wire.mjs';

const { baseUrl, wsUrl, userId, token, serviceToken, eventsPerSec, healthPerSec, graceMs } = workerData;

/**
 * Its own thread alone does not keep the generator's delay out of the timestamps: it shares its core
 * with the generator's main thread and V8's helper threads, and `perf sched` showed its wake-ups
 * waiting 10-13 ms behind them during the storm, a third of the samples near the p99 (the server had
 * written the frames within 0.3 ms). On Linux a nice value belongs to the calling thread, so this
 * raises the probe's alone; lowering a nice value needs CAP_SYS_NICE (root), and without it the probe
 * keeps its priority and the report says so.
 */
function raisePriority() {
  if (process.platform !== 'linux')
    return { raised: false, reason: 'not Linux (a nice value would apply to the whole process)' };
  const before = getPriority();
  try {
    setPriority(Math.max(-20, before - 10));
    return { raised: true, nice: getPriority(), before };
  } catch (err) {
    return { raised: false, nice: before, reason: err instanceof Error ? err.message : String(err) };
  }
}
const priority = raisePriority();

const violations = {};
const violation = (kind, sample) => {
  const v = (violations[kind] ??= { count: 0, samples: [] });
  v.count++;
  if (v.samples.length < 5 && sample !== undefined) v.samples.push(sample);
};
/** Absolute milliseconds, comparable with the parent's `performance.timeOrigin + now()`. */
const abs = (t) => performance.timeOrigin + t;

/** source -> { phase, t0, tHttp, tAll, status, seen } */
const events = new Map();
const health = [];
const lastBoard = [null, null];
let phase = null;
let seq = 0;

const sink = {
  onEvent(client, name, payload) {
    if (name === 'leaderboard:updated') {
      lastBoard[client.device] = payload?.leaderboard ?? null;
      return;
    }
    // A socket's replay position after its handshake: the fleet tolerates it too.
    if (name === 'notification:synced') return;
    if (name !== 'xp:gained') return violation(`unexpected ${name}`, payload);
    const e = events.get(payload?.source);
    if (!e) return violation('unknown xp:gained', payload);
    if (e.seen.has(client.device)) return violation('duplicated xp:gained', payload.source);
    e.seen.add(client.device);
    if (e.seen.size === clients.length) e.tAll = now();
  },
  onServerError: (_client, payload) => violation('server error event', payload),
  onDisconnect: (client, reason) => violation('socket lost', `${client.device}: ${reason}`),
};
const clients = [0, 1].map((device) => new WireClient({ index: device, userId, device, token, sink }));
// Open loops: a request must never wait in the agent for a free connection, or its wait would be timed
// as the server's (20/s answered in up to 10 s is 200 in flight).
const http = createHttp(baseUrl, { maxSockets: 512 });
const healthHttp = createHttp(baseUrl, { maxSockets: 256 });
const inFlight = new Set();

function track(promise) {
  inFlight.add(promise);
  promise.finally(() => inFlight.delete(promise));
}

function publish() {
  if (!phase) return;
  const source = `probe-${seq++}`;
  const e = { phase, t0: now(), tHttp: 0, tAll: 0, status: 0, seen: new Set() };
  events.set(source, e);
  const body = { event: 'xp:gained', payload: { amount: 1, source, totalXp: seq }, userIds: [userId] };
  track(
    http.request('POST', '/api/events', { token: serviceToken, body }).then(
      (res) => {
        e.status = res.status;
        e.tHttp = now();
        // 503 is the server saying it is overloaded: a figure of the storm, not a fault of the bench.
        if (res.status !== 202 && res.status !== 503) violation(`POST /api/events answered ${res.status}`, res.body);
      },
      (err) => violation('POST /api/events failed', String(err?.message ?? err)),
    ),
  );
}

function sampleHealth() {
  if (!phase) return;
  const s = { phase, t0: now(), ms: null, status: 0 };
  health.push(s);
  track(
    healthHttp.request('GET', '/health', { timeoutMs: 10_000 }).then(
      (res) => {
        s.ms = now() - s.t0;
        s.status = res.status;
        if (res.status !== 200 && res.status !== 503) violation(`GET /health answered ${res.status}`, res.body);
      },
      (err) => violation('GET /health failed', String(err?.message ?? err)),
    ),
  );
}

let timers = [];
parentPort.on('message', async (msg) => {
  if ('phase' in msg) {
    phase = msg.phase;
    return;
  }
  if (!msg.finish) return;
  phase = null;
  for (const t of timers) clearInterval(t);
  // Requests in flight finish (bounded by their timeouts); then late copies get `graceMs` to arrive.
  await Promise.allSettled([...inFlight]);
  const deadline = now() + graceMs;
  while (now() < deadline && [...events.values()].some((e) => e.status === 202 && !e.tAll)) await sleep(20);
  for (const [source, e] of events) {
    if (e.status === 202 && !e.tAll) violation('lost xp:gained', { source, got: e.seen.size });
  }
  await Promise.all(clients.map((c) => c.close()));
  http.close();
  healthHttp.close();
  parentPort.postMessage({
    results: {
      deliveries: [...events.values()]
        .filter((e) => e.tAll)
        .map((e) => ({ phase: e.phase, at: abs(e.t0), ms: e.tAll - e.t0, httpMs: e.tHttp ? e.tHttp - e.t0 : null })),
      health: health
        .filter((s) => s.ms !== null)
        .map((s) => ({ phase: s.phase, at: abs(s.t0), ms: s.ms, status: s.status })),
      eventStatuses: [...events.values()].map((e) => ({ phase: e.phase, status: e.status })),
      lastBoards: lastBoard,
      violations,
      priority,
    },
  });
});

try {
  await Promise.all(clients.map((c) => c.open(wsUrl, 15_000)));
  timers = [setInterval(publish, 1000 / eventsPerSec), setInterval(sampleHealth, 1000 / healthPerSec)];
  parentPort.postMessage({ ready: true });
} catch (err) {
  parentPort.postMessage({ error: `probe sockets did not connect: ${err instanceof Error ? err.message : err}` });
}
