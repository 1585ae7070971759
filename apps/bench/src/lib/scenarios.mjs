// The measured scenarios. Each is bounded by a count and a hard deadline, checks every delivery
// (a lost, duplicated or misrouted event is a violation in the fleet's ledger) and returns numbers;
// none judges a timing.
import process from 'node:process';
import { clearTimeout, setImmediate, setTimeout } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { coreBusy, coreTimes } from './procfs.mjs';
import { now, WireClient } from './wire.mjs';
import { perSec, round, summarize } from './stats.mjs';

/** Runs `fn(i)` for i in [0, count) with at most `concurrency` in flight, starting none after `deadline`. */
export async function pool(count, concurrency, deadline, fn) {
  let next = 0;
  const worker = async () => {
    while (next < count && now() < deadline) await fn(next++);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, worker));
  return next;
}

/** Resolves true when `promise` settles within `ms`, false otherwise. */
function within(promise, ms) {
  let timer;
  return Promise.race([
    promise.then(() => true),
    new Promise((resolve) => {
      timer = setTimeout(resolve, Math.max(0, ms), false);
    }),
  ]).finally(() => clearTimeout(timer));
}

const remaining = (deadline, cap) => Math.max(1, Math.min(cap, deadline - now()));
const bump = (obj, key) => (obj[key] = (obj[key] ?? 0) + 1);
const errText = (err) => (err instanceof Error ? err.message : String(err));

/** Server CPU (whole process tree) and generator CPU between `start` and `stop`. */
export function meter(server) {
  const c0 = coreTimes();
  const s0 = server.sample();
  const g0 = process.cpuUsage();
  const t0 = now();
  return {
    t0,
    stop(tEnd = now()) {
      const s1 = server.sample();
      const g = process.cpuUsage(g0);
      const wallMs = tEnd - t0;
      const serverCpuSeconds = s1.cpuSeconds - s0.cpuSeconds;
      const generatorCpuSeconds = (g.user + g.system) / 1e6;
      return {
        wallMs: round(wallMs, 1),
        serverCpuSeconds: round(serverCpuSeconds, 3),
        serverCores: wallMs > 0 ? round(serverCpuSeconds / (wallMs / 1000), 2) : null,
        generatorCpuSeconds: round(generatorCpuSeconds, 3),
        generatorSystemShare: generatorCpuSeconds > 0 ? round(g.system / 1e6 / generatorCpuSeconds, 2) : null,
        generatorCores: wallMs > 0 ? round(generatorCpuSeconds / (wallMs / 1000), 2) : null,
        serverRssBytes: s1.rssBytes,
        serverProcesses: s1.processes,
        // How busy each core was (all processes, interrupts included): shows who was the bottleneck.
        coreBusy: coreBusy(c0, coreTimes()),
      };
    },
  };
}

/** Two phases' resources as one (their wall times and CPU added, core busy weighted by time). */
function addResources(a, b) {
  const wallMs = a.wallMs + b.wallMs;
  const serverCpuSeconds = a.serverCpuSeconds + b.serverCpuSeconds;
  const generatorCpuSeconds = a.generatorCpuSeconds + b.generatorCpuSeconds;
  const coreBusy = {};
  for (const k of Object.keys(b.coreBusy)) {
    coreBusy[k] = round(((a.coreBusy[k] ?? 0) * a.wallMs + (b.coreBusy[k] ?? 0) * b.wallMs) / (wallMs || 1), 2);
  }
  return {
    wallMs: round(wallMs, 1),
    serverCpuSeconds: round(serverCpuSeconds, 3),
    serverCores: wallMs > 0 ? round(serverCpuSeconds / (wallMs / 1000), 2) : null,
    generatorCpuSeconds: round(generatorCpuSeconds, 3),
    generatorCores: wallMs > 0 ? round(generatorCpuSeconds / (wallMs / 1000), 2) : null,
    serverRssBytes: b.serverRssBytes,
    serverProcesses: b.serverProcesses,
    coreBusy,
  };
}

/**
 * 2. Connects every socket with bounded concurrency; a socket counts once `notification:unread_count`
 * arrived. In two halves (one device per user, then the other), with a pause for an RSS sample
 * between them that the rates and CPU leave out: the second half gives the marginal memory of a
 * connection, which start-up garbage released during the first half cannot hide.
 */
