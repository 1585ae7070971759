import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, connectAs, http, next, sign, startServer, type TestServer, trackClients } from './helpers.js';

let server: TestServer;
let service: string;
let admin: string;
let user: string;
const track = trackClients();

beforeAll(async () => {
  server = await startServer({ METRICS_TOKEN: 'scrape-me', DEV_TOKENS: 'true' });
  service = await sign({ sub: 'billing', role: 'service' });
  admin = await sign({ sub: 'root', role: 'admin' });
  user = await sign({ sub: 'olga', role: 'user' });
});
afterAll(() => server.close());

const xp = { amount: 10, source: 'mission', totalXp: 110 };

describe('POST /api/events', () => {
  it('202: emits to the listed users only', async () => {
    const olga = track(await connectAs(server, 'olga'));
    const pete = track(await connectAs(server, 'pete'));
    const petes = collect(pete, 'xp:gained');
    const got = next(olga, 'xp:gained');
    const res = await http(server, 'POST', '/api/events', {
      token: service,
      body: { event: 'xp:gained', payload: xp, userIds: ['olga'] },
    });
    expect(res.status).toBe(202);
    expect(await got).toEqual(xp);
    const again = next(olga, 'xp:gained');
    await http(server, 'POST', '/api/events', {
      token: admin,
      body: { event: 'xp:gained', payload: { ...xp, totalXp: 1 }, userIds: ['olga'] },
    });
    await again;
    expect(petes).toEqual([]);
  });

  it('202: broadcasts to everyone when userIds is absent', async () => {
    const a = track(await connectAs(server, 'quinn'));
    const b = track(await connectAs(server, 'rita'));
    const payload = { leaderboard: [{ userId: 'quinn', displayName: 'Quinn', xp: 50, position: 1 }] };
    const both = Promise.all([next(a, 'leaderboard:updated'), next(b, 'leaderboard:updated')]);
    expect(
      (await http(server, 'POST', '/api/events', { token: service, body: { event: 'leaderboard:updated', payload } }))
        .status,
    ).toBe(202);
    expect(await both).toEqual([payload, payload]);
  });

  it('400 naming the event for protocol events: every notification:* and preferences:updated', async () => {
    const olga = track(await connectAs(server, 'olga'));
    const leaked = collect(olga, 'notification:new');
    const notification = {
      id: '7d5c0a3e-9a77-4a3f-8f1e-2b7f4f0c1a11',
      userId: 'olga',
      seq: 99,
      type: 'info',
      title: 'forged',
      message: 'm',
      read: false,
      createdAt: new Date().toISOString(),
    };
    for (const [event, payload] of [
      ['notification:new', { notification, timestamp: notification.createdAt }],
      ['notification:unread_count', { unreadCount: 0, version: 1_000_000 }],
      ['notification:synced', { lastSeq: 1_000_000 }],
      ['notification:resync', { fromSeq: 1, toSeq: 1_000_000 }],
      ['notification:read', { notificationId: notification.id, success: true }],
      ['notification:deleted', { notificationId: notification.id }],
      ['preferences:updated', { preferences: {} }],
    ] as const) {
      const res = await http(server, 'POST', '/api/events', {
        token: service,
        body: { event, payload, userIds: ['olga'] },
      });
      expect(res.status, event).toBe(400);
      expect(res.body).toMatchObject({ code: 'VALIDATION_ERROR', issues: [{ path: 'event' }] });
      expect(res.body.message).toContain(`${event} is a protocol event`);
    }
    const marker = next(olga, 'xp:gained');
    await http(server, 'POST', '/api/events', {
      token: service,
      body: { event: 'xp:gained', payload: xp, userIds: ['olga'] },
    });
    await marker;
    expect(leaked).toEqual([]);
  });

  it('400: payload failing its event schema, unknown events, authenticated and error', async () => {
    const cases = [
      { event: 'xp:gained', payload: { amount: 'ten' } },
      { event: 'made:up', payload: {} },
      { event: 'authenticated', payload: { success: true, userId: 'x', email: null } },
      { event: 'error', payload: { message: 'x' } },
      { event: 'xp:gained', payload: xp, userIds: 'olga' },
      { payload: xp },
    ];
    for (const body of cases) {
      const res = await http(server, 'POST', '/api/events', { token: service, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_ERROR', message: expect.any(String) });
    }
  });

  it('400: malformed JSON, with the error shape', async () => {
    const res = await http(server, 'POST', '/api/events', { token: service, body: '{"event":' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ statusCode: 400, code: 'VALIDATION_ERROR', message: expect.stringMatching(/JSON/) });
  });

  it('413 for a body over 256 KB, 400 for a body that is not a JSON object, both with the error shape', async () => {
    const big = { event: 'xp:gained', payload: { ...xp, source: 'x'.repeat(300 * 1024) }, userIds: ['olga'] };
    expect((await http(server, 'POST', '/api/events', { token: service, body: big })).body).toEqual({
      statusCode: 413,
      code: 'PAYLOAD_TOO_LARGE',
      message: expect.any(String),
    });
    const plain = await http(server, 'POST', '/api/events', {
      token: service,
      body: 'event=xp:gained',
      headers: { 'content-type': 'text/plain' },
    });
    expect(plain.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_ERROR' });
  });

  it('401: no token, bad token, expired token', async () => {
    const body = { event: 'xp:gained', payload: xp };
    expect((await http(server, 'POST', '/api/events', { body })).body).toMatchObject({
      statusCode: 401,
      code: 'TOKEN_MISSING',
    });
    expect((await http(server, 'POST', '/api/events', { token: 'nope', body })).body).toMatchObject({
      statusCode: 401,
      code: 'TOKEN_INVALID',
    });
    const expired = await sign({ role: 'service', exp: Math.floor(Date.now() / 1000) - 1 });
    const res = await http(server, 'POST', '/api/events', { token: expired, body });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ code: 'TOKEN_EXPIRED' });
  });

  it('403: a user token may not publish', async () => {
    const res = await http(server, 'POST', '/api/events', { token: user, body: { event: 'xp:gained', payload: xp } });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ statusCode: 403, code: 'FORBIDDEN' });
  });
});

