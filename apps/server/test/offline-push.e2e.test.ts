import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnServer } from './built-server.js';
import { type PushReceiver, startPushReceiver } from './fixtures/push-receiver.js';
import { connectAs, http, sign, sleep, startServer, type TestServer, trackClients } from './helpers.js';
import { createTestDatabase, dropTestDatabases, storeTargets } from './services.js';

interface Delivery {
  channel: string;
  status: string;
  reason?: string;
  attempts: number;
  lastError?: string;
}

/** Where a server answers: an in-process one, or one started as `node dist/main.js`. */
type Target = Pick<TestServer, 'url'>;

let receiver: PushReceiver;
let service: string;

beforeAll(async () => {
  receiver = await startPushReceiver();
  service = await sign({ sub: 'backend', role: 'service' });
});
afterAll(async () => {
  await receiver.close();
  await dropTestDatabases();
});

const publish = async (server: Target, body: Record<string, unknown>) => {
  const res = await http(server as TestServer, 'POST', '/api/notifications', {
    token: service,
    body: { message: 'm', ...body },
  });
  expect(res.status).toBe(201);
  return res.body.notifications as { id: string; seq: number; userId: string; type: string }[];
};

/** The browser's part: a subscription made for `user` and registered with the server. */
const subscribe = async (server: Target, user: string) => {
  const sub = receiver.subscribe();
  const res = await http(server as TestServer, 'POST', '/api/push/subscriptions', {
    token: await sign({ sub: user }),
    body: sub,
  });
  expect(res.status).toBe(201);
  return sub;
};

/** The push delivery of a notification once it is no longer pending. */
const pushOf = async (server: Target, id: string, ms = 15_000): Promise<Delivery> => {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(100)) {
    const res = await http(server as TestServer, 'GET', `/api/notifications/${id}/deliveries`, { token: service });
    const push = (res.body.deliveries as Delivery[] | undefined)?.find((d) => d.channel === 'push');
    if (push && push.status !== 'pending') return push;
  }
  throw new Error(`the push delivery of ${id} stayed pending`);
};

/** The channels a notification's deliveries were written for. */
/** The notification's push and webhook deliveries (its users' tokens carry an address: email has its own tests). */
const channelsOf = async (server: Target, id: string) =>
  (
    (await http(server as TestServer, 'GET', `/api/notifications/${id}/deliveries`, { token: service })).body
      .deliveries as Delivery[]
  )
    .map((d) => d.channel)
    .filter((c) => c !== 'email');

const pushesOf = (id: string) => receiver.received.filter((r) => (r.payload as { id?: string })?.id === id);

