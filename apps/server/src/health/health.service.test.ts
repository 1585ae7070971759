import { describe, expect, it } from 'vitest';
import { HealthService } from './health.service.js';

describe('HealthService.readiness', () => {
  it('is ready when every registered check resolves', async () => {
    const health = new HealthService();
    health.register('store', async () => undefined);
    expect(await health.readiness()).toEqual({ ready: true, checks: { store: 'up' } });
  });

  it('is not ready when a check rejects or hangs past its timeout', async () => {
    const health = new HealthService();
    health.register('store', async () => undefined);
    health.register('redis', () => Promise.reject(new Error('ECONNREFUSED')));
    health.register('slow', () => new Promise(() => undefined));
    expect(await health.readiness()).toEqual({ ready: false, checks: { store: 'up', redis: 'down', slow: 'down' } });
  }, 5000);
});

describe('HealthService.liveness', () => {
  it('is live on a free event loop, and blocked after the loop was held for a second or a watched part stalls', async () => {
    const health = new HealthService();
    try {
      let stalled = 0;
      health.watchStall('store', { stalledMs: () => stalled, limitMs: 500 });
      await new Promise((r) => setTimeout(r, 50));
      expect(health.liveness()).toMatchObject({ live: true, blocked: [] });
      stalled = 501;
      expect(health.liveness()).toMatchObject({ live: false, blocked: ['store'] });
      stalled = 0;
      const until = Date.now() + 1100;
      while (Date.now() < until); // the event loop held, as a synchronous statement would
      await new Promise((r) => setTimeout(r, 30));
      const after = health.liveness();
      expect(after).toMatchObject({ live: false, blocked: ['event_loop'] });
      expect(after.eventLoop.maxMs).toBeGreaterThanOrEqual(1000);
    } finally {
      health.onModuleDestroy();
    }
  });
});
