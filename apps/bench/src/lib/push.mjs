// Gateway only: Web Push offline delivery, measured at a local push service (./push-receiver.mjs).
// Users who never connect register one subscription each; then a closed loop of
// `POST /api/notifications`, one user each (round-robin), writes a `push` delivery per notification
// that the gateway's worker sends. Measured at the receiver: pushes per second from the first arrival
// to the last, and the delay from each notification's 201 (its due time: push deliveries are due at
// once) to its push's arrival. Every notification's push must arrive exactly once, at its user's
// subscription: a lost, duplicated, misrouted or refused push is a violation and fails the run.
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { meter, pool } from './scenarios.mjs';
import { perSec, round, summarize } from './stats.mjs';
import { signToken } from './tokens.mjs';
import { now } from './wire.mjs';

const remaining = (deadline, cap) => Math.max(1, Math.min(cap, deadline - now()));
const errText = (err) => (err instanceof Error ? err.message : String(err));
const bump = (obj, key) => (obj[key] = (obj[key] ?? 0) + 1);

/**
 * The `Topic` the gateway gives a notification's pushes (apps/server push.sender.ts `topicOf`): how a
 * push is told apart without decrypting it. A push whose Topic is not one of these is decrypted instead.
 */
export const topicOf = (notificationId) => createHash('sha256').update(notificationId).digest('base64url').slice(0, 32);

/** How many pushes are decrypted after the measurement to check their payload (id and title). */
const DECRYPT_SAMPLE = 5;
/** Deliveries whose server-side record (`GET /api/notifications/:id/deliveries`) is checked. */
const STATUS_SAMPLE = 10;

/**
 * @param {{
 *   server: Awaited<ReturnType<typeof import('./server.mjs').startServer>>,
 *   fleet: ReturnType<typeof import('./fleet.mjs').createFleet>,
 *   http: ReturnType<typeof import('./http.mjs').createHttp>,
 *   receiver: Awaited<ReturnType<typeof import('./push-receiver.mjs').startPushReceiver>>,
 *   serviceToken: string,
 *   users: number,
 *   count: number,
 *   concurrency: number,
 *   registerConcurrency: number,
 *   capMs: number,
 *   graceMs: number,
 *   tag: string,
 * }} args
 */
