import { type LoggerService } from '@nestjs/common';
import { type AckResponse, type ServerEventName, type ServerPayload } from '@realtime/contracts';
import { type Server as HttpServer } from 'node:http';
import pg from 'pg';
import { type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.factory.js';
import { loadConfig } from '../src/config/config.js';
import { connectionLimits } from '../src/realtime/connection-caps.js';
import {
  type Client,
  client,
  collect,
  connect,
  connectAs,
  http,
  SECRET,
  sign,
  sleep,
  type TestServer,
  trackClients,
} from './helpers.js';
import { dropTestDatabases, storeTargets } from './services.js';

// Nest's Logger writes through one process-wide logger, which each app created here sets to this.
const logs: string[] = [];
const record =
  (level: string) =>
  (message: unknown): void => {
    logs.push(`${level} ${String(message)}`);
  };
const captureLogger: LoggerService = { log: record('log'), warn: record('warn'), error: record('error') };

/** The real app, as helpers.startServer starts it, but logging into {@link logs}. */
async function startServer(env: Record<string, string> = {}): Promise<TestServer> {
  const config = loadConfig({ NODE_ENV: 'test', JWT_SECRET: SECRET, HOST: '127.0.0.1', DATA_DIR: 'memory://', ...env });
  const app = await createApp(config, { logger: captureLogger });
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return { app, url, config, close: () => app.close() };
}

/** Things counted as they come; `until(n)` resolves once n have come, or rejects after `ms`. */
function counter<T>() {
  const seen: T[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const add = (item: T) => {
    seen.push(item);
    for (const w of waiters) if (seen.length >= w.n) w.resolve();
  };
  const until = (n: number, ms = 10_000) =>
    new Promise<T[]>((resolve, reject) => {
      if (seen.length >= n) return resolve(seen);
      const timer = setTimeout(() => reject(new Error(`${seen.length} of ${n} within ${ms}ms`)), ms);
      waiters.push({ n, resolve: () => (clearTimeout(timer), resolve(seen)) });
    });
  return { seen, add, until };
}

/** Every payload of `event` on `socket`, counted. */
function received<E extends ServerEventName>(socket: Client, event: E) {
  const c = counter<ServerPayload<E>>();
  (socket as unknown as Socket).on(event as string, c.add);
  return c;
}

type Ack = AckResponse<object>;
const codeOf = (a: Ack) => (a.ok ? 'ok' : a.error.code);
const countBy = (acks: Ack[]) =>
  acks.reduce<Record<string, number>>((n, a) => ((n[codeOf(a)] = (n[codeOf(a)] ?? 0) + 1), n), {});

/** Refused in the handshake: `connect_error`'s message and code. */
async function refusal(socket: Client): Promise<{ message: string; code?: string }> {
  const err = await connect(socket).then(
    () => {
      throw new Error('connected');
    },
    (e: Error & { data?: { code?: string } }) => e,
  );
  return { message: err.message, code: err.data?.code };
}

const disconnected = (socket: Client) => new Promise<string>((resolve) => socket.once('disconnect', resolve));

afterAll(() => dropTestDatabases());

describe('the event budget at its defaults (20/s, bursts of 50, 8 in flight)', () => {
  let server: TestServer;
  let service: string;
  const track = trackClients();
  beforeAll(async () => {
    server = await startServer();
    service = await sign({ sub: 'backend', role: 'service' });
  });
  afterAll(() => server.close());

  /**
   * Sends `flooder` 5,000 mark_all_read at once, then 100 every 20 ms until the server disconnects
   * it, while a notification is published to `calmUser` every 100 ms.
   */
  async function flood(flooder: Client, calmUser: string) {
    const acks = counter<Ack>();
    const errors = collect(flooder, 'error');
    const gone = disconnected(flooder);
    let over = false;
    void gone.then(() => (over = true));
    const started = Date.now();
    const sending = (async () => {
      for (let i = 0; i < 5000; i++) flooder.emit('notification:mark_all_read', {}, acks.add);
      while (!over) {
        for (let i = 0; i < 100; i++) flooder.emit('notification:mark_all_read', {}, acks.add);
        await sleep(20);
      }
    })();
    let published = 0;
    while (!over) {
      const res = await http(server, 'POST', '/api/notifications', {
        token: service,
        body: { userId: calmUser, title: `#${published + 1}`, message: 'during the flood' },
      });
      expect(res.status).toBe(201);
      published++;
      await sleep(100);
    }
    const reason = await gone;
    const elapsed = Date.now() - started;
    await sending;
    return { acks: countBy(acks.seen), errors, reason, elapsed, published };
  }

  async function expectFloodHandled(transport: 'websocket' | 'polling') {
    const calm = track(await connectAs(server, `calm-${transport}`));
    const delivered = received(calm, 'notification:new');
    const flooder = track(await connectAs(server, `flooder-${transport}`, { transports: [transport] }));
    expect(flooder.io.engine.transport.name).toBe(transport);
    const socketId = flooder.id!;
    const got = await flood(flooder, `calm-${transport}`);

    expect(got.reason).toBe('io server disconnect');
    // Disconnected for 5 s over budget, not for a burst: the excess began right after the first 50.
    expect(got.elapsed).toBeGreaterThanOrEqual(5000);
    // One error for the whole flood (it came before the disconnect, so it is here by now).
    expect(got.errors).toEqual([{ code: 'RATE_LIMITED', message: expect.stringMatching(/5 s/) }]);
    expect(Object.keys(got.acks).sort()).toEqual(['RATE_LIMITED', 'ok']);
    expect(got.acks.RATE_LIMITED).toBeGreaterThan(4500);
    expect(got.acks.ok).toBeLessThanOrEqual(50 + 20 * Math.ceil(got.elapsed / 1000));

    expect(got.published).toBeGreaterThanOrEqual(20);
    const seqs = (await delivered.until(got.published)).map((d) => d.notification.seq);
    expect(seqs).toEqual(Array.from({ length: got.published }, (_, i) => i + 1));

    const mine = logs.filter((l) => l.includes(socketId));
    expect(mine.filter((l) => l.includes('refused with RATE_LIMITED'))).toHaveLength(1);
    expect(mine.filter((l) => l.includes('disconnected'))).toHaveLength(1);
  }

  it('a WebSocket flood gets RATE_LIMITED acks, then error RATE_LIMITED and a disconnect; a calm user gets every notification', async () => {
    await expectFloodHandled('websocket');
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/realtime_events_rate_limited_total\{reason="rate"\} [1-9]\d{3,}/);
    expect(metrics).toMatch(/realtime_rate_limit_disconnects_total [1-9]/);
  }, 30_000);

  it('a long-polling flood is handled the same way', async () => {
    await expectFloodHandled('polling');
  }, 30_000);

  it('leaves legitimate clients alone: a burst of 50 within the in-flight cap, polling batches larger than one POST', async () => {
    for (const transport of ['websocket', 'polling'] as const) {
      const socket = track(await connectAs(server, `legit-${transport}`, { transports: [transport] }));
      const acks = counter<Ack>();
      // Ten 8 KB refresh tokens at once: 80 KB, which socket.io-client splits below the announced maxPayload.
      for (let i = 0; i < 10; i++) socket.emit('auth:refresh', { token: 'x'.repeat(8000) }, acks.add);
      await acks.until(10);
      // Then forty events, eight at a time (the in-flight cap): fifty in all, the burst.
      for (let wave = 1; wave <= 5; wave++) {
        for (let i = 0; i < 8; i++) socket.emit('notification:mark_all_read', {}, acks.add);
        await acks.until(10 + 8 * wave);
      }
      expect(countBy(acks.seen)).toEqual({ TOKEN_INVALID: 10, ok: 40 });
      expect(socket.connected).toBe(true);
      expect(socket.io.engine.transport.name).toBe(transport);
    }
  });

  it('logs the refused events of a socket once, with its id and user, not once per event', async () => {
    const socket = track(await connectAs(server, 'sloppy'));
    const acks = counter<Ack>();
    for (let i = 0; i < 30; i++) socket.emit('notification:mark_read', { notificationId: i } as never, acks.add);
    expect(countBy(await acks.until(30))).toEqual({ VALIDATION_ERROR: 30 });
    const mine = logs.filter((l) => l.includes(socket.id!));
    expect(mine).toEqual([expect.stringMatching(/^warn .* of user sloppy: .*refused with VALIDATION_ERROR/)]);
  });
});

describe.each(storeTargets.filter((t) => t.name === 'postgres'))('the in-flight cap on the $name store', (target) => {
  let server: TestServer;
  const track = trackClients();
  beforeAll(async () => {
    // Blocked handlers must outlast the wait below, not be cancelled by the statement timeout.
    server = await startServer({ ...(await target.env()), DATABASE_TIMEOUT_MS: '30000' });
  });
  afterAll(() => server.close());

  it('handles at most 8 events of a socket at once; a burst within budget waits its turn, beyond it is refused', async () => {
    const socket = track(await connectAs(server, 'queuer'));
    // Holds every change to notifications until COMMIT, so the socket's first handlers stay in progress.
    const lock = new pg.Client({ connectionString: server.config.databaseUrl });
    await lock.connect();
    try {
      await lock.query('begin; lock table notifications in access exclusive mode');
      const acks = counter<Ack>();
      for (let i = 0; i < 60; i++) socket.emit('notification:mark_all_read', {}, acks.add);
      // The bucket holds a burst of 50: the ten beyond it are refused at once, the fifty wait.
      expect(countBy(await acks.until(10))).toEqual({ RATE_LIMITED: 10 });
      const waiting = async () =>
        Number(
          (
            await lock.query(
              "select count(*) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and state in ('active', 'idle in transaction')",
            )
          ).rows[0].count,
        );
      const deadline = Date.now() + 10_000;
      while ((await waiting()) < 8 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      // At most eight handlers in the database (the pool would allow ten), not fifty.
      const inDatabase = await waiting();
      const activity = await lock.query(
        'select state, wait_event_type, query from pg_stat_activity where datname = current_database()',
      );
      expect(inDatabase, JSON.stringify(activity.rows)).toBeGreaterThan(0);
      expect(inDatabase).toBeLessThanOrEqual(8);
      await lock.query('commit');
      expect(countBy(await acks.until(60))).toEqual({ RATE_LIMITED: 10, ok: 50 });
    } finally {
      await lock.end();
    }
  });
});

describe('sockets per user and per address', () => {
  const track = trackClients();

  it('refuses the newest socket beyond MAX_SOCKETS_PER_USER with TOO_MANY_CONNECTIONS; another user connects', async () => {
    const server = await startServer({ MAX_SOCKETS_PER_USER: '3' });
    try {
      const held = [];
      for (let i = 0; i < 3; i++) held.push(track(await connectAs(server, 'many')));
      const extra = track(client(server, { auth: { token: await sign({ sub: 'many' }) } }));
      expect(await refusal(extra)).toEqual({ message: 'Unauthorized', code: 'TOO_MANY_CONNECTIONS' });
      for (let i = 0; i < 3; i++) expect(track(await connectAs(server, 'other')).connected).toBe(true);
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      expect(metrics).toMatch(/realtime_connections_refused_total\{code="TOO_MANY_CONNECTIONS",cap="user"\} 1/);
      // A socket that leaves frees its place (the server learns of it a moment later: try until then).
      held[0]!.disconnect();
      let again: Client | undefined;
      for (let attempt = 0; attempt < 50 && !again; attempt++) {
        again = await connectAs(server, 'many').then(track, () => undefined);
      }
      expect(again?.connected).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('refuses sockets beyond MAX_CONNECTIONS_PER_IP from one address', async () => {
    const server = await startServer({ MAX_CONNECTIONS_PER_IP: '4' });
    try {
      for (let i = 0; i < 4; i++) track(await connectAs(server, `ip-${i}`));
      const extra = track(client(server, { auth: { token: await sign({ sub: 'ip-4' }) } }));
      expect(await refusal(extra)).toEqual({ message: 'Unauthorized', code: 'TOO_MANY_CONNECTIONS' });
    } finally {
      await server.close();
    }
  });
});

describe('connection caps of the process', () => {
  const track = trackClients();

  it('derives the HTTP server maxConnections from the open-file limit by default', async () => {
    const server = await startServer();
    try {
      const httpServer = server.app.getHttpServer() as HttpServer;
      expect(httpServer.maxConnections).toBe(connectionLimits(server.config.limits).maxConnections);
      expect(httpServer.maxConnections).toBeGreaterThan(100);
    } finally {
      await server.close();
    }
  });

  it('refuses sockets beyond MAX_CONNECTIONS less the HTTP reserve, and /health still answers', async () => {
    const server = await startServer({ MAX_CONNECTIONS: '40' });
    try {
      const caps = connectionLimits(server.config.limits);
      expect(caps).toMatchObject({ maxConnections: 40, maxSockets: 36, maxSessions: 38 });
      expect((server.app.getHttpServer() as HttpServer).maxConnections).toBe(40);
      for (let i = 0; i < caps.maxSockets; i++) track(await connectAs(server, `full-${i}`));
      const extra = track(client(server, { auth: { token: await sign({ sub: 'one-too-many' }) } }));
      expect(await refusal(extra)).toEqual({ message: 'Unauthorized', code: 'TOO_MANY_CONNECTIONS' });
      expect((await http(server, 'GET', '/health')).status).toBe(200);

      // Bare Engine.IO sessions (never joining) may take half the reserve, then are refused outright.
      const handshake = `${server.url}${server.config.wsPath}?EIO=4&transport=polling`;
      let refused: { status: number; body: string } | undefined;
      for (let i = 0; i < 5 && !refused; i++) {
        const res = await fetch(handshake);
        const body = await res.text();
        if (res.status !== 200) refused = { status: res.status, body };
      }
      expect(refused).toEqual({ status: 403, body: expect.stringContaining('TOO_MANY_CONNECTIONS') });
      expect((await http(server, 'GET', '/health')).status).toBe(200);
      const metrics = (await http(server, 'GET', '/metrics')).body as string;
      expect(metrics).toMatch(/realtime_connections_refused_total\{code="TOO_MANY_CONNECTIONS",cap="sockets"\} 1/);
      expect(metrics).toMatch(/realtime_connections_refused_total\{code="TOO_MANY_CONNECTIONS",cap="sessions"\} 1/);
    } finally {
      await server.close();
    }
  }, 30_000);
});
