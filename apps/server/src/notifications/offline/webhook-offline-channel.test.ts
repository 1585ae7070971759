import { type Notification } from '@realtime/contracts';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebhookOfflineChannel } from './webhook-offline-channel.js';

const notification: Notification = {
  id: '0b6f4c1e-7a8e-4f7e-9d1a-3c2b1a0f9e8d',
  userId: 'ola',
  seq: 4,
  type: 'info',
  title: 'Hi',
  message: 'there',
  read: false,
  createdAt: '2026-11-27T10:00:00.000Z',
};

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

/** A webhook receiver that answers with the given statuses in turn and records each body. */
async function receiver(statuses: number[]) {
  const bodies: unknown[] = [];
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      bodies.push(JSON.parse(raw));
      res.statusCode = statuses[bodies.length - 1] ?? 200;
      res.end();
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, bodies };
}

describe('WebhookOfflineChannel', () => {
  it('POSTs the notification as JSON', async () => {
    const hook = await receiver([200]);
    await new WebhookOfflineChannel(hook.url).deliver(notification);
    expect(hook.bodies).toEqual([{ event: 'notification.offline', notification }]);
  });

  it('retries with back-off until the webhook accepts', async () => {
    const hook = await receiver([500, 503, 204]);
    await new WebhookOfflineChannel(hook.url, { retryDelaysMs: [10, 20, 40] }).deliver(notification);
    expect(hook.bodies).toHaveLength(3);
  });

  it('gives up after the last retry without throwing', async () => {
    const hook = await receiver([500, 500, 500]);
    await expect(
      new WebhookOfflineChannel(hook.url, { retryDelaysMs: [5, 5] }).deliver(notification),
    ).resolves.toBeUndefined();
    expect(hook.bodies).toHaveLength(3);
  });

  it('survives an unreachable webhook, and drain waits for deliveries in flight', async () => {
    const channel = new WebhookOfflineChannel('http://127.0.0.1:9/nowhere', { retryDelaysMs: [5], timeoutMs: 500 });
    void channel.deliver(notification);
    await expect(channel.drain()).resolves.toBeUndefined();
  });
});