export async function webPush({
  server,
  fleet,
  http,
  receiver,
  serviceToken,
  users: userCount,
  count,
  concurrency,
  registerConcurrency,
  capMs,
  graceMs,
  tag,
}) {
  const deadline = now() + capMs;
  receiver.reset();
  const statuses = {};
  const users = Array.from({ length: userCount }, (_, k) => ({
    userId: `bench-push-u${String(k).padStart(5, '0')}`,
    subscription: `${tag}-${k}`,
  }));

  // 1. Each user registers one subscription, as its browser's service worker would have it sent.
  const tReg = now();
  let registered = 0;
  await pool(users.length, registerConcurrency, deadline, async (k) => {
    const { userId, subscription } = users[k];
    const token = await signToken(server.jwtSecret, { sub: userId, email: `${userId}@bench.test`, role: 'user' });
    try {
      const res = await http.request('POST', '/api/push/subscriptions', {
        token,
        body: receiver.subscribe(subscription),
      });
      if (res.status === 201) registered++;
      else fleet.violation(`POST /api/push/subscriptions answered ${res.status}`, res.body);
    } catch (err) {
      fleet.violation('POST /api/push/subscriptions failed', errText(err));
    }
  });
  const registerMs = now() - tReg;
  if (registered < users.length) {
    fleet.violation('push subscriptions not registered', `${users.length - registered} of ${users.length}`);
    return { users: users.length, registered, error: 'subscriptions not registered' };
  }

  // 2. A closed loop of notifications, each to one user; the push is due at the 201.
  /** @type {Map<string, { i: number, id: string, title: string, subscription: string, t201: number, arrivals: number[] }>} */
  const byTopic = new Map();
  const byId = new Map();
  const m = meter(server);
  const connections0 = receiver.connections;
  const sent = await pool(count, concurrency, deadline, async (i) => {
    const { userId, subscription } = users[i % users.length];
    const title = `${tag} push #${i}`;
    try {
      const res = await http.request('POST', '/api/notifications', {
        token: serviceToken,
        body: { userId, title, message: `benchmark push ${i}` },
      });
      bump(statuses, res.status);
      const id = res.status === 201 ? res.body?.notifications?.[0]?.id : undefined;
      if (!id) return fleet.violation(`POST /api/notifications (push) answered ${res.status}`, res.body);
      const e = { i, id, title, subscription, t201: now(), arrivals: [] };
      byTopic.set(topicOf(id), e);
      byId.set(id, e);
    } catch (err) {
      fleet.violation('POST /api/notifications (push) failed', errText(err));
    }
  });
  const tPublished = now();
  const created = byId.size;
  const allIn = await receiver.waitForCount(created, remaining(deadline, 60_000));
  const pushes = receiver.pushes;
  const tLast = pushes.reduce((t, p) => Math.max(t, p.t), tPublished);
  const resources = m.stop(tLast);
  const measured = pushes.length;
  const connections = receiver.connections - connections0;
  // Duplicates (a claim taken twice) would come after the sends in flight: give them a moment.
  await sleep(graceMs);

  // 3. The books: each push matched to its notification by Topic (or, failing that, by its payload).
  let unknown = 0;
  for (const p of receiver.pushes) {
    let e = p.topic === undefined ? undefined : byTopic.get(p.topic);
    if (!e) {
      try {
        e = byId.get(JSON.parse(receiver.decrypt(p))?.id);
      } catch {
        // neither: unknown below
      }
    }
    if (!e) {
      unknown++;
      fleet.violation('unknown push', { subscription: p.subscription, topic: p.topic });
    } else if (e.subscription !== p.subscription)
      fleet.violation('misrouted push', { id: e.id, for: e.subscription, to: p.subscription });
    else e.arrivals.push(p.t);
  }
  const entries = [...byId.values()];
  const lost = entries.filter((e) => e.arrivals.length === 0);
  const duplicated = entries.filter((e) => e.arrivals.length > 1);
  for (const e of duplicated) fleet.violation('duplicated push', { id: e.id, copies: e.arrivals.length });
  for (const [i, e] of lost.entries()) {
    // What the server says about it, for the first few.
    let deliveries;
    if (i < 3) {
      deliveries = await http
        .request('GET', `/api/notifications/${e.id}/deliveries`, { token: serviceToken })
        .then((r) => r.body?.deliveries ?? r.body)
        .catch((err) => errText(err));
    }
    fleet.violation('lost push', { id: e.id, subscription: e.subscription, ...(deliveries ? { deliveries } : {}) });
  }
  if (sent < count) fleet.violation('push phase not finished (deadline)', `${count - sent} notifications not sent`);
  if (!allIn && lost.length === 0) fleet.violation('pushes still missing at the deadline', `${created} expected`);
  const refused = receiver.refused;
  for (const [reason, n] of Object.entries(refused.counts)) {
    for (let k = 0; k < n; k++) fleet.violation(`push refused by the receiver: ${reason}`, refused.samples[0]);
  }

  // A few payloads decrypted as the browser would: the notification's id and title.
  const firsts = receiver.pushes.slice(0, DECRYPT_SAMPLE);
  for (const p of firsts) {
    try {
      const payload = JSON.parse(receiver.decrypt(p));
      const e = byId.get(payload?.id);
      if (!e || payload.title !== e.title) fleet.violation('push payload is not its notification', payload);
    } catch (err) {
      fleet.violation('push does not decrypt', errText(err));
    }
  }
  // The server's own record of a few: sent, on the first attempt.
  const step = Math.max(1, Math.floor(entries.length / STATUS_SAMPLE));
  for (let k = 0; k < entries.length && k / step < STATUS_SAMPLE; k += step) {
    const e = entries[k];
    if (e.arrivals.length !== 1) continue;
    try {
      const res = await http.request('GET', `/api/notifications/${e.id}/deliveries`, { token: serviceToken });
      const push = res.body?.deliveries?.find((d) => d.channel === 'push');
      if (push?.status !== 'sent' || push.attempts !== 1)
        fleet.violation('push delivery not recorded as sent on the first attempt', {
          id: e.id,
          push,
          status: res.status,
        });
    } catch (err) {
      fleet.violation('GET /api/notifications/:id/deliveries failed', errText(err));
    }
  }

  const arrived = entries.filter((e) => e.arrivals.length > 0);
  const firstAt = pushes.slice(0, measured).reduce((t, p) => Math.min(t, p.t), Infinity);
  const delays = arrived.map((e) => e.arrivals[0] - e.t201);
  return {
    users: users.length,
    registered,
    registerMs: round(registerMs, 1),
    notifications: sent,
    concurrency,
    statuses,
    created,
    pushes: pushes.length,
    lost: lost.length,
    duplicated: duplicated.length,
    unknown,
    refused: Object.values(refused.counts).reduce((s, n) => s + n, 0),
    publishPerSec: round(perSec(created, tPublished - m.t0), 1),
    // Over the steady part: from the first push's arrival to the last's.
    pushesPerSec: measured > 1 ? round(perSec(measured - 1, tLast - firstAt), 1) : null,
    delayMs: summarize(delays),
    // The 201 is read after the server has made the row due: a push can beat it.
    beforeTheir201: delays.filter((d) => d < 0).length,
    serverCpuMsPerPush: measured ? round((resources.serverCpuSeconds * 1000) / measured, 4) : null,
    receiverConnections: connections,
    bytesMean: pushes.length
      ? round(pushes.reduce((s, p) => s + Buffer.byteLength(p.body), 0) / pushes.length, 0)
      : null,
    resources,
  };
}
