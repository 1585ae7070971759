import { NOTIFICATION_DATA_LIMITS, type Notification } from '@realtime/contracts';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DeliveryService } from '../src/delivery/delivery.service.js';
import { WebSocketService } from '../src/realtime/websocket.service.js';
import { collect, connectAs, http, next, sign, startServer, type TestServer, trackClients } from './helpers.js';
import { dropTestDatabases, storeTargets } from './services.js';
import { until } from './wait-for.js';

afterAll(() => dropTestDatabases());

const MAX_FANOUT_BYTES = 20_000;
/** `{ k: { k: ... { k: 1 } } }`, `depth` objects deep. */
const nested = (depth: number): Record<string, unknown> => (depth === 1 ? { k: 1 } : { k: nested(depth - 1) });
/** A `data` whose JSON is exactly `bytes` long. */
const sized = (bytes: number) => ({ s: 'x'.repeat(bytes - '{"s":""}'.length) });

describe.each(storeTargets)('publish limits on the $name store', (target) => {
  let server: TestServer;
  let service: string;
  const track = trackClients();
  const publish = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    http(server, 'POST', '/api/notifications', {
      token: service,
      body: { title: 't', message: 'm', ...body },
      headers,
    });
  const feedOf = async (user: string): Promise<Notification[]> =>
    (await http(server, 'GET', '/api/notifications', { token: await sign({ sub: user }) })).body.items;

  beforeAll(async () => {
    server = await startServer({ ...(await target.env()), MAX_FANOUT_BYTES: String(MAX_FANOUT_BYTES) });
    service = await sign({ sub: 'backend', role: 'service' });
  });
  afterAll(() => server.close());

  it('400 for data nested too deep or too large, before anything is stored; at the limits it is stored', async () => {
    const { maxDepth, maxBytes } = NOTIFICATION_DATA_LIMITS;
    const deepBody = `{"userId":"deep","title":"t","message":"m","data":{"k":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`;
    for (const res of [
      await publish({ userId: 'deep', data: nested(maxDepth + 1) }),
      await publish({ userId: 'deep', data: { list: [[[[[[[[1]]]]]]]] } }),
      await publish({ userId: 'deep', data: sized(maxBytes + 1) }, { 'idempotency-key': 'too-big' }),
      await http(server, 'POST', '/api/notifications', { token: service, body: deepBody }),
      await http(server, 'POST', '/api/notifications', {
        token: service,
        body: deepBody,
        headers: { 'idempotency-key': 'deep' },
      }),
    ]) {
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'VALIDATION_ERROR', issues: [{ path: 'data' }] });
    }
    expect(await feedOf('deep')).toEqual([]);
    const atLimits = await publish({ userId: 'deep', data: { a: nested(maxDepth - 1), b: 'x'.repeat(15_000) } });
    expect(atLimits.status).toBe(201);
    expect((await publish({ userId: 'deep', data: sized(maxBytes) })).body.notifications[0].seq).toBe(2);
  });

  it('400 for a published notification:new whose data is too deep (as for every protocol event)', async () => {
    const notification = {
      id: '7d5c0a3e-9a77-4a3f-8f1e-2b7f4f0c1a11',
      userId: 'deep',
      seq: 1,
      type: 'info',
      title: 't',
      message: 'm',
      data: nested(NOTIFICATION_DATA_LIMITS.maxDepth + 1),
      read: false,
      createdAt: new Date().toISOString(),
    };
    const res = await http(server, 'POST', '/api/events', {
      token: service,
      body: { event: 'notification:new', payload: { notification, timestamp: notification.createdAt }, userIds: ['x'] },
    });
    expect(res.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_ERROR' });
  });

  it('413 when payload bytes times recipients exceed MAX_FANOUT_BYTES, for notifications and events', async () => {
    const data = sized(5000);
    const users = (n: number) => Array.from({ length: n }, (_, i) => `fan-${i}`);
    const tooMany = await publish({ userIds: users(4), data }, { 'idempotency-key': 'fan' });
    expect(tooMany.status).toBe(413);
    expect(tooMany.body).toEqual({ statusCode: 413, code: 'PAYLOAD_TOO_LARGE', message: expect.any(String) });
    expect(await feedOf('fan-0')).toEqual([]);
    expect((await publish({ userIds: users(3), data }, { 'idempotency-key': 'fan' })).status).toBe(201);

    const payload = { leaderboard: users(150).map((userId, i) => ({ userId, xp: 1, position: i + 1 })) };
    const event = (userIds?: string[]) =>
      http(server, 'POST', '/api/events', {
        token: service,
        body: { event: 'leaderboard:updated', payload, ...(userIds ? { userIds } : {}) },
      });
    expect((await event(users(4))).body).toMatchObject({ statusCode: 413, code: 'PAYLOAD_TOO_LARGE' });
    expect((await event(users(2))).status).toBe(202);
    expect((await event()).status).toBe(202);
  });

  it('attempts every emit of a batch when one throws, and still answers 201 with everything stored', async () => {
    const delivery = server.app.get(DeliveryService);
    const original = delivery.send.bind(delivery);
    const spy = vi.spyOn(delivery, 'send').mockImplementation((socket, event, payload) => {
      if (socket.data.userId === 'emit-b' && event === 'notification:new')
        throw new RangeError('Maximum call stack size exceeded');
      original(socket, event, payload);
    });
    try {
      const [a, b, c] = [
        track(await connectAs(server, 'emit-a')),
        track(await connectAs(server, 'emit-b')),
        track(await connectAs(server, 'emit-c')),
      ];
      const got = [a, c].map((s) => Promise.all([next(s, 'notification:new'), next(s, 'notification:unread_count')]));
      const bCounts = next(b, 'notification:unread_count');
      const bNews = collect(b, 'notification:new');
      const res = await publish({ userIds: ['emit-a', 'emit-b', 'emit-c'], title: 'batch' });
      expect(res.status).toBe(201);
      expect(res.body.notifications).toHaveLength(3);
      for (const [n, count] of await Promise.all(got)) {
        expect(n.notification.title).toBe('batch');
        expect(count).toEqual({ unreadCount: 1, version: 1 });
      }
      // emit-b's count still went out, and its notification is stored for the next replay.
      expect(await bCounts).toEqual({ unreadCount: 1, version: 1 });
      expect(bNews).toEqual([]);
      expect((await feedOf('emit-b')).map((n) => n.title)).toEqual(['batch']);
      expect(spy.mock.calls.filter(([, event]) => event === 'notification:new')).toHaveLength(3);
    } finally {
      spy.mockRestore();
    }
  });

  it('still answers an XP award 200 and sends its other events when xp:gained cannot be emitted', async () => {
    const ws = server.app.get(WebSocketService);
    const emit = ws.emit.bind(ws) as (...args: unknown[]) => void;
    const spy = vi.spyOn(ws, 'emit').mockImplementation((...args: unknown[]) => {
      if (args[1] === 'xp:gained') throw new Error('emit failed');
      emit(...args);
    });
    try {
      const socket = track(await connectAs(server, 'xp-emit'));
      const rank = until(socket, 'rank:updated', () => true);
      const res = await http(server, 'POST', '/api/xp', {
        token: service,
        body: { userId: 'xp-emit', amount: 100, source: 'quiz' },
      });
      expect(res.status).toBe(200);
      expect(await rank).toMatchObject({ newRank: 'Aprendiz' });
    } finally {
      spy.mockRestore();
    }
  });
});
