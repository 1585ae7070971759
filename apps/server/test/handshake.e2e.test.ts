import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, connect, connectAs, next, sign, startServer, type TestServer, trackClients } from './helpers.js';

let server: TestServer;
const track = trackClients();

beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

async function refusal(opts: Parameters<typeof client>[1]) {
  const socket = track(client(server, opts));
  const events: string[] = [];
  socket.onAny((event: string) => events.push(event));
  const err = await connect(socket).then(
    () => {
      throw new Error('connected');
    },
    (e: Error & { data?: { code?: string } }) => e,
  );
  expect(err.message).toBe('Unauthorized');
  expect(events).toEqual([]);
  return err.data?.code;
}

describe('handshake', () => {
  it('authenticates with auth.token, then sends the unread count', async () => {
    const token = await sign({ sub: 'alice', email: 'alice@example.com' });
    const socket = track(client(server, { auth: { token } }));
    const count = new Promise((resolve) => socket.once('notification:unread_count', resolve));
    expect(await connect(socket)).toEqual({ success: true, userId: 'alice', email: 'alice@example.com' });
    expect(await count).toEqual({ unreadCount: 0, version: 0 });
  });

  it('authenticates with an Authorization: Bearer header', async () => {
    const token = await sign({ sub: 'bob', email: 'bob@example.com' });
    const socket = track(client(server, { extraHeaders: { authorization: `Bearer ${token}` } }));
    expect(await connect(socket)).toMatchObject({ userId: 'bob' });
  });

  it('works over HTTP long-polling only', async () => {
    const token = await sign({ sub: 'carol' });
    const socket = track(client(server, { transports: ['polling'], auth: { token } }));
    expect(await connect(socket)).toMatchObject({ userId: 'carol' });
    expect(socket.io.engine.transport.name).toBe('polling');
  });

  it('works over WebSocket only', async () => {
    const socket = track(await connectAs(server, 'dave', { transports: ['websocket'] }));
    expect(socket.io.engine.transport.name).toBe('websocket');
  });

  it('refuses a missing token with TOKEN_MISSING', async () => {
    expect(await refusal({})).toBe('TOKEN_MISSING');
    expect(await refusal({ auth: { token: '' } })).toBe('TOKEN_MISSING');
  });

  it('refuses malformed and badly signed tokens with TOKEN_INVALID', async () => {
    expect(await refusal({ auth: { token: 'not-a-jwt' } })).toBe('TOKEN_INVALID');
    expect(await refusal({ auth: { token: await sign({}, { secret: 'another-secret-entirely-0123456789' }) } })).toBe(
      'TOKEN_INVALID',
    );
    expect(await refusal({ extraHeaders: { authorization: 'Bearer garbage' } })).toBe('TOKEN_INVALID');
  });

  it('refuses other algorithms, alg none and a missing sub with TOKEN_INVALID', async () => {
    expect(await refusal({ auth: { token: await sign({}, { alg: 'HS512' }) } })).toBe('TOKEN_INVALID');
    const [, body] = (await sign()).split('.');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${body}.`;
    expect(await refusal({ auth: { token: none } })).toBe('TOKEN_INVALID');
    expect(await refusal({ auth: { token: await sign({ sub: '' }) } })).toBe('TOKEN_INVALID');
    expect(await refusal({ auth: { token: await sign({ role: 'root' as never }) } })).toBe('TOKEN_INVALID');
  });

  it('refuses a token that is not a string with TOKEN_INVALID', async () => {
    expect(await refusal({ auth: { token: 12345 } })).toBe('TOKEN_INVALID');
    expect(await refusal({ auth: { token: { sub: 'alice' } } })).toBe('TOKEN_INVALID');
  });

  it('refuses an expired token with TOKEN_EXPIRED', async () => {
    const token = await sign({ exp: Math.floor(Date.now() / 1000) - 10 });
    expect(await refusal({ auth: { token } })).toBe('TOKEN_EXPIRED');
  });

  it('counts refusals by code in /metrics', async () => {
    await refusal({});
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toMatch(/realtime_handshake_failures_total\{code="TOKEN_MISSING"\} [1-9]/);
  });
});

describe('origin check', () => {
  let strict: TestServer;
  beforeAll(async () => {
    strict = await startServer({ CORS_ORIGIN: 'https://app.example.com, https://admin.example.com' });
  });
  afterAll(() => strict.close());

  it('refuses a WebSocket upgrade from an origin not in CORS_ORIGIN', async () => {
    const token = await sign();
    const bad = track(client(strict, { auth: { token }, extraHeaders: { origin: 'https://evil.example.net' } }));
    await expect(connect(bad)).rejects.toThrow();
    const good = track(client(strict, { auth: { token }, extraHeaders: { origin: 'https://app.example.com' } }));
    expect(await connect(good)).toMatchObject({ userId: 'alice' });
  });

  it('answers CORS preflights only for allowed origins', async () => {
    const ok = await fetch(`${strict.url}/api/events`, {
      method: 'OPTIONS',
      headers: { origin: 'https://admin.example.com', 'access-control-request-method': 'POST' },
    });
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://admin.example.com');
    const bad = await fetch(`${strict.url}/api/events`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example.net', 'access-control-request-method': 'POST' },
    });
    expect(bad.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('lets an allowed origin use every method of the HTTP API and read its retry and replay headers', async () => {
    for (const [path, method] of [
      ['/api/preferences', 'PUT'],
      ['/api/groups/g1/members/u1', 'DELETE'],
    ] as const) {
      const preflight = await fetch(`${strict.url}${path}`, {
        method: 'OPTIONS',
        headers: { origin: 'https://admin.example.com', 'access-control-request-method': method },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-methods')?.split(/, */)).toContain(method);
    }
    const res = await fetch(`${strict.url}/api/notifications`, { headers: { origin: 'https://admin.example.com' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('access-control-expose-headers')?.split(/, */)).toEqual([
      'Retry-After',
      'Idempotent-Replayed',
    ]);
  });
});

describe('origin check without CORS_ORIGIN: same origin only', () => {
  it("accepts the page's own origin and clients that send none, refuses every other origin", async () => {
    const token = await sign();
    const host = new URL(server.url).host;
    const own = track(client(server, { auth: { token }, extraHeaders: { origin: `http://${host}` } }));
    expect(await connect(own)).toMatchObject({ userId: 'alice' });
    const other = track(client(server, { auth: { token }, extraHeaders: { origin: 'https://evil.example.net' } }));
    await expect(connect(other)).rejects.toThrow();
    const preflight = await fetch(`${server.url}/api/events`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example.net', 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('rooms', () => {
  it('joins user:{sub}: two devices of a user both receive, another user receives nothing', async () => {
    const phone = track(await connectAs(server, 'erin'));
    const laptop = track(await connectAs(server, 'erin'));
    const other = track(await connectAs(server, 'frank'));
    const stray: unknown[] = [];
    other.on('xp:gained', (p) => stray.push(p));
    const service = await sign({ sub: 'billing', role: 'service' });
    const both = Promise.all([next(phone, 'xp:gained'), next(laptop, 'xp:gained')]);
    const res = await fetch(`${server.url}/api/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${service}` },
      body: JSON.stringify({
        event: 'xp:gained',
        payload: { amount: 5, source: 'test', totalXp: 5 },
        userIds: ['erin'],
      }),
    });
    expect(res.status).toBe(202);
    expect(await both).toEqual([
      { amount: 5, source: 'test', totalXp: 5 },
      { amount: 5, source: 'test', totalXp: 5 },
    ]);
    // A broadcast that follows arrives after the user-addressed emit, so by then frank has seen all he would.
    const after = next(other, 'leaderboard:updated');
    await fetch(`${server.url}/api/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${service}` },
      body: JSON.stringify({ event: 'leaderboard:updated', payload: { leaderboard: [] } }),
    });
    await after;
    expect(stray).toEqual([]);
  });
});