describe.each(storeTargets)('Web Push on the $name store', (target) => {
  let server: TestServer;
  const track = trackClients();
  const user = (name: string) => `${name}-${target.name}`;

  beforeAll(async () => {
    server = await startServer({
      ...(await target.env()),
      PUSH_ENDPOINT_ORIGINS: receiver.origin,
      OFFLINE_RETRY_BASE_SECONDS: '1',
      PUSH_TYPE_OPTIONS: JSON.stringify({ digest: { urgency: 'low', ttlSeconds: 600 } }),
    });
  });
  afterAll(() => server.close());

  it("sends a type's urgency and TTL as PUSH_TYPE_OPTIONS says", async () => {
    const ivy = user('ivy');
    await subscribe(server, ivy);
    const [n] = await publish(server, { userId: ivy, type: 'digest', title: 'Weekly' });
    expect(await pushOf(server, n!.id)).toMatchObject({ status: 'sent' });
    const [got] = pushesOf(n!.id);
    expect(got!.urgency).toBe('low');
    expect(got!.ttl).toBeLessThanOrEqual(600);
    expect(got!.ttl).toBeGreaterThan(500);
  });

  it('pushes to a user who is not connected, as the contract says, and not to one who is', async () => {
    const [ada, bob] = [user('ada'), user('bob')];
    const adaSub = await subscribe(server, ada);
    const bobSub = await subscribe(server, bob);
    track(await connectAs(server, bob));
    const [forAda, forBob] = await publish(server, {
      userIds: [ada, bob],
      type: 'mention',
      title: 'Grace mentioned you',
      message: 'in #general',
      data: { url: '/feed', secret: 'not in the push' },
    });
    const [got] = await receiver.waitFor(() => pushesOf(forAda!.id).length > 0).then(() => pushesOf(forAda!.id));
    expect(got!.payload).toEqual({
      id: forAda!.id,
      seq: forAda!.seq,
      type: 'mention',
      title: 'Grace mentioned you',
      message: 'in #general',
      url: '/feed',
    });
    expect(got!.endpoint).toBe(adaSub.endpoint);
    expect(got!.vapid.aud).toBe(receiver.origin);
    expect(got!.ttl).toBeGreaterThan(0);
    expect(got!.urgency).toBe('normal');
    expect(got!.topic).toMatch(/^[A-Za-z0-9_-]{1,32}$/);
    expect(await pushOf(server, forAda!.id)).toMatchObject({ status: 'sent', attempts: 1 });
    expect(await pushOf(server, forBob!.id)).toMatchObject({ status: 'skipped', reason: 'online', attempts: 0 });
    expect(receiver.received.some((r) => r.endpoint === bobSub.endpoint)).toBe(false);
    // The key browsers subscribe with is the one the pushes are signed with.
    const key = await http(server, 'GET', '/api/push/vapid-public-key', { token: await sign({ sub: ada }) });
    expect(key.body).toEqual({ publicKey: got!.vapid.publicKey });
  });

  it('skips a notification read before it was due', async () => {
    const reader = user('reader');
    await subscribe(server, reader);
    const [n] = await publish(server, { userId: reader, title: 'Soon read', offline: { delaySeconds: 1 } });
    const read = await http(server, 'POST', `/api/notifications/${n!.id}/read`, { token: await sign({ sub: reader }) });
    expect(read.status).toBe(200);
    expect(await pushOf(server, n!.id)).toMatchObject({ status: 'skipped', reason: 'read' });
    expect(pushesOf(n!.id)).toEqual([]);
  });

  it('removes a subscription the push service calls gone (410)', async () => {
    const cy = user('cy');
    const sub = await subscribe(server, cy);
    receiver.gone(sub.endpoint);
    const [first] = await publish(server, { userId: cy, title: 'To a gone browser' });
    expect(await pushOf(server, first!.id)).toMatchObject({
      status: 'skipped',
      reason: 'no_subscription',
      attempts: 1,
    });
    const refusedBefore = receiver.refused.length;
    const [second] = await publish(server, { userId: cy, title: 'Nobody to push to' });
    expect(await channelsOf(server, second!.id)).toEqual([]);
    await sleep(1500); // a worker's turn: nothing is sent to the gone endpoint again
    expect(receiver.refused.length).toBe(refusedBefore);
  });

  it('waits for Retry-After when the push service answers 429, then sends once', async () => {
    const di = user('di');
    const sub = await subscribe(server, di);
    receiver.respondNext(sub.endpoint, { status: 429, headers: { 'retry-after': '1' } });
    const started = Date.now();
    const [n] = await publish(server, { userId: di, title: 'Throttled' });
    expect(await pushOf(server, n!.id)).toMatchObject({ status: 'sent', attempts: 2 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(pushesOf(n!.id)).toHaveLength(1);
    expect(receiver.refused.filter((r) => r.endpoint === sub.endpoint).map((r) => r.status)).toEqual([429]);
  });

  it('sends a shorter message when the push service answers 413', async () => {
    const ed = user('ed');
    const sub = await subscribe(server, ed);
    receiver.respondNext(sub.endpoint, { status: 413 });
    const [n] = await publish(server, { userId: ed, title: 'Long', message: 'x'.repeat(2000) });
    expect(await pushOf(server, n!.id)).toMatchObject({ status: 'sent' });
    const [got] = pushesOf(n!.id);
    expect((got!.payload as { message: string }).message.length).toBeLessThanOrEqual(120);
  });

  it('registers https: endpoints of allowed origins only; a DELETE touches only the caller’s own', async () => {
    const [fay, gus] = [user('fay'), user('gus')];
    const token = await sign({ sub: fay });
    const sub = await subscribe(server, fay);
    expect((await http(server, 'POST', '/api/push/subscriptions', { token, body: sub })).status).toBe(200);
    for (const endpoint of ['https://push.evil.example/x', `http://127.0.0.1:${receiver.port}/push/x`, 'not a url']) {
      const res = await http(server, 'POST', '/api/push/subscriptions', { token, body: { ...sub, endpoint } });
      expect(res.status, endpoint).toBe(400);
      expect(res.body.code).toBe('VALIDATION_ERROR');
    }
    const bad = await http(server, 'POST', '/api/push/subscriptions', {
      token,
      body: { ...sub, keys: { p256dh: 'short', auth: sub.keys.auth } },
    });
    expect(bad.status).toBe(400);

    // Knowing another user's endpoint is not enough to take it: other keys are 403, nothing moves.
    const stolen = await http(server, 'POST', '/api/push/subscriptions', {
      token: await sign({ sub: gus }),
      body: { ...sub, keys: receiver.subscribe().keys },
    });
    expect(stolen.status).toBe(403);

    const other = await http(server, 'DELETE', '/api/push/subscriptions', {
      token: await sign({ sub: gus }),
      body: { endpoint: sub.endpoint },
    });
    expect(other.status).toBe(204);
    const [still] = await publish(server, { userId: fay, title: 'Still mine' });
    expect(await pushOf(server, still!.id)).toMatchObject({ status: 'sent' });

    expect(
      (await http(server, 'DELETE', '/api/push/subscriptions', { token, body: { endpoint: sub.endpoint } })).status,
    ).toBe(204);
    const [gone] = await publish(server, { userId: fay, title: 'Unsubscribed' });
    expect(await channelsOf(server, gone!.id)).toEqual([]);
  });

  it('skips what the user’s preferences turn off for push, but not a critical one', async () => {
    const gil = user('gil');
    const token = await sign({ sub: gil });
    await subscribe(server, gil);
    await http(server, 'PUT', '/api/preferences', { token, body: { preferences: { promo: { push: false } } } });
    const [muted] = await publish(server, { userId: gil, type: 'promo', title: 'Sale' });
    const [critical] = await publish(server, { userId: gil, type: 'promo', title: 'Fraud alert', critical: true });
    expect(await pushOf(server, muted!.id)).toMatchObject({ status: 'skipped', reason: 'preference' });
    expect(await pushOf(server, critical!.id)).toMatchObject({ status: 'sent' });
    expect(pushesOf(critical!.id)[0]!.urgency).toBe('high');
  });

  it('delivers once the push service is back after 20 s down', async () => {
    const hal = user('hal');
    await subscribe(server, hal);
    await receiver.stop();
    let n: { id: string } | undefined;
    try {
      [n] = await publish(server, { userId: hal, title: 'While it was down' });
      await sleep(20_000);
      const meanwhile = await http(server, 'GET', `/api/notifications/${n!.id}/deliveries`, { token: service });
      expect(meanwhile.body.deliveries.find((d: Delivery) => d.channel === 'push')).toMatchObject({
        status: 'pending',
      });
    } finally {
      await receiver.start();
    }
    const done = await pushOf(server, n!.id, 30_000);
    expect(done.status).toBe('sent');
    expect(done.attempts).toBeGreaterThan(1);
    expect(pushesOf(n!.id)).toHaveLength(1);
  }, 70_000);
});

describe.each(storeTargets)('Web Push through a crash, on the $name store', (target) => {
  it('sends once after a SIGKILL between the 201 and the send', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rt-push-crash-'));
    const env = {
      ...(target.name === 'postgres' ? { DATABASE_URL: await createTestDatabase() } : { DATA_DIR: dir }),
      PUSH_ENDPOINT_ORIGINS: receiver.origin,
    };
    try {
      const first = await spawnServer(env);
      const sub = await subscribe(first, 'crash-victim');
      const [n] = await publish(first, { userId: 'crash-victim', title: 'Survives', offline: { delaySeconds: 2 } });
      first.child.kill('SIGKILL');
      await first.exited;
      expect(receiver.received.some((r) => r.endpoint === sub.endpoint)).toBe(false);
      const second = await spawnServer(env);
      try {
        expect(await pushOf(second, n!.id)).toMatchObject({ status: 'sent', attempts: 1 });
        await sleep(1500); // a second send would come within a worker's turn
        expect(pushesOf(n!.id)).toHaveLength(1);
      } finally {
        second.child.kill('SIGTERM');
        await second.exited;
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe.skipIf(!storeTargets.some((t) => t.name === 'postgres'))('Web Push from two processes', () => {
  it('sends each delivery once when two processes share the store', async () => {
    const env = { DATABASE_URL: await createTestDatabase(), PUSH_ENDPOINT_ORIGINS: receiver.origin };
    const [a, b] = [await startServer(env), await startServer(env)];
    try {
      const users = Array.from({ length: 20 }, (_, i) => `pair-${i}`);
      for (const u of users) await subscribe(i(u) % 2 ? a : b, u);
      // Due a second from now, when both workers are looking.
      const created = await publish(a, { userIds: users, title: 'Once each', offline: { delaySeconds: 1 } });
      await receiver.waitFor(() => created.every((n) => pushesOf(n.id).length > 0), 20_000);
      await sleep(1500);
      for (const n of created) expect(pushesOf(n.id), n.userId).toHaveLength(1);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  }, 60_000);
});

const i = (u: string) => Number(u.split('-').at(-1));
