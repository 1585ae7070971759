// The four measured scenarios. Each is bounded by a count and by a hard deadline; none asserts on
// timings, they only return numbers.
import process from 'node:process';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectClient, now } from './fleet.mjs';
import { round, summarize } from './stats.mjs';

/** Runs `fn(i)` for i in [0, count) with at most `concurrency` in flight, starting none after `deadline`. */
export async function pool(count, concurrency, deadline, fn) {
  let next = 0;
  const worker = async () => {
    while (next < count && now() < deadline) await fn(next++);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, worker));
  return next;
}

/** Polls `predicate` every few ms; true once it holds, false after `timeoutMs`. */
export async function waitUntil(predicate, timeoutMs) {
  const deadline = now() + Math.max(0, timeoutMs);
  for (;;) {
    if (predicate()) return true;
    if (now() >= deadline) return false;
    await sleep(2);
  }
}

const bump = (obj, key) => (obj[key] = (obj[key] ?? 0) + 1);
const perSec = (n, ms) => (ms > 0 ? round((n * 1000) / ms, 1) : null);
const remaining = (deadline, cap) => Math.max(0, Math.min(cap, deadline - now()));

/** Runs a scenario between two scrapes of /metrics: server CPU, memory, event-loop lag; the bench's own CPU. */
export async function measured(server, fn) {
  const before = await server.metrics();
  const cpu0 = process.cpuUsage();
  const t0 = now();
  const result = await fn();
  const wallMs = now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const after = await server.metrics();
  const cores = (seconds) => (wallMs > 0 ? round(seconds / (wallMs / 1000), 2) : null);
  result.resources = {
    wallMs: round(wallMs, 0),
    serverCpuCores: before && after ? cores(after.cpuSeconds - before.cpuSeconds) : null,
    benchCpuCores: cores((cpu.user + cpu.system) / 1e6),
    serverRssBytes: after?.rssBytes ?? null,
    serverRssDeltaBytes: before && after ? after.rssBytes - before.rssBytes : null,
    serverHeapUsedBytes: after?.heapUsedBytes ?? null,
    serverLoopLagP99Ms: after?.loopLagP99Seconds == null ? null : round(after.loopLagP99Seconds * 1000, 1),
    serverLoopLagMaxMs: after?.loopLagMaxSeconds == null ? null : round(after.loopLagMaxSeconds * 1000, 1),
    serverConnections: after?.connections ?? null,
  };
  return result;
}

/** 1. Connects every client (websocket only) with bounded concurrency. */
export async function handshake({ baseUrl, hub, clients, concurrency, capMs }) {
  const deadline = now() + capMs;
  const failures = {};
  const t0 = now();
  const attempted = await pool(clients.length, concurrency, deadline, async (i) => {
    try {
      await connectClient(baseUrl, clients[i], hub, remaining(deadline, 10_000) || 1);
    } catch (err) {
      bump(failures, err instanceof Error ? err.message : String(err));
    }
  });
  const elapsedMs = now() - t0;
  const connected = clients.filter((c) => c.connected);
  // The initial unread count follows `authenticated` after a store query: wait for it too (bounded).
  await waitUntil(() => connected.every((c) => c.tUnread !== undefined), remaining(deadline, 5000));
  return {
    clients: clients.length,
    concurrency,
    attempted,
    connected: connected.length,
    failed: attempted - connected.length,
    failures,
    elapsedMs: round(elapsedMs, 0),
    connectionsPerSec: perSec(connected.length, elapsedMs),
    authenticatedMs: summarize(connected.map((c) => c.tAuth - c.tStart)),
    unreadCountMs: summarize(connected.filter((c) => c.tUnread !== undefined).map((c) => c.tUnread - c.tStart)),
  };
}

/**
 * 2. `POST /api/notifications` for one user at a time, round-robin over the users; times the HTTP answer
 * and the arrival of `notification:new` at the first and at every one of the user's connected sockets.
 */
