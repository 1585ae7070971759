import { execFileSync } from 'node:child_process';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Spawned, spawnServer } from './built-server.js';
import { type Client, collect, connect, http, next, sign, type TestServer, trackClients } from './helpers.js';
import { createTestDatabase, dropTestDatabases, storeTargets } from './services.js';

const hasPostgres = storeTargets.some((t) => t.name === 'postgres');

afterAll(() => dropTestDatabases());

/** The `ss` lines of the established TCP connections to the port, with the processes holding them. */
function connectionsTo(port: number): string {
  return execFileSync('ss', ['-tnpH', 'state', 'established', `( sport = :${port} )`], { encoding: 'utf8' });
}

/**
 * The pid of the worker holding the other end of each client's TCP connection (-1 if none). The
 * primary also holds a connection until the worker acknowledges it, so its pid is passed over.
 */
function workerOf(port: number, clients: Client[], primary: number): number[] {
  const pidByPeerPort = new Map<number, number>();
  for (const line of connectionsTo(port).split('\n')) {
    const peer = /:(\d+)\s+users:\((.*)\)/.exec(line);
    const pids = [...(peer?.[2] ?? '').matchAll(/pid=(\d+)/g)].map((m) => Number(m[1]));
    const worker = pids.find((pid) => pid !== primary);
    if (peer && worker !== undefined) pidByPeerPort.set(Number(peer[1]), worker);
  }
  return clients.map((c) => {
    const ws = (c.io.engine.transport as unknown as { ws?: { _socket?: { localPort?: number } } }).ws;
    return pidByPeerPort.get(ws?._socket?.localPort ?? -1) ?? -1;
  });
}