export async function handshake({ server, fleet, concurrency, capMs, idleRssBytes, settleMs }) {
  const deadline = now() + capMs;
  const failures = {};
  const connect = async (from, to) => {
    const m = meter(server);
    const attempted = await pool(to - from, concurrency, deadline, async (k) => {
      const c = fleet.clients[from + k];
      try {
        await c.open(server.wsUrl, remaining(deadline, 15_000));
      } catch (err) {
        bump(failures, errText(err));
        fleet.violation('handshake failed', `${c.userId}/${c.device}: ${errText(err)}`);
      }
    });
    if (attempted < to - from)
      fleet.violation('handshake not attempted (deadline)', `${to - from - attempted} sockets`);
    return m.stop();
  };
  const total = fleet.clients.length;
  const half = Math.floor(total / 2);
  const first = await connect(0, half);
  await sleep(settleMs);
  const mid = server.sample();
  const second = await connect(half, total);
  const resources = addResources(first, second);
  const ok = fleet.clients.filter((c) => c.ready);
  const secondOk = fleet.clients.slice(half).filter((c) => c.ready).length;
  await sleep(settleMs);
  const after = server.sample();
  return {
    sockets: total,
    concurrency,
    connected: ok.length,
    failures,
    elapsedMs: round(resources.wallMs, 0),
    handshakesPerSec: round(perSec(ok.length, resources.wallMs), 1),
    latencyMs: summarize(ok.map((c) => c.tUnread - c.tStart)),
    authenticatedMs: summarize(ok.map((c) => c.tAuth - c.tStart)),
    serverCpuMsPerHandshake: ok.length ? round((resources.serverCpuSeconds * 1000) / ok.length, 4) : null,
    rssHalfBytes: mid.rssBytes,
    rssConnectedBytes: after.rssBytes,
    rssPerConnectionBytes: ok.length ? round((after.rssBytes - idleRssBytes) / ok.length, 0) : null,
    rssPerConnectionMarginalBytes: secondOk ? round((after.rssBytes - mid.rssBytes) / secondOk, 0) : null,
    resources,
  };
}

/**
 * 3. Closed loop of `POST /api/events` `xp:gained` to one user (all its devices), `concurrency` in
 * flight; an event is done when the 202 and every device's copy have arrived. Warm-up first.
 */
export async function fanout({ server, fleet, http, serviceToken, users, count, warmup, concurrency, capMs, tag }) {
  const deadline = now() + capMs;
  const pending = new Map();
  const statuses = {};
  fleet.onEvent = (client, name, payload) => {
    if (name !== 'xp:gained') return false;
    const e = pending.get(payload?.source);
    if (!e) fleet.violation('unknown xp:gained', { to: client.userId, payload });
    else if (client.userId !== e.userId) fleet.violation('misrouted xp:gained', { to: client.userId, for: e.userId });
    else if (e.seen.has(client)) fleet.violation('duplicated xp:gained', { to: client.userId, source: payload.source });
    else {
      e.seen.add(client);
      if (e.seen.size === e.expected) {
        e.tAll = now();
        if (e.tHttp) e.finish();
      }
    }
    return true;
  };

  async function post(i, measured) {
    const userId = users[i % users.length];
    const source = `${tag}-${i}`;
    const e = {
      userId,
      measured,
      expected: fleet.byUser.get(userId).filter((c) => c.ready).length,
      seen: new Set(),
      t0: now(),
      tHttp: 0,
      tAll: 0,
      failed: false,
      finish: null,
    };
    const done = new Promise((resolve) => (e.finish = resolve));
    pending.set(source, e);
    const body = { event: 'xp:gained', payload: { amount: 1, source, totalXp: i + 1 }, userIds: [userId] };
    try {
      const res = await http.request('POST', '/api/events', { token: serviceToken, body });
      bump(statuses, res.status);
      if (res.status !== 202) {
        e.failed = true;
        fleet.violation(`POST /api/events answered ${res.status}`, res.body);
        return;
      }
      e.tHttp = now();
    } catch (err) {
      e.failed = true;
      fleet.violation('POST /api/events failed', errText(err));
      return;
    }
    if (e.tAll) return;
    await within(done, remaining(deadline, 10_000));
  }

  await pool(warmup, concurrency, deadline, (i) => post(i, false));
  const m = meter(server);
  const sent = await pool(count, concurrency, deadline, (k) => post(warmup + k, true));
  const measured = [...pending.values()].filter((e) => e.measured);
  const tEnd = Math.max(m.t0, ...measured.map((e) => Math.max(e.tAll, e.tHttp)));
  const resources = m.stop(tEnd);
  // Late or duplicated copies still count: give them a moment before the books close.
  await sleep(200);
  fleet.onEvent = null;
  if (sent < count) fleet.violation('fan-out not finished (deadline)', `${count - sent} events not sent`);
  let lost = 0;
  for (const [source, e] of pending) {
    if (e.failed || e.seen.size >= e.expected) continue;
    lost += e.expected - e.seen.size;
    fleet.violation('lost xp:gained', { source, userId: e.userId, got: e.seen.size, expected: e.expected });
  }
  const deliveries = measured.reduce((s, e) => s + e.seen.size, 0);
  const complete = measured.filter((e) => e.tAll && e.tHttp);
  return {
    events: sent,
    warmup,
    concurrency,
    statuses,
    deliveries,
    lostDeliveries: lost,
    deliveriesPerSec: round(perSec(deliveries, resources.wallMs), 1),
    eventsPerSec: round(perSec(complete.length, resources.wallMs), 1),
    latencyMs: summarize(complete.map((e) => e.tAll - e.t0)),
    httpMs: summarize(complete.map((e) => e.tHttp - e.t0)),
    serverCpuMsPerEvent: complete.length ? round((resources.serverCpuSeconds * 1000) / complete.length, 4) : null,
    resources,
  };
}

