import { describe, expect, it } from 'vitest';
import { MetricsService } from '../metrics/metrics.service.js';
import { ClientEventRouter } from './client-event-router.js';
import { WebSocketService } from './websocket.service.js';

describe('ClientEventRouter', () => {
  const router = () => {
    const metrics = new MetricsService();
    return new ClientEventRouter(metrics, new WebSocketService(metrics));
  };

  it('refuses to start while a contract event has no handler', () => {
    const r = router();
    r.handle('auth:refresh', async () => ({ expiresAt: null }));
    expect(() => r.onApplicationBootstrap()).toThrow(/notification:mark_read/);
  });

  it('refuses a second handler for one event', () => {
    const r = router();
    r.handle('auth:refresh', async () => ({ expiresAt: null }));
    expect(() => r.handle('auth:refresh', async () => ({ expiresAt: null }))).toThrow(/already registered/);
  });
});
