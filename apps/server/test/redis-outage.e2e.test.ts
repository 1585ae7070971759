import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { type Notification } from '@realtime/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Client,
  client,
  connect,
  http,
  next,
  sign,
  startServer,
  type TestServer,
  trackClients,
} from './helpers.js';
import { createTestDatabase, dropTestDatabases, redisAdapters, storeTargets } from './services.js';

afterAll(() => dropTestDatabases());

function redisServerProblem(): string | null {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return null;
  } catch {
    return 'redis-server is not installed';
  }
}
const problem = storeTargets.some((t) => t.name === 'postgres') ? redisServerProblem() : 'PostgreSQL is not reachable';
if (problem && process.env.CI) throw new Error(`the Redis outage test must run in CI: ${problem}`);
if (problem) console.warn(`[skip] Redis outage test: ${problem}`);

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return port;
}

/** A Redis of this test's own, so it can be stopped and started again under load. */
class PrivateRedis {
  private child: ChildProcess | null = null;
  constructor(readonly port: number) {}

  async start(): Promise<void> {
    this.child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    const deadline = Date.now() + 5000;
    while (!(await reachable(this.port))) {
      if (Date.now() > deadline) throw new Error('redis-server did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }
}

function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer().listen(port, '127.0.0.1');
    s.once('listening', () => s.close(() => resolve(false)));
    s.once('error', () => resolve(true));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.runIf(!problem).each(redisAdapters)(
  'Redis stopped for seconds under publishing load (REDIS_ADAPTER=%s)',
  (adapter) => {
    let redis: PrivateRedis;
    let a: TestServer;
    let b: TestServer;
    const track = trackClients();

    beforeAll(async () => {
      redis = new PrivateRedis(await freePort());
      await redis.start();
      const env = {
        DATABASE_URL: await createTestDatabase(),
        REDIS_URL: `redis://127.0.0.1:${redis.port}`,
        REDIS_ADAPTER: adapter,
      };
      [a, b] = await Promise.all([startServer(env), startServer(env)]);
    }, 30_000);
    afterAll(async () => {
      await Promise.all([a?.close(), b?.close()]);
      await redis?.stop();
    });

    it('ends with every acknowledged notification on every device that stayed connected', async () => {
      const users = ['u0', 'u1', 'u2', 'u3'];
      const devices: { userId: string; socket: Client; got: Map<string, number>; drops: number }[] = [];
      for (const userId of users) {
        for (const node of [a, b]) {
          // lastSeq 0: the device tracks its position, as the SDK does.
          const socket = track(client(node, { auth: { token: await sign({ sub: userId }), lastSeq: 0 } }));
          const counted = next(socket, 'notification:unread_count');
          await connect(socket);
          await counted;
          const device = { userId, socket, got: new Map<string, number>(), drops: 0 };
          socket.on('notification:new', ({ notification }) => device.got.set(notification.id, notification.seq));
          socket.on('disconnect', () => device.drops++);
          devices.push(device);
        }
      }
      const service = await sign({ sub: 'backend', role: 'service' });
      const acknowledged: Notification[] = [];
      let publishing = true;
      const publisher = (async () => {
        for (let i = 0; publishing; i++) {
          const res = await http(i % 2 ? a : b, 'POST', '/api/notifications', {
            token: service,
            body: { userId: users[i % users.length], title: `#${i}`, message: 'm' },
          }).catch(() => null);
          if (res?.status === 201) acknowledged.push(...(res.body.notifications as Notification[]));
          await sleep(20);
        }
      })();

      await sleep(1000);
      await redis.stop();
      await sleep(6000);
      const duringOutage = acknowledged.length;
      await redis.start();
      await sleep(1500);
      publishing = false;
      await publisher;

      expect(duringOutage).toBeGreaterThan(100);
      const missing = () =>
        devices.flatMap((d) =>
          acknowledged.filter((n) => n.userId === d.userId && !d.got.has(n.id)).map((n) => `${d.userId}#${n.seq}`),
        );
      const deadline = Date.now() + 15_000;
      while (missing().length > 0 && Date.now() < deadline) await sleep(100);
      expect(missing()).toEqual([]);
      // They stayed connected: what they got came from the catch-up, not from a reconnect's replay.
      expect(devices.map((d) => d.drops)).toEqual(devices.map(() => 0));
    }, 60_000);
  },
);