describe('GET /api/presence/:userId', () => {
  it('counts the sockets of a user', async () => {
    expect((await http(server, 'GET', '/api/presence/sam', { token: service })).body).toEqual({
      userId: 'sam',
      online: false,
      connections: 0,
    });
    const a = track(await connectAs(server, 'sam'));
    track(await connectAs(server, 'sam'));
    expect((await http(server, 'GET', '/api/presence/sam', { token: admin })).body).toEqual({
      userId: 'sam',
      online: true,
      connections: 2,
    });
    a.disconnect();
    await new Promise((r) => setTimeout(r, 100));
    expect((await http(server, 'GET', '/api/presence/sam', { token: service })).body).toMatchObject({ connections: 1 });
  });

  it('401 without a token, 403 for a user token', async () => {
    expect((await http(server, 'GET', '/api/presence/sam')).status).toBe(401);
    expect((await http(server, 'GET', '/api/presence/sam', { token: user })).body).toMatchObject({
      statusCode: 403,
      code: 'FORBIDDEN',
    });
  });
});

describe('operations endpoints', () => {
  it('GET /health and /ready answer 200', async () => {
    expect((await http(server, 'GET', '/health')).status).toBe(200);
    const ready = await http(server, 'GET', '/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ready' });
  });

  it('GET /metrics needs METRICS_TOKEN when set, then serves Prometheus text', async () => {
    expect((await http(server, 'GET', '/metrics')).body).toMatchObject({ statusCode: 401, code: 'TOKEN_MISSING' });
    expect((await http(server, 'GET', '/metrics', { token: 'guess' })).body).toMatchObject({ code: 'TOKEN_INVALID' });
    const res = await http(server, 'GET', '/metrics', { token: 'scrape-me' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(res.body).toContain('realtime_connections');
    expect(res.body).toMatch(/realtime_events_out_total\{event="authenticated",target="socket"\} [1-9]/);
  });

  it('answers unknown routes with the error shape', async () => {
    expect((await http(server, 'GET', '/api/nope')).body).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
  });
});

describe('POST /api/dev/token', () => {
  it('mints a token the socket accepts', async () => {
    const res = await http(server, 'POST', '/api/dev/token', { body: { name: 'Ada Lovelace' } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ userId: 'ada-lovelace', displayName: 'Ada Lovelace', role: 'user' });
    const presence = await http(server, 'GET', '/api/presence/ada-lovelace', { token: res.body.token });
    expect(presence.status).toBe(403);
  });

  it('400 without a name or userId', async () => {
    expect((await http(server, 'POST', '/api/dev/token', { body: {} })).body).toMatchObject({
      code: 'VALIDATION_ERROR',
    });
  });

  // Three servers start and stop in turn: more than the default 20 s on a busy machine.
  it('is absent unless DEV_TOKENS=true, and always in production', { timeout: 60_000 }, async () => {
    const envs: Record<string, string>[] = [
      {},
      { DEV_TOKENS: 'false' },
      { NODE_ENV: 'production', DEV_TOKENS: 'true' },
    ];
    for (const env of envs) {
      const off = await startServer(env);
      try {
        expect((await http(off, 'POST', '/api/dev/token', { body: { name: 'x' } })).status).toBe(404);
      } finally {
        await off.close();
      }
    }
  });
});

describe('per-token HTTP budget', () => {
  it('answers 429 RATE_LIMITED with Retry-After past a user token budget; service tokens are not limited by default', async () => {
    const limited = await startServer({ HTTP_USER_REQUESTS_PER_SECOND: '2' });
    try {
      const ada = await sign({ sub: 'ada' });
      const statuses = [];
      for (let i = 0; i < 6; i++)
        statuses.push((await http(limited, 'GET', '/api/notifications', { token: ada })).status);
      // Bursts of twice the rate: 4 pass, then the budget is spent.
      expect(statuses.slice(0, 4)).toEqual([200, 200, 200, 200]);
      const over = await http(limited, 'GET', '/api/notifications', { token: ada });
      expect(over.status).toBe(429);
      expect(over.body).toMatchObject({ statusCode: 429, code: 'RATE_LIMITED' });
      expect(Number(over.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      // Another user has a budget of their own.
      expect((await http(limited, 'GET', '/api/notifications', { token: await sign({ sub: 'bob' }) })).status).toBe(
        200,
      );
      const service = await sign({ sub: 'billing', role: 'service' });
      for (let i = 0; i < 20; i++) {
        const res = await http(limited, 'POST', '/api/events', {
          token: service,
          body: { event: 'xp:gained', payload: { amount: 1, source: 's', totalXp: 1 }, userIds: ['ada'] },
        });
        expect(res.status).toBe(202);
      }
    } finally {
      await limited.close();
    }
  });
});