export async function notifications({ http, hub, serviceToken, users, byUser, count, warmup, concurrency, capMs }) {
  const deadline = now() + capMs;
  const pending = new Map();
  hub.onNew = (client, payload) => {
    const e = pending.get(payload?.notification?.title);
    if (!e || e.seen.has(client)) return;
    const t = now();
    e.seen.add(client);
    e.first ??= t;
    if (e.seen.size >= e.expected) e.all ??= t;
  };
  const created = [];
  const statuses = {};
  const errors = {};

  async function post(i, measure) {
    const userId = users[i % users.length];
    const title = `bench #${i}`;
    const expected = byUser.get(userId).filter((c) => c.connected).length;
    const e = { t0: now(), expected, seen: new Set(), first: undefined, all: undefined, resp: undefined, measure };
    pending.set(title, e);
    try {
      const res = await http.request('POST', '/api/notifications', {
        token: serviceToken,
        body: { userId, title, message: `benchmark notification ${i}` },
      });
      e.resp = now();
      bump(statuses, res.status);
      const n = res.status === 201 ? res.body?.notifications?.[0] : undefined;
      if (n) created.push({ userId, id: n.id, seq: n.seq });
      else e.failed = true;
    } catch (err) {
      e.failed = true;
      bump(errors, err instanceof Error ? err.message : String(err));
    }
  }
  const settled = (e) => e.failed || e.expected === 0 || e.all !== undefined;

  // Warm-up (JIT, pools, prepared plans): sent and delivered, not counted.
  await pool(warmup, concurrency, deadline, (i) => post(i, false));
  await waitUntil(() => [...pending.values()].every(settled), remaining(deadline, 5000));

  const t0 = now();
  const sent = await pool(count, concurrency, deadline, (k) => post(warmup + k, true));
  const sendMs = now() - t0;
  await waitUntil(() => [...pending.values()].every(settled), remaining(deadline, 10_000));
  hub.onNew = () => undefined;

  const runs = [...pending.values()].filter((e) => e.measure);
  const ok = runs.filter((e) => !e.failed);
  const delivered = ok.filter((e) => e.all !== undefined);
  const deliveries = runs.reduce((s, e) => s + e.seen.size, 0);
  const lastArrival = Math.max(t0, ...runs.map((e) => e.all ?? e.first ?? 0));
  return {
    count,
    warmup,
    concurrency,
    sent,
    created: ok.length,
    statuses,
    errors,
    sendMs: round(sendMs, 0),
    requestsPerSec: perSec(ok.length, sendMs),
    deliveriesPerSec: perSec(deliveries, lastArrival - t0),
    deliveredToAllDevices: delivered.length,
    missing: ok.length - delivered.length,
    pushedBeforeHttpAnswerPct: ok.length
      ? round((100 * ok.filter((e) => e.first !== undefined && e.first <= e.resp).length) / ok.length, 1)
      : null,
    httpMs: summarize(ok.map((e) => e.resp - e.t0)),
    firstDeviceMs: summarize(ok.filter((e) => e.first !== undefined).map((e) => e.first - e.t0)),
    allDevicesMs: summarize(delivered.map((e) => e.all - e.t0)),
    createdNotifications: created,
  };
}

/**
 * 3. `POST /api/events` `leaderboard:updated` to everyone: sequential rounds (time until every socket
 * has it), then a burst of back-to-back broadcasts (deliveries per second).
 */
