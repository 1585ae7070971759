import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io } from 'socket.io-client';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { probe, type Spawned, spawnServer } from './built-server.js';
import { type Client, connect, http, next, sign, startServer, type TestServer } from './helpers.js';
import { createTestDatabase, dropTestDatabases, storeTargets } from './services.js';
import { DrainService } from '../src/health/drain.service.js';
import { HealthService } from '../src/health/health.service.js';

const hasPostgres = storeTargets.some((t) => t.name === 'postgres');

afterAll(() => dropTestDatabases());

/**
 * A POST whose body arrives in two parts: in flight from `started` (the server answered
 * `100 Continue`, so it has the request) until `finish()` sends the rest.
 */
function slowPost(url: string, path: string, token: string, payload: unknown) {
  const body = JSON.stringify(payload);
  const req = request(`${url}${path}`, {
    method: 'POST',
    agent: false,
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      expect: '100-continue',
    },
  });
  const response = new Promise<{
    status: number;
    body: any;
    connection: string | undefined;
    vary: string | undefined;
  }>((resolve, reject) => {
    req.once('error', reject);
    req.once('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode!,
          body: JSON.parse(text),
          connection: res.headers.connection,
          vary: res.headers.vary,
        }),
      );
    });
  });
  const started = once(req, 'continue').then(() => void req.write(body.slice(0, 10)));
  req.flushHeaders();
  return {
    started,
    response,
    finish: () => req.end(body.slice(10)),
    /** What the client side had sent, for a failure's message. */
    sent: () =>
      `client sent ${req.socket?.bytesWritten ?? 0} bytes of ${body.length} body bytes plus headers; finished: ${req.writableFinished}`,
  };
}

/** The answer to `post`, or a failure that shows what the server said meanwhile. */
async function answer(post: ReturnType<typeof slowPost>, server: Spawned) {
  try {
    return await post.response;
  } catch (err) {
    throw new Error(`${String(err)}; ${post.sent()}; the server said:\n${server.lines.join('\n')}`, { cause: err });
  }
}

/** A WebSocket-only client of `sub`, connected and authenticated. */
const device = async (url: string, sub: string): Promise<Client> => {
  const socket: Client = io(url, {
    forceNew: true,
    reconnection: false,
    autoConnect: false,
    transports: ['websocket'],
    auth: { token: await sign({ sub }) },
  });
  const count = next(socket, 'notification:unread_count');
  await connect(socket);
  await count;
  return socket;
};

