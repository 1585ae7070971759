import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, startServer, type TestServer } from './helpers.js';

/** GET with a Host header of our choosing (fetch would not send a malformed one). */
function getWithHost(server: TestServer, path: string, host: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    request(`${server.url}${path}`, { headers: { host }, agent: false }, (res) => {
      res.resume();
      resolve(res.headers);
    })
      .once('error', reject)
      .end();
  });
}

describe('the demo page (WEB_DIST_DIR) is served with security and cache headers', () => {
  let server: TestServer;
  let dist: string;

  beforeAll(async () => {
    dist = await mkdtemp(join(tmpdir(), 'web-dist-'));
    await mkdir(join(dist, 'assets'));
    await writeFile(
      join(dist, 'index.html'),
      '<!doctype html><script type="module" src="/assets/index-Ab12.js"></script>',
    );
    await writeFile(join(dist, 'assets', 'index-Ab12.js'), 'console.log(1)');
    server = await startServer({ WEB_DIST_DIR: dist });
  });

  afterAll(async () => {
    await server?.close();
    await rm(dist, { recursive: true, force: true });
  });

  it('index.html: a same-origin CSP (sockets to this host included), nosniff, no referrer, revalidated on each load', async () => {
    const host = new URL(server.url).host;
    for (const path of ['/', '/index.html']) {
      const res = await http(server, 'GET', path);
      expect(res.status).toBe(200);
      const csp = res.headers.get('content-security-policy')!;
      expect(csp.split('; ')).toEqual([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        `connect-src 'self' ws://${host} wss://${host}`,
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
      ]);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('cache-control')).toBe('no-cache');
    }
  });

  it('hashed assets are cached for good', async () => {
    const res = await http(server, 'GET', '/assets/index-Ab12.js');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });

  it('never repeats a Host header that is not a plain host in the CSP', async () => {
    const headers = await getWithHost(server, '/', "evil.example; script-src 'unsafe-inline'");
    expect(headers['content-security-policy']).toContain("connect-src 'self'; ");
    expect(headers['content-security-policy']).not.toContain('evil');
  });
});
