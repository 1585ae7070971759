import { Logger } from '@nestjs/common';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../config/config.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { ClientEventRouter } from './client-event-router.js';
import { type AppSocket } from './socket-types.js';
import { WebSocketService } from './websocket.service.js';

describe('ClientEventRouter', () => {
  const router = () => {
    const metrics = new MetricsService();
    const config = loadConfig({});
    return new ClientEventRouter(metrics, new WebSocketService(metrics, config), config);
  };

  it('refuses to start while a contract event has no handler', () => {
    const r = router();
    r.handle('auth:refresh', async () => ({ expiresAt: new Date().toISOString() }));
    expect(() => r.onApplicationBootstrap()).toThrow(/notification:mark_read/);
  });

  it('refuses a second handler for one event', () => {
    const r = router();
    r.handle('auth:refresh', async () => ({ expiresAt: new Date().toISOString() }));
    expect(() => r.handle('auth:refresh', async () => ({ expiresAt: new Date().toISOString() }))).toThrow(
      /already registered/,
    );
  });
});

describe('ClientEventRouter chain', () => {
  const setup = (env: Record<string, string> = {}) => {
    const metrics = new MetricsService();
    const config = loadConfig(env);
    const r = new ClientEventRouter(metrics, new WebSocketService(metrics, config), config);
    const listeners = new Map<string, (...args: unknown[]) => void>();
    const sent: [string, any][] = [];
    const socket = {
      id: 'socket-1',
      connected: true,
      data: { userId: 'alice', email: null, name: null, role: 'user', expiresAt: Date.now() + 3_600_000 },
      on: (event: string, fn: (...args: unknown[]) => void) => listeners.set(event, fn),
      emit: (event: string, payload: unknown) => sent.push([event, payload]),
      disconnect: vi.fn(),
    };
    r.bind(socket as unknown as AppSocket);
    const send = (event: string, payload: unknown) =>
      new Promise<any>((resolve) => listeners.get(event)!(payload, resolve));
    return { r, sent, send, socket, metrics };
  };
  const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  const error = vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  afterEach(() => {
    warn.mockClear();
    error.mockClear();
  });

  it('handles at most SOCKET_MAX_IN_FLIGHT events at once; the rest of a burst waits its turn, in order', async () => {
    const { r, send } = setup({ SOCKET_MAX_IN_FLIGHT: '2' });
    const pending: (() => void)[] = [];
    let started = 0;
    r.handle('notification:mark_all_read', () => {
      const n = ++started;
      return new Promise((resolve) => pending.push(() => resolve({ updated: n, unreadCount: 0, version: 0 })));
    });
    const acks = [1, 2, 3, 4].map(() => send('notification:mark_all_read', {}));
    await Promise.resolve();
    expect(started).toBe(2);
    pending.shift()!();
    expect(await acks[0]).toMatchObject({ ok: true, updated: 1 });
    expect(started).toBe(3);
    // Whatever is in progress finishes; what waited starts as places free up.
    while (started < 4 || pending.length) {
      pending.splice(0).forEach((done) => done());
      await new Promise((r) => setTimeout(r, 0));
    }
    expect(await Promise.all(acks)).toMatchObject([1, 2, 3, 4].map((updated) => ({ ok: true, updated })));
  });

  it('refuses events beyond a waiting burst when the bucket is off', async () => {
    const { r, send } = setup({ SOCKET_MAX_IN_FLIGHT: '1', SOCKET_EVENTS_PER_SECOND: '0', SOCKET_EVENTS_BURST: '2' });
    r.handle('notification:mark_all_read', () => new Promise(() => undefined));
    void send('notification:mark_all_read', {});
    void send('notification:mark_all_read', {});
    void send('notification:mark_all_read', {});
    expect(await send('notification:mark_all_read', {})).toMatchObject({
      ok: false,
      error: { code: 'RATE_LIMITED', message: expect.stringMatching(/waiting or in progress/) },
    });
  });

  it('answers an event over budget RATE_LIMITED before validating it, without an error event', async () => {
    const { r, send, sent } = setup({ SOCKET_EVENTS_PER_SECOND: '1', SOCKET_EVENTS_BURST: '1' });
    r.handle('notification:mark_all_read', async () => ({ updated: 0, unreadCount: 0, version: 0 }));
    expect(await send('notification:mark_all_read', {})).toMatchObject({ ok: true });
    expect(await send('notification:mark_all_read', { bad: 'payload' })).toMatchObject({
      ok: false,
      error: { code: 'RATE_LIMITED' },
    });
    expect(sent).toEqual([]);
  });

  it('logs refusals once per socket and code, unexpected failures once per socket and event', async () => {
    const { r, send } = setup({ SOCKET_EVENTS_PER_SECOND: '0' });
    r.handle('notification:mark_all_read', async () => {
      throw new Error('boom');
    });
    for (let i = 0; i < 50; i++) {
      expect(await send('notification:mark_read', { notificationId: 7 })).toMatchObject({
        error: { code: 'VALIDATION_ERROR' },
      });
      expect(await send('notification:mark_all_read', {})).toMatchObject({ error: { code: 'INTERNAL_ERROR' } });
    }
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toMatch(
      /socket-1 of user alice: notification:mark_read refused with VALIDATION_ERROR/,
    );
    expect(error).toHaveBeenCalledTimes(1);
    expect(error.mock.calls[0]![0]).toMatch(/socket-1 of user alice: notification:mark_all_read failed .*boom/s);
  });
});
