import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Client,
  client,
  collect,
  connect,
  connectAs,
  next,
  SECRET,
  sign,
  sleep,
  startServer,
  type TestServer,
  trackClients,
} from './helpers.js';

let server: TestServer;
const track = trackClients();
const inSeconds = (s: number) => Math.floor(Date.now() / 1000) + s;

beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

function disconnected(socket: Client, ms = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('still connected')), ms);
    socket.once('disconnect', (reason) => {
      clearTimeout(timer);
      resolve(reason);
    });
  });
}

describe('token lifetime', () => {
  it('sends error TOKEN_EXPIRED and disconnects when the token expires', async () => {
    const socket = track(client(server, { auth: { token: await sign({ sub: 'gina', exp: inSeconds(2) }) } }));
    await connect(socket);
    const error = next(socket, 'error', 4000);
    const gone = disconnected(socket);
    expect(await error).toEqual({ message: 'token expired', code: 'TOKEN_EXPIRED' });
    expect(await gone).toBe('io server disconnect');
  });

  it('ends every session due at the same second, whichever of them left or refreshed first', async () => {
    const exp = inSeconds(2);
    const sockets = await Promise.all(
      ['gina-1', 'gina-2', 'gina-3'].map(async (sub) => {
        const socket = track(client(server, { auth: { token: await sign({ sub, exp }) } }));
        await connect(socket);
        return socket;
      }),
    );
    const [leaving, refreshing, staying] = sockets as [Client, Client, Client];
    leaving.disconnect();
    const ack = await refreshing.emitWithAck('auth:refresh', {
      token: await sign({ sub: 'gina-2', exp: inSeconds(3600) }),
    });
    expect(ack).toMatchObject({ ok: true });
    const refreshedErrors = collect(refreshing, 'error');
    const error = next(staying, 'error', 4000);
    const gone = disconnected(staying);
    expect(await error).toEqual({ message: 'token expired', code: 'TOKEN_EXPIRED' });
    expect(await gone).toBe('io server disconnect');
    // The refreshed socket, due at the same second before, outlives it: a marker shows it still answers.
    expect(await refreshing.emitWithAck('notification:mark_all_read', {})).toMatchObject({ ok: true });
    expect(refreshing.connected).toBe(true);
    expect(refreshedErrors).toEqual([]);
  });

  it('keeps the socket past the old expiry after auth:refresh with a newer token', async () => {
    const socket = track(client(server, { auth: { token: await sign({ sub: 'hank', exp: inSeconds(2) }) } }));
    await connect(socket);
    const exp = inSeconds(3600);
    const ack = await socket.emitWithAck('auth:refresh', { token: await sign({ sub: 'hank', exp }) });
    expect(ack).toEqual({ ok: true, expiresAt: new Date(exp * 1000).toISOString() });
    const errors = collect(socket, 'error');
    await sleep(2600);
    expect(socket.connected).toBe(true);
    expect(errors).toEqual([]);
  });

  it('refuses a refresh token of another user and changes nothing', async () => {
    const socket = track(client(server, { auth: { token: await sign({ sub: 'ivy', exp: inSeconds(2) }) } }));
    await connect(socket);
    const ack = await socket.emitWithAck('auth:refresh', {
      token: await sign({ sub: 'mallory', exp: inSeconds(3600) }),
    });
    expect(ack).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await next(socket, 'error', 4000)).toMatchObject({ code: 'TOKEN_EXPIRED' });
    await sleep(100);
    expect(socket.connected).toBe(false);
  });

  it('refuses expired and invalid refresh tokens with their codes', async () => {
    const socket = track(await connectAs(server, 'jack'));
    expect(
      await socket.emitWithAck('auth:refresh', { token: await sign({ sub: 'jack', exp: inSeconds(-5) }) }),
    ).toMatchObject({
      ok: false,
      error: { code: 'TOKEN_EXPIRED' },
    });
    expect(await socket.emitWithAck('auth:refresh', { token: 'garbage' })).toMatchObject({
      ok: false,
      error: { code: 'TOKEN_INVALID' },
    });
    expect(socket.connected).toBe(true);
  });

  it('refuses a refresh token that expires sooner than the current one, or without exp', async () => {
    const socket = track(client(server, { auth: { token: await sign({ sub: 'kim', exp: inSeconds(3600) }) } }));
    await connect(socket);
    expect(
      await socket.emitWithAck('auth:refresh', { token: await sign({ sub: 'kim', exp: inSeconds(600) }) }),
    ).toMatchObject({ ok: false, error: { code: 'TOKEN_INVALID' } });
    const input = `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'kim' })).toString('base64url')}`;
    const noExp = `${input}.${createHmac('sha256', SECRET).update(input).digest('base64url')}`;
    expect(await socket.emitWithAck('auth:refresh', { token: noExp })).toMatchObject({
      ok: false,
      error: { code: 'TOKEN_INVALID' },
    });
    expect(socket.connected).toBe(true);
  });
});

describe('inbound events', () => {
  it('answers a payload that fails its schema with error VALIDATION_ERROR and a failed ack, and stays up', async () => {
    const socket = track(await connectAs(server, 'kate'));
    const error = next(socket, 'error');
    const ack = await socket.emitWithAck('notification:mark_read', { notificationId: 42 } as never);
    expect(ack).toMatchObject({ ok: false, error: { code: 'VALIDATION_ERROR' } });
    expect(await error).toMatchObject({
      code: 'VALIDATION_ERROR',
      event: 'notification:mark_read',
      issues: [{ path: 'notificationId' }],
    });
    expect(socket.connected).toBe(true);
  });

  it('sends error VALIDATION_ERROR without an ack, for payloads that are not objects', async () => {
    const socket = track(await connectAs(server, 'liam'));
    for (const bad of ['string', null, 7, [1, 2]]) {
      const error = next(socket, 'error');
      (socket as unknown as { emit(ev: string, p: unknown): void }).emit('auth:refresh', bad);
      expect(await error).toMatchObject({ code: 'VALIDATION_ERROR', event: 'auth:refresh' });
    }
    expect(socket.connected).toBe(true);
  });

  it('ignores unknown events and server event names sent by clients', async () => {
    const victim = track(await connectAs(server, 'mona'));
    const attacker = track(await connectAs(server, 'nick'));
    const received = collect(victim, 'notification:new');
    const raw = attacker as unknown as { emit(ev: string, ...args: unknown[]): void };
    raw.emit('made:up', { x: 1 });
    raw.emit('notification:new', { notification: { userId: 'mona' }, timestamp: 'now' });
    raw.emit('leaderboard:updated', { leaderboard: [] });
    const ack = await attacker.emitWithAck('auth:refresh', { token: 'still-talking' });
    expect(ack.ok).toBe(false);
    expect(attacker.connected).toBe(true);
    expect(received).toEqual([]);
  });
});
