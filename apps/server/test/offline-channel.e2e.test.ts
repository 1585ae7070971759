import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectAs, http, sign, sleep, startServer, type TestServer } from './helpers.js';

let hook: Server;
let server: TestServer;
const received: { notification: { userId: string; title: string } }[] = [];

beforeAll(async () => {
  hook = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      received.push(JSON.parse(raw));
      res.end();
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  server = await startServer({
    FALLBACK_WEBHOOK_URL: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/offline`,
  });
});
afterAll(async () => {
  await server.close();
  await new Promise((r) => hook.close(r));
});

describe('offline channel', () => {
  it('hands notifications of users without a socket to FALLBACK_WEBHOOK_URL, and only those', async () => {
    const online = await connectAs(server, 'here');
    const token = await sign({ sub: 'backend', role: 'service' });
    const res = await http(server, 'POST', '/api/notifications', {
      token,
      body: { userIds: ['here', 'away'], title: 'Ping', message: 'm' },
    });
    expect(res.status).toBe(201);
    for (let i = 0; i < 50 && received.length === 0; i++) await sleep(20);
    await sleep(100);
    expect(received.map((b) => [b.notification.userId, b.notification.title])).toEqual([['away', 'Ping']]);
    online.disconnect();
  });
});