/**
 * 4. `POST /api/events` `leaderboard:updated` with no userIds, to every socket: sequential rounds
 * (time until the last socket has it), then a burst (deliveries per second). The broadcast's number
 * travels in the payload (`xp`), so each socket's copies are counted one by one.
 */
export async function broadcast({
  server,
  fleet,
  http,
  serviceToken,
  warmupRounds,
  rounds,
  burst,
  burstConcurrency,
  capMs,
}) {
  const deadline = now() + capMs;
  const live = fleet.clients.filter((c) => c.ready);
  const target = live.length;
  const total = warmupRounds + rounds + burst;
  const reached = new Uint32Array(total + 1);
  const firstAt = new Float64Array(total + 1);
  const allAt = new Float64Array(total + 1);
  const waiters = new Map();
  const statuses = {};
  let issued = 0;
  for (const c of fleet.clients) c.copies = new Uint8Array(total + 1);
  fleet.onEvent = (client, name, payload) => {
    if (name !== 'leaderboard:updated') return false;
    const entry = payload?.leaderboard?.[0];
    const n = entry?.userId === 'bench' ? entry.xp : -1;
    if (!Number.isInteger(n) || n < 1 || n > issued) {
      fleet.violation('unknown leaderboard:updated', { to: client.userId, payload });
      return true;
    }
    if (client.copies[n] > 0) {
      fleet.violation('duplicated leaderboard:updated', { to: client.userId, n });
      return true;
    }
    client.copies[n] = 1;
    const k = ++reached[n];
    const t = now();
    if (k === 1) firstAt[n] = t;
    if (k === target) {
      allAt[n] = t;
      waiters.get(n)?.();
    }
    return true;
  };

  const accepted = [];
  async function send() {
    const n = ++issued;
    const done = allAt[n] ? Promise.resolve() : new Promise((resolve) => waiters.set(n, resolve));
    const t0 = now();
    const body = { event: 'leaderboard:updated', payload: { leaderboard: [{ userId: 'bench', xp: n, position: 1 }] } };
    try {
      const res = await http.request('POST', '/api/events', { token: serviceToken, body });
      bump(statuses, res.status);
      if (res.status !== 202) {
        fleet.violation(`POST /api/events (broadcast) answered ${res.status}`, res.body);
        return null;
      }
    } catch (err) {
      fleet.violation('POST /api/events (broadcast) failed', errText(err));
      return null;
    }
    accepted.push(n);
    return { n, t0, done };
  }

  const allLat = [];
  const firstLat = [];
  for (let r = 0; r < warmupRounds + rounds && now() < deadline; r++) {
    const s = await send();
    if (!s) continue;
    await within(s.done, remaining(deadline, 10_000));
    if (r >= warmupRounds && allAt[s.n]) {
      allLat.push(allAt[s.n] - s.t0);
      firstLat.push(firstAt[s.n] - s.t0);
    }
  }

  const m = meter(server);
  const burstSent = [];
  await pool(burst, burstConcurrency, deadline, async () => {
    const s = await send();
    if (s) burstSent.push(s);
  });
  await within(Promise.all(burstSent.map((s) => s.done)), remaining(deadline, 15_000));
  const tEnd = Math.max(m.t0, ...burstSent.map((s) => allAt[s.n] || 0));
  const resources = m.stop(tEnd);
  await sleep(200);
  fleet.onEvent = null;

  let lost = 0;
  for (const n of accepted) {
    if (reached[n] < target) {
      lost += target - reached[n];
      fleet.violation('lost leaderboard:updated', { n, got: reached[n], expected: target });
    }
  }
  const burstDeliveries = burstSent.reduce((s, b) => s + reached[b.n], 0);
  return {
    sockets: target,
    rounds: allLat.length,
    warmupRounds,
    statuses,
    lostDeliveries: lost,
    allSocketsMs: summarize(allLat),
    firstSocketMs: summarize(firstLat),
    burst: {
      broadcasts: burstSent.length,
      concurrency: burstConcurrency,
      deliveries: burstDeliveries,
      ms: round(resources.wallMs, 0),
    },
    deliveriesPerSec: round(perSec(burstDeliveries, resources.wallMs), 0),
    serverCpuUsPerDelivery: burstDeliveries ? round((resources.serverCpuSeconds * 1e6) / burstDeliveries, 3) : null,
    resources,
  };
}

