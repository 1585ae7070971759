import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DrainService } from '../src/health/drain.service.js';
import { REDIS, type RedisPair } from '../src/realtime/redis.module.js';
import { WebSocketService } from '../src/realtime/websocket.service.js';
import { collect, connectAs, http, next, sign, startServer, type TestServer, trackClients } from './helpers.js';
import { clusterEnv, clusterRedis, dropTestDatabases, redisAdapters } from './services.js';

afterAll(() => dropTestDatabases());

/** Every channel of every message the node's subscribing connection receives, from now on. */
function channelsHeardBy(node: TestServer): string[] {
  const heard: string[] = [];
  const { sub } = node.app.get<RedisPair>(REDIS);
  sub.on('message', (channel: string) => heard.push(channel));
  sub.on('pmessage', (_pattern: string, channel: string) => heard.push(channel));
  sub.on('smessage', (channel: string) => heard.push(channel));
  return heard;
}

// Two server processes' worth of app (own HTTP server, own Socket.IO, own pool) on one Redis and one database.
describe.runIf(clusterRedis).each(redisAdapters)('a cluster of two nodes over Redis (REDIS_ADAPTER=%s)', (adapter) => {
  let a: TestServer;
  let b: TestServer;
  let service: string;
  let env: Record<string, string>;
  const track = trackClients();

  beforeAll(async () => {
    env = await clusterEnv(adapter);
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

  it(`sends a user's events ${adapter === 'sharded' ? 'only to the node that holds the user' : 'to every node'}`, async () => {
    const kai = track(await connectAs(b, 'kai2'));
    const mark = track(await connectAs(a, 'mark'));
    const heard = channelsHeardBy(a);
    const gained = next(kai, 'xp:gained');
    const xp = { amount: 1, source: 'x', totalXp: 1 };
    await http(a, 'POST', '/api/events', {
      token: service,
      body: { event: 'xp:gained', payload: xp, userIds: ['kai2'] },
    });
    await gained;
    for (const node of [a, b]) {
      const created = next(kai, 'notification:new');
      await http(node, 'POST', '/api/notifications', {
        token: service,
        body: { userId: 'kai2', title: 't', message: 'm' },
      });
      await created;
    }
    // The marker goes to a user on each node: node a hears it, after everything published before it.
    const marker = Promise.all([next(kai, 'rank:updated'), next(mark, 'rank:updated')]);
    await http(b, 'POST', '/api/events', {
      token: service,
      body: { event: 'rank:updated', payload: { newRank: 'b', oldRank: 'a' }, userIds: ['kai2', 'mark'] },
    });
    await marker;
    if (adapter === 'sharded') {
      // Node a heard the marker's copy for mark only: kai2's events and notifications never reached it.
      expect(heard).toEqual([expect.stringContaining('user:mark')]);
    } else {
      // Classic pub/sub: node a heard the xp event and both notifications too, then the marker.
      expect(heard.length).toBeGreaterThanOrEqual(4);
    }
  });

  it.runIf(adapter === 'sharded')('drops a malformed room message and keeps delivering', async () => {
    const socket = track(await connectAs(b, 'mal'));
    const { Redis } = await import('ioredis');
    const outsider = new Redis(env.REDIS_URL!);
    try {
      await outsider.spublish(`${env.REDIS_PREFIX}#room#user:mal`, 'not json');
      await outsider.spublish(`${env.REDIS_PREFIX}#room#user:mal`, JSON.stringify({ o: 'x', e: 'delivery:changes' }));
    } finally {
      outsider.disconnect();
    }
    const created = next(socket, 'notification:new');
    await http(a, 'POST', '/api/notifications', { token: service, body: { userId: 'mal', title: 't', message: 'm' } });
    expect((await created).notification.title).toBe('t');
  });

  it('sends a group event to a member joined live on the other node', async () => {
    const member = track(await connectAs(b, 'gia'));
    const joined = await http(a, 'PUT', '/api/groups/crew/members', { token: service, body: { userIds: ['gia'] } });
    expect(joined.status).toBe(200);
    const got = next(member, 'xp:gained');
    await http(a, 'POST', '/api/events', {
      token: service,
      body: { event: 'xp:gained', payload: { amount: 2, source: 'g', totalXp: 2 }, groupIds: ['crew'] },
    });
    expect(await got).toEqual({ amount: 2, source: 'g', totalXp: 2 });
  });

  it('lets a draining node leave: its socket is closed and the others count one process fewer', async () => {
    const c = await startServer(env);
    const adapterOf = (node: TestServer) =>
      (
        node.app.get(WebSocketService) as unknown as {
          server: { of(n: string): { adapter: { serverCount(): Promise<number> } } };
        }
      ).server.of('/').adapter;
    expect(await adapterOf(a).serverCount()).toBe(3);
    const onC = await connectAs(c, 'cid');
    const closed = new Promise((r) => onC.once('disconnect', r));
    await c.app
      .get(DrainService)
      .drain(c.app, { readyGraceMs: 50, requestsDeadlineMs: 500, socketsDeadlineMs: 800, exitDeadlineMs: 1000 });
    expect(await closed).toBe('transport close');
    expect(await adapterOf(a).serverCount()).toBe(2);
    // A membership change waits for the two that are left only, and still reaches them.
    const member = track(await connectAs(b, 'cid'));
    const got = next(member, 'xp:gained');
    await http(a, 'PUT', '/api/groups/after-drain/members', { token: service, body: { userIds: ['cid'] } });
    await http(a, 'POST', '/api/events', {
      token: service,
      body: { event: 'xp:gained', payload: { amount: 3, source: 'd', totalXp: 3 }, groupIds: ['after-drain'] },
    });
    expect(await got).toEqual({ amount: 3, source: 'd', totalXp: 3 });
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

describe.each(redisAdapters)('an unreachable Redis (REDIS_ADAPTER=%s)', (adapter) => {
  it('keeps the process serving: /ready 503, notifications still delivered locally, presence 503 UNAVAILABLE', async () => {
    const node = await startServer({ REDIS_URL: 'redis://127.0.0.1:1', REDIS_ADAPTER: adapter });
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