// The built server, started as an operator would: `WORKERS=2 node dist/main.js`.
describe.runIf(hasPostgres)('WORKERS=2: two processes behind one port act as one server', () => {
  let spawned: Spawned;
  let server: TestServer;
  let port: number;
  const track = trackClients();

  beforeAll(async () => {
    spawned = await spawnServer({ DATABASE_URL: await createTestDatabase(), WORKERS: '2' });
    port = Number(new URL(spawned.url).port);
    server = { url: spawned.url, config: { wsPath: '/socket.io/' } } as TestServer;
  }, 30_000);

  afterAll(async () => {
    if (spawned.child.exitCode === null) {
      spawned.child.kill('SIGKILL');
      await spawned.exited;
    }
  });

  const device = async (sub: string, transports: ('websocket' | 'polling')[] = ['websocket']) => {
    const socket = track(
      io(server.url, {
        forceNew: true,
        reconnection: false,
        autoConnect: false,
        transports,
        auth: { token: await sign({ sub }) },
      }),
    );
    const count = next(socket, 'notification:unread_count');
    await connect(socket);
    await count;
    return socket;
  };

  it("keeps a user's devices on different workers in sync: notification, mark-read, unread count", async () => {
    const devices = [];
    for (let i = 0; i < 4; i++) devices.push(await device('wanda'));
    const pids = workerOf(port, devices, spawned.child.pid!);
    expect(pids.every((p) => p > 0)).toBe(true);
    expect(new Set(pids).size).toBe(2);

    const service = await sign({ sub: 'backend', role: 'service' });
    const arrivals = devices.map((d) =>
      Promise.all([next(d, 'notification:new'), next(d, 'notification:unread_count')]),
    );
    const created = await http(server, 'POST', '/api/notifications', {
      token: service,
      body: { userId: 'wanda', title: 'Across', message: 'workers' },
    });
    expect(created.status).toBe(201);
    const id = created.body.notifications[0].id as string;
    for (const [n, count] of await Promise.all(arrivals)) {
      expect(n.notification.id).toBe(id);
      expect(count).toEqual({ unreadCount: 1, version: 1 });
    }

    const reader = devices[0]!;
    const elsewhere = devices.filter((_, i) => pids[i] !== pids[0]);
    const synced = elsewhere.map((d) =>
      Promise.all([next(d, 'notification:read'), next(d, 'notification:unread_count')]),
    );
    expect(await reader.emitWithAck('notification:mark_read', { notificationId: id })).toMatchObject({ ok: true });
    for (const got of await Promise.all(synced)) {
      expect(got).toEqual([
        { notificationId: id, success: true },
        { unreadCount: 0, version: 2 },
      ]);
    }
    expect((await http(server, 'GET', '/api/presence/wanda', { token: service })).body).toEqual({
      userId: 'wanda',
      online: true,
      connections: 4,
    });
  });

  it('sends the leaderboard an XP award changes to the sockets of every worker', async () => {
    const devices = [];
    for (let i = 0; i < 4; i++) devices.push(await device(`lena${i}`));
    expect(new Set(workerOf(port, devices, spawned.child.pid!)).size).toBe(2);
    const boards = devices.map((d) => collect(d, 'leaderboard:updated'));
    const service = await sign({ sub: 'backend', role: 'service' });
    // One award, so one worker makes the board: the other's sockets get it from that one.
    const res = await http(server, 'POST', '/api/xp', {
      token: service,
      body: { userId: 'lena0', amount: 50_000, source: 'quest' },
    });
    expect(res.status).toBe(200);
    const final = (await http(server, 'GET', '/api/leaderboard', { token: service })).body.leaderboard;
    expect(final[0]).toMatchObject({ userId: 'lena0', xp: 50_000 });
    await vi.waitFor(() => boards.forEach((b) => expect(b.at(-1)?.leaderboard).toEqual(final)), { timeout: 5000 });
  });

  it('serves HTTP long-polling (every request of a session reaches its worker) and large bodies', async () => {
    const poller = await device('polly', ['polling']);
    const watcher = await device('walt');
    const service = await sign({ sub: 'backend', role: 'service' });
    // A body far larger than one TCP read: the worker reads what the primary did not.
    const leaderboard = Array.from({ length: 2000 }, (_, i) => ({
      userId: `u${i}`,
      displayName: 'x'.repeat(40),
      xp: i,
      position: i + 1,
    }));
    const strays = collect(watcher, 'xp:gained');
    for (let round = 0; round < 3; round++) {
      const both = Promise.all([next(poller, 'leaderboard:updated'), next(watcher, 'leaderboard:updated')]);
      const res = await http(server, 'POST', '/api/events', {
        token: service,
        body: { event: 'leaderboard:updated', payload: { leaderboard } },
      });
      expect(res.status).toBe(202);
      const [a, b] = await both;
      expect(a.leaderboard).toHaveLength(2000);
      expect(b).toEqual(a);
    }
    const xp = next(poller, 'xp:gained');
    await http(server, 'POST', '/api/events', {
      token: service,
      body: { event: 'xp:gained', payload: { amount: 1, source: 'poll', totalXp: 1 }, userIds: ['polly'] },
    });
    expect(await xp).toEqual({ amount: 1, source: 'poll', totalXp: 1 });
    expect(poller.io.engine.transport.name).toBe('polling');
    expect(strays).toEqual([]);
  });

  it('reports the metrics of every worker at /metrics', async () => {
    const connections = async () =>
      Number(/^realtime_connections (\d+)/m.exec((await http(server, 'GET', '/metrics')).body as string)?.[1]);
    const settle = async (count: number) => {
      // Twice in a row: a socket of an earlier test that is still closing can make one read pass by chance.
      const deadline = Date.now() + 5000;
      for (let stable = 0; stable < 2 && Date.now() < deadline;) {
        stable = (await connections()) === count ? stable + 1 : 0;
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    // The primary gives a connection to the worker with the fewest sessions, as each reported last
    // (every second): let earlier tests' sockets close and both workers report it first.
    await settle(0);
    await new Promise((r) => setTimeout(r, 1100));
    const devices = [await device('mia'), await device('mia')];
    const pids = () => workerOf(port, devices, spawned.child.pid!);
    // A socket `ss` did not find (-1) is no second worker.
    const workers = () => new Set(pids().filter((pid) => pid > 0)).size;
    while (workers() < 2 && devices.length < 12) devices.push(await device('mia'));
    // If this fails, the pids and the connections `ss` saw say whether the balancer or the lookup erred.
    expect({ workers: workers(), pids: pids(), ss: connectionsTo(port) }).toMatchObject({ workers: 2 });
    // Sockets on both workers: only the sum of both says how many.
    await settle(devices.length);
    // If this fails, whether mia's devices are still connected says which side lost count.
    expect({ connections: await connections(), connected: devices.map((d) => d.connected) }).toEqual({
      connections: devices.length,
      connected: devices.map(() => true),
    });
  });

  it('drains and exits on SIGTERM', async () => {
    const exited = new Promise<number | null>((r) => spawned.child.once('exit', (code) => r(code)));
    spawned.child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 15_000);
});
