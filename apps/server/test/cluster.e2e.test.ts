import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, connectAs, http, next, sign, startServer, type TestServer, trackClients } from './helpers.js';
import { clusterEnv, clusterRedis, dropTestDatabases } from './services.js';

afterAll(() => dropTestDatabases());

// Two server processes' worth of app (own HTTP server, own Socket.IO, own pool) on one Redis and one database.
describe.runIf(clusterRedis)('a cluster of two nodes over Redis', () => {
  let a: TestServer;
  let b: TestServer;
  let service: string;
  const track = trackClients();

  beforeAll(async () => {
    const env = await clusterEnv();
    [a, b] = await Promise.all([startServer(env), startServer(env)]);
    service = await sign({ sub: 'backend', role: 'service' });
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it('reports Redis in /ready', async () => {
    expect((await http(a, 'GET', '/ready')).body).toEqual({ status: 'ready', checks: { store: 'up', redis: 'up' } });
  });

  it('delivers an event published on one node to the user on the other, and to no one else', async () => {
    const onB = track(await connectAs(b, 'kai'));
    const other = track(await connectAs(a, 'lea'));
    const strays = collect(other, 'xp:gained');
    const got = next(onB, 'xp:gained');
    const res = await http(a, 'POST', '/api/events', {
      token: service,
      body: { event: 'xp:gained', payload: { amount: 1, source: 'x', totalXp: 1 }, userIds: ['kai'] },
    });
    expect(res.status).toBe(202);
    expect(await got).toEqual({ amount: 1, source: 'x', totalXp: 1 });
    expect(strays).toEqual([]);
  });

  it('broadcasts to sockets on every node', async () => {
    const [x, y] = [track(await connectAs(a, 'mo')), track(await connectAs(b, 'ned'))];
    const both = Promise.all([next(x, 'leaderboard:updated'), next(y, 'leaderboard:updated')]);
    await http(b, 'POST', '/api/events', {
      token: service,
      body: { event: 'leaderboard:updated', payload: { leaderboard: [] } },
    });
    expect(await both).toEqual([{ leaderboard: [] }, { leaderboard: [] }]);
  });

  it('counts presence across nodes', async () => {
    track(await connectAs(a, 'pia'));
    track(await connectAs(b, 'pia'));
    track(await connectAs(b, 'pia'));
    for (const node of [a, b]) {
      expect((await http(node, 'GET', '/api/presence/pia', { token: service })).body).toEqual({
        userId: 'pia',
        online: true,
        connections: 3,
      });
    }
  });

  it('syncs a notification and its mark-read between devices on different nodes', async () => {
    const [phone, laptop] = [track(await connectAs(a, 'ray')), track(await connectAs(b, 'ray'))];
    const arrives = Promise.all([next(phone, 'notification:new'), next(laptop, 'notification:new')]);
    const created = await http(b, 'POST', '/api/notifications', {
      token: service,
      body: { userId: 'ray', title: 'Cross', message: 'node' },
    });
    expect(created.status).toBe(201);
    const [p1, p2] = await arrives;
    expect(p1.notification.id).toBe(p2.notification.id);
    const read = Promise.all([next(laptop, 'notification:read'), next(laptop, 'notification:unread_count')]);
    expect(await phone.emitWithAck('notification:mark_read', { notificationId: p1.notification.id })).toMatchObject({
      ok: true,
      unreadCount: 0,
      version: 2,
    });
    expect(await read).toEqual([
      { notificationId: p1.notification.id, success: true },
      { unreadCount: 0, version: 2 },
    ]);
  });

  it('gives concurrent notifications from both nodes distinct consecutive seqs', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        http(i % 2 ? a : b, 'POST', '/api/notifications', {
          token: service,
          body: { userId: 'sam', title: `#${i}`, message: 'm' },
        }),
      ),
    );
    const seqs = results.map((r) => r.body.notifications[0].seq).sort((x: number, y: number) => x - y);
    expect(seqs).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });
});

describe('an unreachable Redis', () => {
  it('keeps the process serving: /ready 503, notifications still delivered locally, presence 503 UNAVAILABLE', async () => {
    const node = await startServer({ REDIS_URL: 'redis://127.0.0.1:1' });
    try {
      expect((await http(node, 'GET', '/health')).status).toBe(200);
      const ready = await http(node, 'GET', '/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.checks).toEqual({ store: 'up', redis: 'down' });
      const service = await sign({ sub: 'backend', role: 'service' });
      const socket = await connectAs(node, 'lonely');
      const arrives = next(socket, 'notification:new');
      const started = Date.now();
      const created = await http(node, 'POST', '/api/notifications', {
        token: service,
        body: { userId: 'lonely', title: 't', message: 'm' },
      });
      expect(created.status).toBe(201);
      expect(Date.now() - started).toBeLessThan(4000);
      expect((await arrives).notification.id).toBe(created.body.notifications[0].id);
      const presence = await http(node, 'GET', '/api/presence/lonely', { token: service });
      expect(presence.body).toMatchObject({ statusCode: 503, code: 'UNAVAILABLE' });
      socket.disconnect();
    } finally {
      await node.close();
    }
  }, 30_000);
});
