import { sql } from 'kysely';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AddressInfo, createServer, type Server, Socket } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Store } from '../src/store/database.js';
import { STORE } from '../src/store/store.module.js';
import { connectAs, http, next, sign, sleep, startServer, type TestServer, trackClients } from './helpers.js';
import { createTestDatabase, dropTestDatabases, storeTargets } from './services.js';

/**
 * A TCP proxy to PostgreSQL that the test can break: `cut` resets every connection (a network failure,
 * a failover); `silence` stops forwarding on open connections and new ones, which it accepts and never
 * answers (a blackhole); `answer` forwards new connections again, while the silenced ones stay silent.
 */
async function proxyTo(target: URL) {
  const open = new Set<Socket>();
  const links: [Socket, Socket][] = [];
  let silent = false;
  const server: Server = createServer((inbound) => {
    open.add(inbound);
    inbound.on('error', () => inbound.destroy()).on('close', () => open.delete(inbound));
    if (silent) return;
    const outbound = new Socket();
    open.add(outbound);
    outbound.connect(Number(target.port || 5432), target.hostname);
    inbound.pipe(outbound).pipe(inbound);
    links.push([inbound, outbound]);
    const drop = () => (inbound.destroy(), outbound.destroy());
    inbound.on('close', drop);
    outbound.on('error', drop).on('close', () => (open.delete(outbound), drop()));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    cut: () => open.forEach((s) => s.resetAndDestroy()),
    silence: () => {
      silent = true;
      for (const [inbound, outbound] of links.splice(0)) {
        inbound.unpipe(outbound).pause();
        outbound.unpipe(inbound).pause();
      }
    },
    answer: () => (silent = false),
    close: () => (open.forEach((s) => s.destroy()), new Promise<void>((r) => server.close(() => r()))),
  };
}

/** The server on PostgreSQL through a proxy. */
async function behindProxy(env: Record<string, string> = {}) {
  const direct = await createTestDatabase();
  const proxy = await proxyTo(new URL(direct));
  const url = new URL(direct);
  url.host = `127.0.0.1:${proxy.port}`;
  return { direct, proxy, server: await startServer({ DATABASE_URL: url.toString(), ...env }) };
}

/** Resolves once `check` holds, checking every 20 ms for at most `ms`. */
async function waitFor(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  for (const deadline = Date.now() + ms; !(await check()); await sleep(20)) {
    if (Date.now() > deadline) throw new Error(`not within ${ms}ms`);
  }
}

const timed = async <T>(request: Promise<T>) => {
  const started = Date.now();
  return { ...(await request), ms: Date.now() - started };
};

/** 503 UNAVAILABLE, with Retry-After, in about `timeoutMs`: never a hang nor a 500. */
function expectUnavailable(res: { status: number; body: any; headers: Headers; ms: number }, timeoutMs: number) {
  expect(res.body).toMatchObject({ statusCode: 503, code: 'UNAVAILABLE' });
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  expect(res.ms).toBeLessThan(timeoutMs * 2);
}

afterAll(() => dropTestDatabases());
const track = trackClients();
const publish = async (server: TestServer, userId: string, title: string) =>
  http(server, 'POST', '/api/notifications', {
    token: await sign({ sub: 'backend', role: 'service' }),
    body: { userId, title, message: 'm' },
  });

describe.runIf(storeTargets.some((t) => t.name === 'postgres'))('PostgreSQL connections cut mid-query', () => {
  let server: TestServer;
  let proxy: Awaited<ReturnType<typeof proxyTo>>;

  beforeAll(async () => ({ server, proxy } = await behindProxy()));
  afterAll(async () => {
    await server?.close();
    await proxy?.close();
  });

  it('fails the requests in flight with 503, keeps the process up, and recovers', async () => {
    const statuses: number[] = [];
    const deadline = Date.now() + 600;
    // Eight publishers keep queries in flight (transactions included) while every connection is cut twice.
    const load = Array.from({ length: 8 }, async (_, w) => {
      for (let i = 0; Date.now() < deadline; i++) statuses.push((await publish(server, 'cut', `${w}-${i}`)).status);
    });
    await sleep(200);
    proxy.cut();
    await sleep(200);
    proxy.cut();
    await Promise.all(load);
    expect(statuses.filter((s) => s !== 201 && s !== 503)).toEqual([]);
    expect(statuses).toContain(503);
    expect((await publish(server, 'cut', 'after')).status).toBe(201);
    const seqs = (
      await http(server, 'GET', '/api/notifications?limit=100', { token: await sign({ sub: 'cut' }) })
    ).body.items.map((n: { seq: number }) => n.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect((await http(server, 'GET', '/ready')).status).toBe(200);
  });
});

describe.runIf(storeTargets.some((t) => t.name === 'postgres'))('a PostgreSQL that stops answering', () => {
  const TIMEOUT_MS = 500;
  let server: TestServer;
  let proxy: Awaited<ReturnType<typeof proxyTo>>;
  let direct: pg.Client;

  beforeAll(async () => {
    const setup = await behindProxy({ DATABASE_TIMEOUT_MS: String(TIMEOUT_MS) });
    ({ server, proxy } = setup);
    direct = new pg.Client({ connectionString: setup.direct });
    await direct.connect();
  });
  afterAll(async () => {
    await server?.close();
    await proxy?.close();
    await direct?.end();
  });

  it('answers 503 UNAVAILABLE with Retry-After within about DATABASE_TIMEOUT_MS, keeps serving, and recovers', async () => {
    const socket = track(await connectAs(server, 'quiet'));
    const first = await publish(server, 'quiet', 'before');
    expect(first.status).toBe(201);
    const { id } = first.body.notifications[0];
    // Connections enough that some stay idle, unused, through the outage.
    await Promise.all(Array.from({ length: 10 }, (_, i) => publish(server, `warm-${i}`, 'w')));
    await direct.query(`create function slow() returns trigger language plpgsql as $$
      begin perform pg_sleep(1); return new; end $$`);
    await direct.query(`create trigger slow before insert on notifications for each row
      when (new.user_id = 'midway') execute function slow()`);

    // Silent in the middle of a transaction: its INSERT is running when the answers stop.
    const midway = timed(publish(server, 'midway', 'lost'));
    await waitFor(async () => {
      const { rowCount } = await direct.query(`select 1 from pg_stat_activity where wait_event = 'PgSleep'`);
      return rowCount! > 0;
    });
    proxy.silence();
    expectUnavailable(await midway, TIMEOUT_MS);
    expectUnavailable(await timed(publish(server, 'quiet', 'during')), TIMEOUT_MS);
    const token = await sign({ sub: 'quiet' });
    expectUnavailable(await timed(http(server, 'GET', '/api/notifications', { token })), TIMEOUT_MS);
    const ack = await socket.timeout(TIMEOUT_MS * 3).emitWithAck('notification:mark_read', { notificationId: id });
    expect(ack).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
    expect((await http(server, 'GET', '/health')).status).toBe(200);
    expect((await http(server, 'GET', '/ready')).status).toBe(503);
    proxy.answer();
    // Not one more failure: connections opened before the outage are not handed out again.
    const after = await publish(server, 'quiet', 'after');
    expect([after.status, after.body.notifications?.[0].seq]).toEqual([201, 2]);

    proxy.silence();
    // More at once than the pool has connections: those waiting for one give up in time too.
    const burst = await Promise.all(Array.from({ length: 14 }, (_, i) => timed(publish(server, 'quiet', `${i}`))));
    for (const res of burst) expectUnavailable(res, TIMEOUT_MS);
    proxy.answer();
    const again = await publish(server, 'quiet', 'again');
    expect([again.status, again.body.notifications?.[0].seq]).toEqual([201, 3]);
    expect(await socket.emitWithAck('notification:mark_read', { notificationId: id })).toMatchObject({ ok: true });
    expect((await http(server, 'GET', '/ready')).status).toBe(200);
  });
});

describe('an embedded store that does not answer in time', () => {
  it('answers 503 UNAVAILABLE with Retry-After after DATABASE_TIMEOUT_MS, and recovers when it answers', async () => {
    const server = await startServer({ DATA_DIR: 'memory://', DATABASE_TIMEOUT_MS: '500' });
    try {
      const socket = track(await connectAs(server, 'busy'));
      const { id } = (await publish(server, 'busy', 'before')).body.notifications[0];
      // A transaction that holds the one connection until told, as a stuck query would.
      let release!: () => void;
      let holding!: () => void;
      const held = new Promise<void>((r) => (holding = r));
      const stuck = server.app
        .get<Store>(STORE)
        .db.transaction()
        .execute(async (trx) => {
          await sql`select 1`.execute(trx);
          holding();
          await new Promise<void>((r) => (release = r));
        });
      await held;
      expectUnavailable(await timed(publish(server, 'busy', 'during')), 500);
      const ack = await socket.timeout(1500).emitWithAck('notification:delete', { notificationId: id });
      expect(ack).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
      expect((await http(server, 'GET', '/health')).status).toBe(200);
      release();
      await stuck;
      const after = await publish(server, 'busy', 'after');
      expect([after.status, after.body.notifications?.[0].seq]).toEqual([201, 2]);
    } finally {
      await server.close();
    }
  });
});

describe('an embedded store running a statement that does not end', () => {
  const TIMEOUT_MS = 500;
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  /** A statement that would run for hours, as the store's own connection would run it. */
  const endless = (server: TestServer) =>
    sql`select count(*) from generate_series(1, 1e12)`.execute(server.app.get<Store>(STORE).db);

  /** `GET /health` every 20 ms while `during` runs: the slowest answer, and the statuses seen. */
  async function probeHealth(server: TestServer, during: Promise<unknown>) {
    let slowest = 0;
    const statuses = new Set<number>();
    let done = false;
    void during.finally(() => (done = true)).catch(() => undefined);
    while (!done) {
      const res = await timed(http(server, 'GET', '/health'));
      slowest = Math.max(slowest, res.ms);
      statuses.add(res.status);
      await sleep(20);
    }
    return { slowest, statuses };
  }

  it('on a data directory: cuts it short, answers 503 meanwhile, /health stays quick, and recovers with data kept', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rt-endless-'));
    dirs.push(dataDir);
    const server = await startServer({ DATA_DIR: dataDir, DATABASE_TIMEOUT_MS: String(TIMEOUT_MS) });
    try {
      const socket = track(await connectAs(server, 'wedge'));
      expect((await publish(server, 'wedge', 'before')).status).toBe(201);
      const stuck = endless(server);
      const during = timed(publish(server, 'wedge', 'during'));
      const health = await probeHealth(server, Promise.allSettled([stuck, during]));
      await expect(stuck).rejects.toMatchObject({ name: 'StoreUnavailableError' });
      expectUnavailable(await during, TIMEOUT_MS);
      expect(health.slowest).toBeLessThan(100);
      expect([...health.statuses]).toEqual([200]);
      // The store restarted on its directory: what was committed is there, and seqs go on from it.
      const delivered = next(socket, 'notification:new', 15_000);
      await waitFor(async () => (await http(server, 'GET', '/ready')).status === 200, 10_000);
      const after = await publish(server, 'wedge', 'after');
      expect([after.status, after.body.notifications?.[0].seq]).toEqual([201, 2]);
      expect((await delivered).notification.title).toBe('after');
      const metrics: string = (await http(server, 'GET', '/metrics')).body;
      expect(metrics).toMatch(/^realtime_store_restarts_total 1$/m);
      expect(metrics).toMatch(/^nodejs_eventloop_lag_p99_seconds /m);
    } finally {
      await server.close();
    }
  });

  it('in memory, where it cannot be cut short: 503 meanwhile, and /health says the store is blocked, quickly', async () => {
    const server = await startServer({ DATA_DIR: 'memory://', DATABASE_TIMEOUT_MS: String(TIMEOUT_MS) });
    try {
      void endless(server).catch(() => undefined);
      expectUnavailable(await timed(publish(server, 'wedge', 'during')), TIMEOUT_MS);
      await sleep(TIMEOUT_MS);
      const health = await timed(http(server, 'GET', '/health'));
      expect(health.ms).toBeLessThan(100);
      expect([health.status, health.body.status, health.body.blocked]).toEqual([503, 'blocked', ['store']]);
      expect((await http(server, 'GET', '/ready')).status).toBe(503);
    } finally {
      await server.close().catch(() => undefined);
    }
  });
});
