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