/** Gateway only: `POST /api/notifications` to one user, `notification:new` to each of its devices. */
export async function notifications({ server, fleet, http, serviceToken, users, count, concurrency, capMs, tag }) {
  const deadline = now() + capMs;
  const pending = new Map();
  const statuses = {};
  const created = [];
  fleet.onEvent = (client, name, payload) => {
    if (name === 'notification:unread_count') return true; // follows every create
    if (name !== 'notification:new') return false;
    const e = pending.get(payload?.notification?.title);
    if (!e) fleet.violation('unknown notification:new', { to: client.userId, title: payload?.notification?.title });
    else if (client.userId !== e.userId)
      fleet.violation('misrouted notification:new', { to: client.userId, for: e.userId });
    else if (e.seen.has(client))
      fleet.violation('duplicated notification:new', { to: client.userId, title: payload.notification.title });
    else {
      e.seen.add(client);
      if (e.seen.size === e.expected) {
        e.tAll = now();
        e.finish();
      }
    }
    return true;
  };
  const m = meter(server);
  const sent = await pool(count, concurrency, deadline, async (i) => {
    const userId = users[i % users.length];
    const title = `${tag} #${i}`;
    const e = { userId, expected: fleet.byUser.get(userId).filter((c) => c.ready).length, seen: new Set(), t0: now() };
    const done = new Promise((resolve) => (e.finish = resolve));
    pending.set(title, e);
    try {
      const res = await http.request('POST', '/api/notifications', {
        token: serviceToken,
        body: { userId, title, message: `benchmark notification ${i}` },
      });
      bump(statuses, res.status);
      const n = res.status === 201 ? res.body?.notifications?.[0] : undefined;
      if (!n) {
        e.failed = true;
        fleet.violation(`POST /api/notifications answered ${res.status}`, res.body);
        return;
      }
      e.tHttp = now();
      created.push({ userId, id: n.id });
    } catch (err) {
      e.failed = true;
      fleet.violation('POST /api/notifications failed', errText(err));
      return;
    }
    if (!e.tAll) await within(done, remaining(deadline, 10_000));
  });
  const resources = m.stop();
  await sleep(200);
  fleet.onEvent = null;
  let lost = 0;
  for (const [title, e] of pending) {
    if (e.failed || e.seen.size >= e.expected) continue;
    lost += e.expected - e.seen.size;
    fleet.violation('lost notification:new', { title, got: e.seen.size, expected: e.expected });
  }
  const ok = [...pending.values()].filter((e) => e.tAll && e.tHttp);
  return {
    count: sent,
    concurrency,
    statuses,
    created: created.length,
    lostDeliveries: lost,
    requestsPerSec: round(perSec(ok.length, resources.wallMs), 1),
    httpMs: summarize(ok.map((e) => e.tHttp - e.t0)),
    allDevicesMs: summarize(ok.map((e) => e.tAll - e.t0)),
    serverCpuMsPerNotification: ok.length ? round((resources.serverCpuSeconds * 1000) / ok.length, 4) : null,
    resources,
    createdNotifications: created,
  };
}

