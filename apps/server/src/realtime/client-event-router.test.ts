import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { ClientEventRouter } from './client-event-router.js';
import { WebSocketService } from './websocket.service.js';

describe('ClientEventRouter', () => {
  const router = () => {
    const metrics = new MetricsService();
    return new ClientEventRouter(metrics, new WebSocketService(metrics, loadConfig({})));
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