export async function broadcast({ http, hub, serviceToken, clients, rounds, burst, burstConcurrency, capMs }) {
  const deadline = now() + capMs;
  const live = clients.filter((c) => c.connected);
  const target = live.length;
  const reached = new Map();
  const firstAt = new Map();
  const allAt = new Map();
  for (const c of clients) c.bseen = 0;
  hub.onBroadcast = (c) => {
    const k = ++c.bseen;
    const t = now();
    const n = (reached.get(k) ?? 0) + 1;
    reached.set(k, n);
    if (n === 1) firstAt.set(k, t);
    if (n === target) allAt.set(k, t);
  };
  const statuses = {};
  const errors = {};
  const body = { event: 'leaderboard:updated', payload: { leaderboard: [] } };
  const send = async () => {
    try {
      const res = await http.request('POST', '/api/events', { token: serviceToken, body });
      bump(statuses, res.status);
      return res.status === 202;
    } catch (err) {
      bump(errors, err instanceof Error ? err.message : String(err));
      return false;
    }
  };

  let accepted = 0;
  let timedOut = 0;
  const httpLat = [];
  const firstLat = [];
  const allLat = [];
  for (let r = 0; r < rounds && now() < deadline; r++) {
    const t0 = now();
    if (!(await send())) continue;
    httpLat.push(now() - t0);
    const k = ++accepted;
    if (await waitUntil(() => allAt.has(k), remaining(deadline, 10_000))) {
      firstLat.push(firstAt.get(k) - t0);
      allLat.push(allAt.get(k) - t0);
    } else timedOut++;
  }
  const seqDeliveries = live.reduce((s, c) => s + c.bseen, 0);
  const seqFanoutMs = allLat.reduce((s, v) => s + v, 0);

  const base = accepted;
  let burstAccepted = 0;
  const tb = now();
  await pool(burst, burstConcurrency, deadline, async () => {
    if (await send()) burstAccepted++;
  });
  const last = base + burstAccepted;
  const burstComplete = await waitUntil(() => allAt.has(last), remaining(deadline, 15_000));
  const burstMs = (allAt.get(last) ?? now()) - tb;
  const burstDeliveries = live.reduce((s, c) => s + Math.max(0, c.bseen - base), 0);
  hub.onBroadcast = () => undefined;

  return {
    sockets: target,
    rounds: accepted,
    timedOut,
    statuses,
    errors,
    httpMs: summarize(httpLat),
    firstSocketMs: summarize(firstLat),
    allSocketsMs: summarize(allLat),
    sequentialDeliveriesPerSec: perSec(allLat.length * target, seqFanoutMs),
    sequentialDeliveries: seqDeliveries,
    burst: {
      broadcasts: burstAccepted,
      concurrency: burstConcurrency,
      complete: burstComplete,
      deliveries: burstDeliveries,
      expectedDeliveries: burstAccepted * target,
      ms: round(burstMs, 0),
      deliveriesPerSec: perSec(burstDeliveries, burstMs),
    },
  };
}

/**
 * 4. `notification:mark_read` over the socket with an acknowledgement, from the user's first device;
 * also times `notification:read` reaching the user's other device.
 */
export async function markRead({ hub, byUser, created, ops, concurrency, capMs }) {
  const deadline = now() + capMs;
  const targets = created.slice(0, ops);
  const pending = new Map();
  hub.onRead = (client, payload) => {
    const p = pending.get(payload?.notificationId);
    if (p && client !== p.sender && p.other === undefined) p.other = now();
  };
  const failures = {};
  const ackLat = [];
  const t0 = now();
  const started = await pool(targets.length, concurrency, deadline, async (i) => {
    const { userId, id } = targets[i];
    const devices = byUser.get(userId).filter((c) => c.connected);
    const sender = devices[0];
    if (!sender) return bump(failures, 'no connected device');
    const p = { t0: now(), sender, expectOther: devices.length > 1, other: undefined };
    pending.set(id, p);
    try {
      const ack = await sender.socket.timeout(10_000).emitWithAck('notification:mark_read', { notificationId: id });
      const t = now();
      if (ack?.ok) ackLat.push(t - p.t0);
      else bump(failures, `ack ${ack?.error?.code ?? JSON.stringify(ack)}`);
    } catch (err) {
      bump(failures, err instanceof Error ? err.message : String(err));
    }
  });
  const elapsedMs = now() - t0;
  const entries = [...pending.values()];
  await waitUntil(() => entries.every((p) => !p.expectOther || p.other !== undefined), remaining(deadline, 3000));
  hub.onRead = () => undefined;
  return {
    ops: started,
    concurrency,
    acked: ackLat.length,
    failures,
    opsPerSec: perSec(ackLat.length, elapsedMs),
    ackMs: summarize(ackLat),
    otherDeviceReadMs: summarize(entries.filter((p) => p.other !== undefined).map((p) => p.other - p.t0)),
    otherDeviceMissing: entries.filter((p) => p.expectOther && p.other === undefined).length,
  };
}
