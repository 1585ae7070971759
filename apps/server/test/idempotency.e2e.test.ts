import { type Notification } from '@realtime/contracts';
import { sql } from 'kysely';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdempotencyRepository } from '../src/idempotency/idempotency.repository.js';
import { type Store } from '../src/store/database.js';
import { STORE } from '../src/store/store.module.js';
import { type Client, collect, connectAs, http, sign, startServer, type TestServer, trackClients } from './helpers.js';
import { clusterRedis, dropTestDatabases, storeTargets } from './services.js';
import { until } from './wait-for.js';

afterAll(() => dropTestDatabases());

// On PostgreSQL two app instances share the database (and Redis, when there, so emits cross); the
// embedded store belongs to one process, so there both "nodes" are the same one.
describe.each(storeTargets)('Idempotency-Key on the $name store', (target) => {
  let a: TestServer;
  let b: TestServer;
  let service: string;
  const track = trackClients();
  const newKey = () => `retry-${randomUUID()}`;
  const post = (node: TestServer, path: string, body: unknown, key?: string, token = service) =>
    http(node, 'POST', path, { token, body, headers: key === undefined ? {} : { 'idempotency-key': key } });
  const replayed = (res: { headers: Headers }) => res.headers.get('idempotent-replayed') === 'true';
  const feedOf = async (user: string): Promise<Notification[]> =>
    (await http(a, 'GET', '/api/notifications?limit=100', { token: await sign({ sub: user }) })).body.items;

  /** Two devices of `user`, one per node wherever emits reach across nodes. */
  const devices = async (user: string): Promise<Client[]> => {
    const crossing = a === b || clusterRedis !== null;
    return [track(await connectAs(a, user)), track(await connectAs(crossing ? b : a, user))];
  };
  /** Publishes a marker to `user` and waits until every device has it: what came before is all there is. */
  const marker = async (user: string, sockets: Client[]) => {
    const arrived = sockets.map((s) => until(s, 'notification:new', (p) => p.notification.title === 'marker'));
    expect((await post(a, '/api/notifications', { userId: user, title: 'marker', message: 'm' })).status).toBe(201);
    await Promise.all(arrived);
  };

  beforeAll(async () => {
    const env = await target.env();
    const shared = target.name === 'postgres';
    const redis: Record<string, string> =
      shared && clusterRedis ? { REDIS_URL: clusterRedis.url, REDIS_PREFIX: `${clusterRedis.prefix}-i` } : {};
    a = await startServer({ ...env, ...redis });
    b = shared ? await startServer({ ...env, ...redis }) : a;
    service = await sign({ sub: 'publisher', role: 'service' });
  });
  afterAll(async () => {
    await a?.close();
    if (b !== a) await b?.close();
  });

  it('applies a publish once however often it is retried, on either node: same answer, one delivery', async () => {
    const sockets = await devices('ivy');
    const seen = sockets.map((s) => collect(s, 'notification:new'));
    const key = newKey();
    const first = await post(a, '/api/notifications', { userIds: ['ivy', 'jon'], title: 'Once', message: 'm' }, key);
    expect(first.status).toBe(201);
    expect(replayed(first)).toBe(false);
    for (const node of [b, a, b]) {
      // The same JSON value, keys in another order.
      const again = await post(
        node,
        '/api/notifications',
        { message: 'm', title: 'Once', userIds: ['ivy', 'jon'] },
        key,
      );
      expect(again.status).toBe(201);
      expect(again.body).toEqual(first.body);
      expect(replayed(again)).toBe(true);
    }
    await marker('ivy', sockets);
    for (const s of seen) expect(s.map((p) => p.notification.title)).toEqual(['Once', 'marker']);
    expect((await feedOf('ivy')).map((n) => [n.title, n.seq])).toEqual([
      ['marker', 2],
      ['Once', 1],
    ]);
    expect((await feedOf('jon')).map((n) => n.id)).toEqual([first.body.notifications[1].id]);
  });

  it('lets one of concurrent retries on both nodes apply, and answers the others with its answer', async () => {
    const sockets = await devices('kim');
    const seen = sockets.map((s) => collect(s, 'notification:new'));
    const key = newKey();
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        post(i % 2 ? a : b, '/api/notifications', { userId: 'kim', title: 'Race', message: 'm' }, key),
      ),
    );
    expect(answers.map((r) => r.status)).toEqual(Array(8).fill(201));
    for (const r of answers) expect(r.body).toEqual(answers[0]!.body);
    expect(answers.filter((r) => !replayed(r))).toHaveLength(1);
    await marker('kim', sockets);
    for (const s of seen) expect(s.map((p) => p.notification.title)).toEqual(['Race', 'marker']);
    expect((await feedOf('kim')).map((n) => n.seq)).toEqual([2, 1]);
  });

  it('refuses the key with another body (422), and remembers no failed answer', async () => {
    const key = newKey();
    expect((await post(a, '/api/notifications', { userId: 'lou', title: '', message: 'm' }, key)).status).toBe(400);
    const applied = await post(b, '/api/notifications', { userId: 'lou', title: 'Fixed', message: 'm' }, key);
    expect(applied.status).toBe(201);
    expect(replayed(applied)).toBe(false);
    for (const body of [
      { userId: 'lou', title: 'Other', message: 'm' },
      // `type` spelled out is another JSON value, even if it is the default.
      { userId: 'lou', title: 'Fixed', message: 'm', type: 'info' },
    ]) {
      const reused = await post(a, '/api/notifications', body, key);
      expect(reused.status).toBe(422);
      expect(reused.body).toEqual({ statusCode: 422, code: 'IDEMPOTENCY_KEY_REUSED', message: expect.any(String) });
    }
    expect((await feedOf('lou')).map((n) => n.title)).toEqual(['Fixed']);
  });

  it('scopes a key to the caller and the route', async () => {
    const key = newKey();
    const body = { userId: 'max', title: 'Scoped', message: 'm' };
    expect((await post(a, '/api/notifications', body, key)).body.notifications[0].seq).toBe(1);
    const other = await post(b, '/api/notifications', body, key, await sign({ sub: 'billing', role: 'service' }));
    expect(other.status).toBe(201);
    expect(other.body.notifications[0].seq).toBe(2);
    const xp = await post(a, '/api/xp', { userId: 'max', amount: 5, source: 'quiz' }, key);
    expect(xp.status).toBe(200);
    expect(replayed(xp)).toBe(false);
  });

  it('400 for a key that is empty, over 255 characters or not printable ASCII, and stores nothing', async () => {
    for (const key of ['', 'k'.repeat(256), 'café']) {
      const res = await post(a, '/api/notifications', { userId: 'ned', title: 't', message: 'm' }, key);
      expect(res.status, key).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_ERROR' });
    }
    const longest = ` !"#$%&'()*+,-./09:;<=>?@AZ[\\]^_\`az{|}~`.padEnd(255, 'k');
    const ok = await post(a, '/api/notifications', { userId: 'ned', title: 't', message: 'm' }, longest);
    expect(ok.status).toBe(201);
    expect(ok.body.notifications[0].seq).toBe(1);
  });

  it('awards XP once per key, also when retried concurrently on both nodes', async () => {
    const key = newKey();
    const body = { userId: 'nia', amount: 150, source: 'mission' };
    const answers = await Promise.all([a, b, a, b].map((node) => post(node, '/api/xp', body, key)));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    for (const r of answers) expect(r.body).toEqual(answers[0]!.body);
    expect(answers[0]!.body).toMatchObject({ xp: 150, rank: 'Aprendiz' });
    expect((await post(b, '/api/xp', body, key)).body).toEqual(answers[0]!.body);
    expect((await post(a, '/api/xp', { ...body, amount: 151 }, key)).status).toBe(422);
    const profile = await http(b, 'GET', '/api/profile', { token: await sign({ sub: 'nia' }) });
    expect(profile.body.xp).toBe(150);
    expect((await feedOf('nia')).map((n) => n.seq)).toEqual([3, 2, 1]);
  });

  it('/api/events: emits once per key, answers 202 every time, 422 for another payload', async () => {
    const sockets = await devices('ora');
    const seen = sockets.map((s) => collect(s, 'xp:gained'));
    const key = newKey();
    const body = { event: 'xp:gained', payload: { amount: 1, source: 'once', totalXp: 1 }, userIds: ['ora'] };
    const first = await post(a, '/api/events', body, key);
    expect(first.status).toBe(202);
    const again = await post(b, '/api/events', body, key);
    expect([again.status, again.body, replayed(again)]).toEqual([202, first.body, true]);
    expect((await post(a, '/api/events', { ...body, payload: { ...body.payload, amount: 2 } }, key)).status).toBe(422);
    const markers = sockets.map((s) => until(s, 'xp:gained', (p) => p.source === 'marker'));
    await post(a, '/api/events', { ...body, payload: { amount: 1, source: 'marker', totalXp: 2 } });
    await Promise.all(markers);
    for (const s of seen) expect(s.map((p) => p.source)).toEqual(['once', 'marker']);
  });

  it('forgets a key after 24 hours: read as absent, taken over, and purged', async () => {
    const { db } = a.app.get<Store>(STORE);
    const age = (key: string) =>
      sql`update idempotency_keys set created_at = now() - interval '25 hours' where key = ${key}`.execute(db);
    const key = newKey();
    const body = { userId: 'pia', title: 'Daily', message: 'm' };
    expect((await post(a, '/api/notifications', body, key)).body.notifications[0].seq).toBe(1);
    await age(key);
    const later = await post(b, '/api/notifications', body, key);
    expect([later.status, later.body.notifications[0].seq, replayed(later)]).toEqual([201, 2, false]);
    expect((await post(a, '/api/notifications', body, key)).body).toEqual(later.body);
    await age(key);
    expect(await new IdempotencyRepository(db).purgeExpired()).toBeGreaterThanOrEqual(1);
    const left = await sql<{ n: number }>`select count(*)::int as n from idempotency_keys where key = ${key}`.execute(
      db,
    );
    expect(left.rows[0]!.n).toBe(0);
  });
});
