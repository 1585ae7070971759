import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRealtimeClient, type GetToken, type RealtimeClient, type TokenReason } from '../src/index.js';
import { record, until, untilState } from './support/client-events.js';
import { type Gateway, publish, sign, startGateway, uniqueUser } from './support/gateway.js';

let gw: Gateway;
const open: RealtimeClient[] = [];

beforeAll(async () => {
  gw = await startGateway();
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});
afterAll(() => gw?.stop());

// Reconnection delays short enough that a reconnect loop would show many times over in the waits below.
const RETRY_MAX_MS = 100;

function clientWith(getToken: GetToken) {
  const reasons: TokenReason[] = [];
  const client = createRealtimeClient({
    url: gw.url,
    getToken: (ctx) => (reasons.push(ctx.reason), getToken(ctx)),
    socket: { transports: ['websocket'], reconnectionDelay: 20, reconnectionDelayMax: RETRY_MAX_MS },
  });
  open.push(client);
  return { client, reasons };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function presence(userId: string): Promise<{ connections: number }> {
  const res = await fetch(`${gw.url}/api/presence/${userId}`, {
    headers: { authorization: `Bearer ${await sign('backend', { role: 'service' })}` },
  });
  return (await res.json()) as { connections: number };
}

describe('tokens', () => {
  it('rotates short-lived tokens in band: same socket, no disconnect, past several expiries', async () => {
    const user = uniqueUser('rae');
    let refreshes = 0;
    let thirdRefresh!: () => void;
    const renewedThrice = new Promise<void>((r) => (thirdRefresh = r));
    const { client } = clientWith(async ({ reason }) => {
      if (reason === 'refresh' && ++refreshes === 3) thirdRefresh();
      return sign(user, { ttl: 3 });
    });
    client.connect();
    await untilState(client, 'synced');
    const socketId = client.socket.id;
    const firstExpiry = Date.now() + 3000;
    const states = record(client, 'state');

    // Any state change meanwhile (the server ending the session, a reconnect) fails the test at once.
    let stopWatching = () => {};
    const changed = new Promise<never>((_, reject) => {
      stopWatching = client.on('state', (c) => reject(new Error(`the session changed state: ${JSON.stringify(c)}`)));
    });
    await Promise.race([renewedThrice, changed]);
    stopWatching();
    // The first token is long gone; the session still runs on the same socket, and still delivers.
    await sleep(Math.max(0, firstExpiry + 1000 - Date.now()));
    const arrived = until(client, 'notification', (d) => d.notification.title === 'after 1');
    await publish(gw.url, user, 1, 'after');
    await arrived;
    expect(client.socket.id).toBe(socketId);
    expect(states).toEqual([]);
    expect(client.state).toBe('synced');
    expect((await presence(user)).connections).toBe(1);
  });

  it('takes a fresh token when the handshake refuses an expired one', async () => {
    const user = uniqueUser('sam');
    const { client, reasons } = clientWith(({ reason }) =>
      reason === 'connect' ? sign(user, { iat: Math.floor(Date.now() / 1000) - 120, ttl: 60 }) : sign(user),
    );
    client.connect();
    await untilState(client, 'synced');
    expect(reasons).toEqual(['connect', 'rejected']);
  });

  it('reconnects with a fresh token when the session expired in band, and stops when no fresh one comes', async () => {
    const user = uniqueUser('ty');
    // A token source that cannot renew: the same 2 s token, again and again.
    const token = await sign(user, { ttl: 2 });
    const { client, reasons } = clientWith(() => token);
    const serverErrors = record(client, 'error');
    client.connect();
    await untilState(client, 'synced');
    const failed = until(client, 'state', (c) => c.to === 'failed');
    expect(await failed).toMatchObject({ reason: 'TOKEN_EXPIRED' });
    expect(serverErrors.map((e) => e.code)).toEqual(['TOKEN_EXPIRED']);
    expect(client.failure?.code).toBe('TOKEN_EXPIRED');
    // One reconnect with `rejected` after the kick, one more after its refusal, then no more.
    expect(reasons.filter((r) => r === 'rejected')).toHaveLength(2);
    expect(client.socket.active).toBe(false);
  });

  it('stops at once on an invalid token, without retrying', async () => {
    const user = uniqueUser('uma');
    const { client, reasons } = clientWith(() => sign(user).then((t) => `${t.slice(0, -2)}xx`));
    const failed = until(client, 'state', (c) => c.to === 'failed');
    client.connect();
    expect(await failed).toEqual({ from: 'connecting', to: 'failed', reason: 'TOKEN_INVALID' });
    await sleep(10 * RETRY_MAX_MS);
    expect(reasons).toEqual(['connect']);
    expect(client.state).toBe('failed');
  });
});

describe('revocation', () => {
  it("stops a revoked user's client: failed with TOKEN_REVOKED, and no reconnect loop", async () => {
    const user = uniqueUser('vic');
    const { client, reasons } = clientWith(() => sign(user));
    client.connect();
    await untilState(client, 'synced');
    const failed = until(client, 'state', (c) => c.to === 'failed');

    const res = await fetch(`${gw.url}/api/sessions/revoke`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${await sign('backend', { role: 'service' })}`,
      },
      body: JSON.stringify({ userId: user }),
    });
    expect(res.status).toBe(200);
    expect(await failed).toEqual({ from: 'synced', to: 'failed', reason: 'TOKEN_REVOKED' });
    expect(client.failure).toMatchObject({ code: 'TOKEN_REVOKED' });
    const asked = reasons.length;

    // socket.io will not reconnect an inactive socket, and the SDK scheduled nothing: well past every retry
    // delay, no token was asked for, nothing reconnected, and the server counts no socket for the user.
    expect(client.socket.active).toBe(false);
    await sleep(10 * RETRY_MAX_MS);
    expect(reasons).toHaveLength(asked);
    expect(client.state).toBe('failed');
    expect((await presence(user)).connections).toBe(0);
  });
});
