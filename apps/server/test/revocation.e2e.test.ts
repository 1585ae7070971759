import { SignJWT } from 'jose';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  client,
  connect,
  connectAs,
  http,
  next,
  SECRET,
  sign,
  startServer,
  type TestServer,
  trackClients,
} from './helpers.js';
import { clusterRedis, createTestDatabase, dropTestDatabases, redisAdapters } from './services.js';

afterAll(() => dropTestDatabases());

/** A token issued at `iat` (epoch seconds), which the helpers' `sign` cannot set. */
const tokenAt = (sub: string, iat: number) =>
  new SignJWT({ role: 'user' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuedAt(iat)
    .setExpirationTime(iat + 3600)
    .sign(new TextEncoder().encode(SECRET));

const refusal = async (server: TestServer, token: string) => {
  const err = await connect(client(server, { auth: { token } })).then(
    () => 'connected',
    (e: Error & { data?: { code?: string } }) => e.data?.code,
  );
  return err;
};

describe('POST /api/sessions/revoke on one process', () => {
  let server: TestServer;
  const track = trackClients();
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server.close());

  it("ends the user's sockets with TOKEN_REVOKED, refuses their older tokens, accepts newer ones", async () => {
    const old = await sign({ sub: 'rex' });
    const devices = [track(await connectAs(server, 'rex')), track(await connectAs(server, 'rex'))];
    const bystander = track(await connectAs(server, 'sam'));
    const ended = devices.map((d) => Promise.all([next(d, 'error'), new Promise((r) => d.once('disconnect', r))]));
    const service = await sign({ sub: 'backend', role: 'service' });
    const res = await http(server, 'POST', '/api/sessions/revoke', { token: service, body: { userId: 'rex' } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ userId: 'rex', revokedBefore: expect.any(Number), disconnected: 2 });
    for (const [error, reason] of await Promise.all(ended)) {
      expect(error).toMatchObject({ code: 'TOKEN_REVOKED' });
      expect(reason).toBe('io server disconnect');
    }
    expect(bystander.connected).toBe(true);

    expect(await refusal(server, old)).toBe('TOKEN_REVOKED');
    const feed = await http(server, 'GET', '/api/notifications', { token: old });
    expect(feed.status).toBe(401);
    expect(feed.body).toMatchObject({ code: 'TOKEN_REVOKED' });

    // A token issued after the revocation (iat > revokedBefore) works.
    const { revokedBefore } = res.body as { revokedBefore: number };
    while (Math.floor(Date.now() / 1000) <= revokedBefore) await new Promise((r) => setTimeout(r, 50));
    const fresh = track(client(server, { auth: { token: await tokenAt('rex', revokedBefore + 1) } }));
    expect(await connect(fresh)).toMatchObject({ userId: 'rex' });
  });

  it('is for services and admins only, and checks its body', async () => {
    const user = await sign({ sub: 'rex' });
    expect((await http(server, 'POST', '/api/sessions/revoke', { token: user, body: { userId: 'sam' } })).status).toBe(
      403,
    );
    const admin = await sign({ sub: 'root', role: 'admin' });
    const bad = await http(server, 'POST', '/api/sessions/revoke', { token: admin, body: { userId: '' } });
    expect(bad.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_ERROR' });
  });
});

describe.runIf(clusterRedis).each(redisAdapters)('revocation across a cluster (REDIS_ADAPTER=%s)', (adapter) => {
  let a: TestServer;
  let b: TestServer;
  let databaseUrl: string;
  const track = trackClients();
  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    const env = {
      DATABASE_URL: databaseUrl,
      REDIS_URL: clusterRedis!.url,
      REDIS_PREFIX: `${clusterRedis!.prefix}-rv-${adapter}`,
      REDIS_ADAPTER: adapter,
    };
    [a, b] = await Promise.all([startServer(env), startServer(env)]);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it('a revocation on one process ends the sockets and refuses the tokens on the other', async () => {
    const old = await sign({ sub: 'zed' });
    const onB = track(await connectAs(b, 'zed'));
    const ended = Promise.all([next(onB, 'error', 2000), new Promise((r) => onB.once('disconnect', r))]);
    const service = await sign({ sub: 'backend', role: 'service' });
    const res = await http(a, 'POST', '/api/sessions/revoke', { token: service, body: { userId: 'zed' } });
    expect(res.body).toMatchObject({ userId: 'zed', disconnected: 1 });
    expect((await ended)[0]).toMatchObject({ code: 'TOKEN_REVOKED' });
    expect(await refusal(b, old)).toBe('TOKEN_REVOKED');
  });

  it('a process that missed the broadcast learns it from the store within 2 s', async () => {
    const onB = track(await connectAs(b, 'yan'));
    const ended = next(onB, 'error', 2500);
    // Written straight to the store, as if this process had been cut off from Redis when it was broadcast.
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      await db.query('insert into revocations (user_id, revoked_before) values ($1, $2)', [
        'yan',
        Math.floor(Date.now() / 1000),
      ]);
    } finally {
      await db.end();
    }
    expect(await ended).toMatchObject({ code: 'TOKEN_REVOKED' });
  });
});
