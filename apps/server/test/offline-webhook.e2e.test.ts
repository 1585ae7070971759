import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectAs, http, sign, sleep, startServer, type TestServer, trackClients } from './helpers.js';
import { dropTestDatabases, storeTargets } from './services.js';

const SECRET = 'whsec-test-0123456789';

/** What a receiver does with `X-Realtime-Signature`, written from the README, not from the server's code. */
function verify(header: string | undefined, body: string, secret = SECRET, toleranceS = 300): boolean {
  const parts = Object.fromEntries((header ?? '').split(',').map((kv) => kv.split('=') as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(Date.now() / 1000 - t) > toleranceS || !parts.v1) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest();
  const given = Buffer.from(parts.v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

interface Hook {
  body: string;
  headers: IncomingHttpHeaders;
  json: { event: string; notification: { id: string; userId: string; title: string } };
}

afterAll(() => dropTestDatabases());

describe.each(storeTargets)('the webhook channel on the $name store', (target) => {
  let hook: Server;
  let server: TestServer;
  const received: Hook[] = [];
  /** Answers to give before the default 204, first first. */
  const answers: { status: number; headers?: Record<string, string> }[] = [];
  let service: string;
  const track = trackClients();

  beforeAll(async () => {
    hook = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        const scripted = answers.shift();
        if (scripted) return void res.writeHead(scripted.status, scripted.headers).end();
        received.push({ body: raw, headers: req.headers, json: JSON.parse(raw) });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    server = await startServer({
      ...(await target.env()),
      FALLBACK_WEBHOOK_URL: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/offline`,
      FALLBACK_WEBHOOK_SECRET: SECRET,
    });
    service = await sign({ sub: 'backend', role: 'service' });
  });
  afterAll(async () => {
    await server.close();
    await new Promise((r) => hook.close(r));
  });

  const publish = async (body: Record<string, unknown>) => {
    const res = await http(server, 'POST', '/api/notifications', { token: service, body: { message: 'm', ...body } });
    expect(res.status).toBe(201);
    return res.body.notifications as { id: string; userId: string }[];
  };
  const deliveriesOf = async (id: string, token = service) =>
    (await http(server, 'GET', `/api/notifications/${id}/deliveries`, { token })).body.deliveries as {
      channel: string;
      status: string;
      reason?: string;
      attempts: number;
      lastError?: string;
    }[];
  const webhookOf = async (id: string) => {
    for (let i = 0; i < 100; i++) {
      const d = (await deliveriesOf(id)).find((x) => x.channel === 'webhook');
      if (d && d.status !== 'pending') return d;
      await sleep(100);
    }
    throw new Error(`the webhook delivery of ${id} stayed pending`);
  };

  it('posts the notifications of users without a socket, signed, and records why the others were not', async () => {
    track(await connectAs(server, `here-${target.name}`));
    const [away, here] = await publish({ userIds: [`away-${target.name}`, `here-${target.name}`], title: 'Ping' });
    expect(await webhookOf(away!.id)).toMatchObject({ status: 'sent', attempts: 1 });
    expect(await webhookOf(here!.id)).toMatchObject({ status: 'skipped', reason: 'online', attempts: 0 });
    const mine = received.filter((r) => r.json.notification.id === away!.id);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.json).toMatchObject({ event: 'notification.offline', notification: { title: 'Ping' } });
    expect(received.some((r) => r.json.notification.id === here!.id)).toBe(false);
    // A receiver can tell it came from the gateway, and that nobody changed it on the way.
    const { body, headers } = mine[0]!;
    expect(verify(headers['x-realtime-signature'] as string, body)).toBe(true);
    expect(verify(headers['x-realtime-signature'] as string, body.replace('Ping', 'Pong'))).toBe(false);
    expect(verify(headers['x-realtime-signature'] as string, body, 'another-secret')).toBe(false);
    expect(headers['x-realtime-delivery']).toMatch(/^\d+$/);
  });

  it('retries after Retry-After when the receiver is busy, and sends once', async () => {
    answers.push({ status: 503, headers: { 'retry-after': '1' } });
    const [n] = await publish({ userId: `busy-${target.name}`, title: 'Busy' });
    const d = await webhookOf(n!.id);
    expect(d).toMatchObject({ status: 'sent', attempts: 2 });
    expect(received.filter((r) => r.json.notification.id === n!.id)).toHaveLength(1);
  });

  it('fails at once on a refusal, with the answer recorded', async () => {
    answers.push({ status: 400 });
    const [n] = await publish({ userId: `refused-${target.name}`, title: 'Refused' });
    expect(await webhookOf(n!.id)).toMatchObject({ status: 'failed', attempts: 1, lastError: 'webhook answered 400' });
  });

  it('skips what was read before it was due, and what preferences turn off unless critical', async () => {
    const user = `reader-${target.name}`;
    const token = await sign({ sub: user });
    const [n] = await publish({ userId: user, title: 'Later', offline: { delaySeconds: 1 } });
    expect((await http(server, 'POST', `/api/notifications/${n!.id}/read`, { token })).status).toBe(200);
    expect(await webhookOf(n!.id)).toMatchObject({ status: 'skipped', reason: 'read' });

    await http(server, 'PUT', '/api/preferences', { token, body: { preferences: { promo: { offline: false } } } });
    const [muted] = await publish({ userId: user, type: 'promo', title: 'Sale' });
    const [critical] = await publish({ userId: user, type: 'promo', title: 'Alert', critical: true });
    expect(await webhookOf(muted!.id)).toMatchObject({ status: 'skipped', reason: 'preference' });
    expect(await webhookOf(critical!.id)).toMatchObject({ status: 'sent' });
  });

  it('writes the channels the publisher chose that can reach the user', async () => {
    const user = `chooser-${target.name}`;
    const [hook] = await publish({ userId: user, title: 'Webhook only', offline: { channels: ['webhook'] } });
    expect((await deliveriesOf(hook!.id)).map((d) => d.channel)).toEqual(['webhook']);
    // Push reaches only users with a subscription: this one has none.
    const [push] = await publish({ userId: user, title: 'Push only', offline: { channels: ['push'] } });
    expect(await deliveriesOf(push!.id)).toEqual([]);
    const [none] = await publish({ userId: user, title: 'None', offline: { channels: [] } });
    expect(await deliveriesOf(none!.id)).toEqual([]);
  });

  it('shows deliveries to services and to the owner, and another user 404', async () => {
    const owner = `owner-${target.name}`;
    const [n] = await publish({ userId: owner, title: 'Mine' });
    await webhookOf(n!.id);
    const own = await http(server, 'GET', `/api/notifications/${n!.id}/deliveries`, {
      token: await sign({ sub: owner }),
    });
    expect(own.status).toBe(200);
    expect(own.body.deliveries.map((d: { channel: string }) => d.channel)).toEqual(['webhook']);
    const other = await http(server, 'GET', `/api/notifications/${n!.id}/deliveries`, {
      token: await sign({ sub: 'someone-else' }),
    });
    expect(other.status).toBe(404);
    const bogus = await http(server, 'GET', '/api/notifications/not-a-uuid/deliveries', { token: service });
    expect(bogus.status).toBe(404);
  });
});
