// Small JSON-over-HTTP client on a keep-alive agent (cheaper on the client's CPU than fetch, which
// matters when the bench and the server share two cores).
import { Buffer } from 'node:buffer';
import { Agent, request as httpRequest } from 'node:http';
import { URL } from 'node:url';

export function createHttp(baseUrl, { maxSockets = 64 } = {}) {
  const agent = new Agent({ keepAlive: true, maxSockets });
  const base = new URL(baseUrl);

  /**
   * Resolves `{ status, body }` (body parsed when JSON); rejects on network errors and timeouts.
   * @param {string} method
   * @param {string} path
   * @param {{ body?: unknown, token?: string, timeoutMs?: number }} [options]
   * @returns {Promise<{ status: number, body: any }>}
   */
  function request(method, path, { body, token, timeoutMs = 10_000 } = {}) {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers = { accept: 'application/json' };
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(payload);
    }
    if (token) headers.authorization = `Bearer ${token}`;
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        { agent, host: base.hostname, port: base.port, method, path, headers, timeout: timeoutMs },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed = text;
            if ((res.headers['content-type'] ?? '').includes('json') && text) {
              try {
                parsed = JSON.parse(text);
              } catch {
                parsed = text;
              }
            }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out after ${timeoutMs} ms`)));
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  return { request, close: () => agent.destroy() };
}
