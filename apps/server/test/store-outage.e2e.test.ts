import { type AddressInfo, createServer, type Server, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, sign, sleep, startServer, type TestServer } from './helpers.js';
import { createTestDatabase, dropTestDatabases, storeTargets } from './services.js';

/** A TCP proxy to PostgreSQL whose connections the test can cut, as a network failure or failover would. */
async function proxyTo(target: URL): Promise<{ port: number; cut(): void; close(): Promise<void> }> {
  const pairs = new Set<Socket>();
  const server: Server = createServer((inbound) => {
    const outbound = new Socket();
    pairs.add(inbound).add(outbound);
    outbound.connect(Number(target.port || 5432), target.hostname);
    inbound.pipe(outbound).pipe(inbound);
    const drop = () => (inbound.destroy(), outbound.destroy(), pairs.delete(inbound), pairs.delete(outbound));
    inbound.on('error', drop).on('close', drop);
    outbound.on('error', drop).on('close', drop);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    cut: () => pairs.forEach((s) => s.resetAndDestroy()),
    close: () => new Promise((r) => server.close(() => r())),
  };
}

afterAll(() => dropTestDatabases());

describe.runIf(storeTargets.some((t) => t.name === 'postgres'))('PostgreSQL connections cut mid-query', () => {
  let server: TestServer;
  let proxy: Awaited<ReturnType<typeof proxyTo>>;

  beforeAll(async () => {
    const direct = await createTestDatabase();
    proxy = await proxyTo(new URL(direct));
    const url = new URL(direct);
    url.host = `127.0.0.1:${proxy.port}`;
    server = await startServer({ DATABASE_URL: url.toString() });
  });
  afterAll(async () => {
    await server?.close();
    await proxy?.close();
  });

  it('fails the requests in flight, keeps the process up, and recovers', async () => {
    const service = await sign({ sub: 'backend', role: 'service' });
    const statuses: number[] = [];
    const deadline = Date.now() + 600;
    // Eight publishers keep queries in flight (transactions included) while every connection is cut twice.
    const load = Array.from({ length: 8 }, async (_, w) => {
      for (let i = 0; Date.now() < deadline; i++) {
        const body = { userId: 'cut', title: `${w}-${i}`, message: 'm' };
        statuses.push((await http(server, 'POST', '/api/notifications', { token: service, body })).status);
      }
    });
    await sleep(200);
    proxy.cut();
    await sleep(200);
    proxy.cut();
    await Promise.all(load);
    expect(statuses.filter((s) => s !== 201 && s !== 500)).toEqual([]);
    expect(statuses).toContain(500);
    await sleep(100);
    const after = await http(server, 'POST', '/api/notifications', {
      token: service,
      body: { userId: 'cut', title: 'after', message: 'm' },
    });
    expect(after.status).toBe(201);
    const seqs = (
      await http(server, 'GET', '/api/notifications?limit=100', { token: await sign({ sub: 'cut' }) })
    ).body.items.map((n: { seq: number }) => n.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect((await http(server, 'GET', '/ready')).status).toBe(200);
  });
});
