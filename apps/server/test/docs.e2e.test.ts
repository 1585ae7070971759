import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { clientEventNames, type RouteDef, routes, serverEventNames } from '@realtime/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, startServer, type TestServer } from './helpers.js';

let server: TestServer;

beforeAll(async () => {
  server = await startServer({ DEV_TOKENS: 'true' });
});
afterAll(() => server.close());

describe('GET /docs', () => {
  it('answers 200 HTML listing every event and route, under a CSP that allows only its stylesheet', async () => {
    const res = await fetch(`${server.url}/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toMatch(/^default-src 'none'; style-src 'self';/);
    const html = await res.text();
    for (const event of [...serverEventNames, ...clientEventNames, 'connect_error'])
      expect(html).toContain(`<code>${event}</code></h3>`);
    for (const route of Object.values(routes)) expect(html).toContain(`<code>${route.path}</code></h3>`);
    expect(html).not.toMatch(/<script|<style|\sstyle=/i);
    const href = /<link rel="stylesheet" href="([^"]+)">/.exec(html)?.[1];
    expect(href).toBe('/docs/contract.css');

    const css = await fetch(`${server.url}${href}`);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(await css.text()).toContain('font');
  });

  it('needs no token', async () => {
    expect((await http(server, 'GET', '/docs', { token: 'not-a-jwt' })).status).toBe(200);
  });
});

describe('the routes the gateway serves', () => {
  it('are the routes of the contract, by method and path', () => {
    const fastify = (server.app as NestFastifyApplication).getHttpAdapter().getInstance();
    for (const route of Object.values(routes) as RouteDef[]) {
      expect(fastify.hasRoute({ method: route.method, url: route.path }), `${route.method} ${route.path}`).toBe(true);
    }
    const served = servedRoutes(fastify.printRoutes({ commonPrefix: false }));
    const declared = (Object.values(routes) as RouteDef[]).map((r) => `${r.method} ${r.path}`);
    expect(served.sort()).toEqual(declared.sort());
  });
});

/** `METHOD /path` of every route in Fastify's printed tree, where a child's path continues its parent's. */
function servedRoutes(tree: string): string[] {
  const prefixes: string[] = [];
  return tree.split('\n').flatMap((line) => {
    const m = /^(.*?)[├└]── (\S+)(?: \(([^)]+)\))?$/.exec(line);
    if (!m) return [];
    const depth = m[1]!.length / 4;
    const path = (prefixes[depth] = (prefixes[depth - 1] ?? '') + m[2]);
    const methods = (m[3] ?? '').split(', ').filter((v) => v && v !== 'HEAD' && v !== 'OPTIONS');
    return methods.map((method) => `${method} ${path}`);
  });
}