describe('SIGTERM: the built server drains, then exits 0', () => {
  let server: Spawned | undefined;
  let dataDir: string | undefined;

  afterEach(async () => {
    if (server && server.child.exitCode === null) server.child.kill('SIGKILL');
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('turns /ready 503, stops listening, answers the request in flight, then closes its sockets; nothing acknowledged is lost', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'drain-e2e-'));
    server = await spawnServer({ DATA_DIR: dataDir, LOG_FORMAT: 'json' });
    const { child, url } = server;
    const timeline: string[] = [];
    const socket = await device(url, 'drew');
    socket.on('notification:new', () => timeline.push('socket got notification:new'));
    const disconnected = new Promise<string>((resolve) =>
      socket.once('disconnect', (reason) => {
        timeline.push('socket disconnected');
        resolve(reason);
      }),
    );
    const service = await sign({ sub: 'backend', role: 'service' });
    const post = slowPost(url, '/api/notifications', service, {
      userId: 'drew',
      title: 'In flight',
      message: 'at SIGTERM',
    });
    // A publish answered before Fastify (common/fast-route.ts) is in flight too, and drained the same way.
    const publish = slowPost(url, '/api/events', service, {
      event: 'xp:gained',
      payload: { amount: 1, source: 'drain', totalXp: 1 },
      userIds: ['drew'],
    });
    const xp = next(socket, 'xp:gained', 10_000);
    await Promise.all([post.started, publish.started]);

    const signalled = Date.now();
    child.kill('SIGTERM');
    const statuses: (number | 'refused')[] = [];
    for (let status = await probe(url); ; status = await probe(url)) {
      if (statuses.at(-1) !== status) statuses.push(status);
      if (status === 'refused') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    timeline.push('listener closed');
    // 503 from the first moment (a 200 can only come before the signal was handled), then nothing listens.
    expect(statuses.filter((s) => s !== 200)).toEqual([503, 'refused']);
    expect(socket.connected).toBe(true);

    publish.finish();
    const published = await answer(publish, server);
    // No `vary`: answered before Fastify, whose CORS hook adds it to every answer (fast-route.e2e).
    expect(published).toMatchObject({ status: 202, connection: 'close', vary: undefined });
    expect(await xp).toEqual({ amount: 1, source: 'drain', totalXp: 1 });
    post.finish();
    const created = await answer(post, server);
    timeline.push('request answered');
    expect(created.status).toBe(201);
    expect(created.connection).toBe('close');
    expect(['transport close', 'io server disconnect']).toContain(await disconnected);
    expect(await server.exited).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(10_000);
    // The answer and the event travel on two connections: either may be seen first.
    expect([timeline[0], ...timeline.slice(1, 3).sort(), timeline[3]]).toEqual([
      'listener closed',
      'request answered',
      'socket got notification:new',
      'socket disconnected',
    ]);

    // One JSON object per line, the drain's steps among them.
    const records = server.lines.filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
    for (const r of records)
      expect(r).toMatchObject({ level: expect.any(String), time: expect.any(String), msg: expect.any(String) });
    expect(records.map((r) => r.msg)).toEqual(
      expect.arrayContaining(['SIGTERM: draining', 'stopped accepting connections', 'drained: exiting']),
    );

    // What was acknowledged during the drain is in the store the next process opens.
    server = await spawnServer({ DATA_DIR: dataDir });
    const feed = await http({ url: server.url } as TestServer, 'GET', '/api/notifications', {
      token: await sign({ sub: 'drew' }),
    });
    expect(feed.body.items.map((n: { title: string }) => n.title)).toEqual(['In flight']);
    server.child.kill('SIGINT');
    expect(await server.exited).toBe(0);
  }, 60_000);

  it.runIf(hasPostgres)(
    'drains a WORKERS=2 worker: its request in flight is answered and its sockets closed',
    async () => {
      server = await spawnServer({ DATABASE_URL: await createTestDatabase(), WORKERS: '2' });
      const socket = await device(server.url, 'wendy');
      const disconnected = new Promise<string>((resolve) => socket.once('disconnect', resolve));
      const service = await sign({ sub: 'backend', role: 'service' });
      const post = slowPost(server.url, '/api/notifications', service, { userId: 'wendy', title: 'T', message: 'M' });
      await post.started;

      const signalled = Date.now();
      server.child.kill('SIGTERM');
      // The primary closes its listener first, then signals the workers.
      while ((await probe(server.url)) !== 'refused') await new Promise((r) => setTimeout(r, 20));
      post.finish();
      expect((await answer(post, server)).status).toBe(201);
      expect(['transport close', 'io server disconnect']).toContain(await disconnected);
      expect(await server.exited).toBe(0);
      expect(Date.now() - signalled).toBeLessThan(10_000);
    },
    60_000,
  );
});

describe('DrainService', () => {
  it('refuses new Socket.IO handshakes from the first moment of a drain', async () => {
    const server = await startServer();
    try {
      const handshake = () => http(server, 'GET', '/socket.io/?EIO=4&transport=polling');
      expect((await handshake()).status).toBe(200);
      server.app.get(HealthService).startDraining();
      expect(await handshake()).toMatchObject({ status: 403, body: { message: 'draining' } });
      expect((await http(server, 'GET', '/ready')).body).toEqual({ status: 'draining' });
    } finally {
      await server.close();
    }
  });

  it('cuts a request that never completes and still closes the app in time', async () => {
    const server = await startServer();
    const post = slowPost(server.url, '/api/notifications', await sign({ sub: 'backend', role: 'service' }), {
      userId: 'x',
      title: 'never',
      message: 'finished',
    });
    await post.started;
    // Expected from now on: the cut may come before the drain resolves.
    const cut = expect(post.response).rejects.toThrow(/socket hang up|ECONNRESET/);
    const start = Date.now();
    await server.app
      .get(DrainService)
      .drain(server.app, { readyGraceMs: 100, requestsDeadlineMs: 600, socketsDeadlineMs: 800, exitDeadlineMs: 1000 });
    expect(Date.now() - start).toBeLessThan(1500);
    await cut;
  });
});
