import { describe, expect, it } from 'vitest';
import { errorStatus, routeId, routes, type RouteDef } from './index.js';

const all = Object.entries(routes) as [string, RouteDef][];
const tokenErrors = ['TOKEN_MISSING', 'TOKEN_INVALID', 'TOKEN_EXPIRED', 'TOKEN_REVOKED', 'RATE_LIMITED'];

describe('routes', () => {
  it('are distinct by method and path', () => {
    const ids = all.map(([, r]) => routeId(r));
    expect(new Set(ids).size).toBe(ids.length);
    expect(routeId(routes.createNotification)).toBe('POST /api/notifications');
  });

  it.each(all)('%s: its params schema names exactly the path parameters', (_, route) => {
    const inPath = [...route.path.matchAll(/:(\w+)/g)].map((m) => m[1]).sort();
    expect(Object.keys(route.params?.shape ?? {}).sort()).toEqual(inPath);
  });

  it.each(all)('%s: its errors follow from who may call it and what it reads', (_, route) => {
    const errors = new Set<string>(route.errors);
    if (route.optionalToken) return expect(route.errors).toEqual(['TOKEN_MISSING', 'TOKEN_INVALID']);
    const guarded = route.access !== 'public';
    for (const code of tokenErrors) expect(errors.has(code), code).toBe(guarded);
    // A route of some roles refuses the others; one open to every user may refuse some (says when).
    if (Array.isArray(route.access)) expect(errors.has('FORBIDDEN')).toBe(true);
    else if (errors.has('FORBIDDEN')) expect(route.description).toMatch(/403/);
    if (route.body) expect([...errors]).toEqual(expect.arrayContaining(['VALIDATION_ERROR', 'PAYLOAD_TOO_LARGE']));
    if (route.headers?.shape['idempotency-key']) expect(errors.has('IDEMPOTENCY_KEY_REUSED')).toBe(true);
    expect(new Set(route.errors).size).toBe(route.errors.length);
  });

  it.each(all)('%s: has a 2xx answer (several share one body) and a summary', (_, route) => {
    const ok = Object.entries(route.responses).filter(([s]) => Number(s) < 300);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    expect(new Set(ok.map(([, r]) => (r as { schema?: unknown }).schema)).size).toBe(1);
    expect(route.summary.length).toBeGreaterThan(3);
    for (const code of route.errors) expect(errorStatus[code]).toBeGreaterThanOrEqual(400);
  });

  it('parse what the server reads: headers, params, query and body', () => {
    expect(routes.createNotification.headers.parse({ 'idempotency-key': 'k', host: 'x' })).toEqual({
      'idempotency-key': 'k',
    });
    expect(routes.createNotification.headers.safeParse({ 'idempotency-key': 'café' }).success).toBe(false);
    expect(routes.listNotifications.query.parse({ limit: '5', unread: '1' })).toEqual({ limit: 5, unread: true });
    expect(routes.markNotificationRead.params.parse({ id: 'not-a-uuid' })).toEqual({ id: 'not-a-uuid' });
    expect(routes.createDevToken.body.parse({ name: 'Ada' })).toEqual({ name: 'Ada', role: 'user' });
    expect(routes.createDevToken.body.safeParse({}).success).toBe(false);
  });
});