/** Gateway only: `notification:mark_read` with an ack from the first device; the other device gets `notification:read`. */
export async function markRead({ server, fleet, created, ops, concurrency, capMs }) {
  const deadline = now() + capMs;
  const targets = created.slice(0, ops);
  const pending = new Map();
  const failures = {};
  const ackLat = [];
  fleet.onEvent = (client, name, payload) => {
    if (name === 'notification:unread_count') return true;
    if (name !== 'notification:read') return false;
    const p = pending.get(payload?.notificationId);
    if (!p) fleet.violation('unknown notification:read', { to: client.userId, payload });
    else if (client.userId !== p.userId)
      fleet.violation('misrouted notification:read', { to: client.userId, for: p.userId });
    else if (client !== p.sender && p.tOther === undefined) p.tOther = now();
    return true;
  };
  const m = meter(server);
  const started = await pool(targets.length, concurrency, deadline, async (i) => {
    const { userId, id } = targets[i];
    const devices = fleet.byUser.get(userId).filter((c) => c.ready);
    const sender = devices[0];
    if (!sender) return fleet.violation('mark_read: no connected device', userId);
    const p = { userId, t0: now(), sender, expectOther: devices.length > 1, tOther: undefined };
    pending.set(id, p);
    try {
      const ack = await sender.emitWithAck(
        'notification:mark_read',
        { notificationId: id },
        remaining(deadline, 10_000),
      );
      if (ack?.ok) ackLat.push(now() - p.t0);
      else {
        bump(failures, `ack ${ack?.error?.code ?? JSON.stringify(ack)}`);
        fleet.violation('mark_read refused', ack);
      }
    } catch (err) {
      bump(failures, errText(err));
      fleet.violation('mark_read failed', errText(err));
    }
  });
  const resources = m.stop();
  await sleep(200);
  fleet.onEvent = null;
  const entries = [...pending.values()];
  const missing = entries.filter((p) => p.expectOther && p.tOther === undefined).length;
  if (missing) fleet.violation('lost notification:read (other device)', `${missing} of ${entries.length}`);
  return {
    ops: started,
    concurrency,
    acked: ackLat.length,
    failures,
    opsPerSec: round(perSec(ackLat.length, resources.wallMs), 1),
    ackMs: summarize(ackLat),
    otherDeviceMs: summarize(entries.filter((p) => p.tOther !== undefined).map((p) => p.tOther - p.t0)),
    otherDeviceMissing: missing,
    resources,
  };
}

/**
 * 7. One socket floods the server with client events (as fast as the generator sends them, through
 * WebSocket backpressure) while the other users' fan-out runs as in scenario 2: the fan-out latency
 * says whether one client slows everyone else. The server cuts the flooder off after 5 s over its
 * budget; a new one takes its place at once, so the flood lasts the whole measurement.
 */
/** @param {{ flooderToken: string } & Parameters<typeof fanout>[0]} args */
export async function underFlood({ server, flooderToken, ...fanoutArgs }) {
  const sink = { onEvent: () => undefined, onServerError: () => undefined, onDisconnect: () => undefined };
  let flooding = true;
  let sent = 0;
  let cutOff = 0;
  const packet = '42["notification:mark_all_read",{}]';
  const flood = (async () => {
    while (flooding) {
      const flooder = new WireClient({ index: -1, userId: 'bench-flooder', device: 0, token: flooderToken, sink });
      try {
        await flooder.open(server.wsUrl, 10_000);
      } catch {
        await sleep(50);
        continue;
      }
      while (flooding && flooder.ready) {
        // Through backpressure: while the server does not read, the generator waits instead of spinning.
        if (flooder.ws.bufferedAmount < 64 * 1024) {
          for (let i = 0; i < 200; i++) flooder.ws.send(packet);
          sent += 200;
          await new Promise((r) => setImmediate(r));
        } else await sleep(5);
      }
      if (flooding) cutOff++;
      await flooder.close(500);
    }
  })();
  await sleep(300);
  try {
    const calm = await fanout({ server, ...fanoutArgs });
    return { floodEvents: sent, flooderCutOff: cutOff, calm };
  } finally {
    flooding = false;
    await flood;
  }
}
