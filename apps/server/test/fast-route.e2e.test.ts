// `POST /api/events` is answered before Fastify when a request is plain enough (common/fast-route.ts).
// Every request here is sent twice: as it is, and with a query string, which only Fastify's router
// takes (the fast route matches the exact path). Both answers must be the same: status, body,
// content type, Retry-After. A Fastify answer carries `vary: Origin` (its CORS hook runs for every
// request) and a fast one does not, which shows which path answered.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectAs, next, sign, startServer, type TestServer, trackClients } from './helpers.js';

interface Answer {
  status: number;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
}

/** One request over node:http, so that the headers (content-length, transfer-encoding) are exactly these. */
function send(
  server: TestServer,
  path: string,
  { headers = {}, body, chunked = false }: { headers?: Record<string, string>; body?: string; chunked?: boolean },
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}${path}`, {
      method: 'POST',
      agent: false,
      headers: { ...(body !== undefined && !chunked ? { 'content-length': Buffer.byteLength(body) } : {}), ...headers },
    });
    req.once('error', reject);
    req.once('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // not JSON: keep the text
        }
        resolve({ status: res.statusCode!, body: parsed, headers: res.headers });
      });
    });
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** The same request on the fast path and through Fastify: their answers, in that order. */
async function both(server: TestServer, request: Parameters<typeof send>[2]): Promise<[Answer, Answer]> {
  return [await send(server, '/api/events', request), await send(server, '/api/events?via=fastify', request)];
}

function expectSameAnswer([fast, fastify]: [Answer, Answer], { tookFast = true } = {}): void {
  expect({ status: fast.status, body: fast.body }).toEqual({ status: fastify.status, body: fastify.body });
  expect(fast.headers['content-type']).toBe(fastify.headers['content-type']);
  expect(fast.headers['retry-after']).toBe(fastify.headers['retry-after']);
  expect(fastify.headers.vary).toBe('Origin');
  expect(fast.headers.vary).toBe(tookFast ? undefined : 'Origin');
}

const json = { 'content-type': 'application/json' };
const xp = { amount: 5, source: 'fast', totalXp: 5 };
const event = (extra: object = {}) => JSON.stringify({ event: 'xp:gained', payload: xp, userIds: ['fay'], ...extra });

let server: TestServer;
let service: string;
const track = trackClients();

beforeAll(async () => {
  server = await startServer({ MAX_FANOUT_BYTES: '4096', CORS_ORIGIN: 'https://app.example' });
  service = await sign({ sub: 'billing', role: 'service' });
});
afterAll(() => server.close());

describe('POST /api/events before Fastify', () => {
  it('202 and the event, as Fastify answers it; a JSON content type with a charset too', async () => {
    const fay = track(await connectAs(server, 'fay'));
    const auth = { ...json, authorization: `Bearer ${service}` };
    for (const headers of [auth, { ...auth, 'content-type': 'application/json; charset=utf-8' }]) {
      const first = next(fay, 'xp:gained');
      const fast = await send(server, '/api/events', { headers, body: event() });
      expect(await first).toEqual(xp);
      const second = next(fay, 'xp:gained');
      const fastify = await send(server, '/api/events?via=fastify', { headers, body: event() });
      expect(await second).toEqual(xp);
      expectSameAnswer([fast, fastify]);
      expect(fast.status).toBe(202);
      expect(fast.body).toEqual({ accepted: true, event: 'xp:gained', recipients: 1 });
    }
  });

  it('answers every refusal with the same code and body as Fastify', async () => {
    const user = await sign({ sub: 'fay', role: 'user' });
    const expired = await sign({ sub: 'billing', role: 'service', exp: Math.floor(Date.now() / 1000) - 60 });
    const auth = { ...json, authorization: `Bearer ${service}` };
    const many = Array.from({ length: 200 }, (_, i) => `user-${i}`);
    const cases: [string, Parameters<typeof send>[2], number][] = [
      ['malformed JSON', { headers: auth, body: '{"event":' }, 400],
      ['empty body', { headers: auth, body: '' }, 400],
      ['__proto__ key', { headers: auth, body: '{"event":"xp:gained","__proto__":{"x":1}}' }, 400],
      ['constructor.prototype', { headers: auth, body: '{"constructor":{"prototype":{"x":1}}}' }, 400],
      ['no token', { headers: json, body: event() }, 401],
      ['a malformed token', { headers: { ...json, authorization: 'Bearer a.b.c' }, body: event() }, 401],
      ['an expired token', { headers: { ...json, authorization: `Bearer ${expired}` }, body: event() }, 401],
      ['a user token', { headers: { ...json, authorization: `Bearer ${user}` }, body: event() }, 403],
      ['no event', { headers: auth, body: JSON.stringify({ payload: xp }) }, 400],
      ['a protocol event', { headers: auth, body: event({ event: 'notification:synced' }) }, 400],
      ['a payload off its schema', { headers: auth, body: event({ payload: { amount: 'five' } }) }, 400],
      ['over MAX_FANOUT_BYTES', { headers: auth, body: event({ userIds: many }) }, 413],
    ];
    for (const [what, req, status] of cases) {
      const answers = await both(server, req);
      expect(answers[0].status, what).toBe(status);
      expectSameAnswer(answers);
    }
  });

  it('leaves to Fastify what it does not take: a browser request, another content type, a chunked body', async () => {
    const auth = { authorization: `Bearer ${service}` };
    const fromPage = await both(server, {
      headers: { ...json, ...auth, origin: 'https://app.example' },
      body: event(),
    });
    expectSameAnswer(fromPage, { tookFast: false });
    expect(fromPage[0].headers['access-control-allow-origin']).toBe('https://app.example');
    expectSameAnswer(await both(server, { headers: { ...auth, 'content-type': 'text/plain' }, body: event() }), {
      tookFast: false,
    });
    const chunked = await both(server, { headers: { ...json, ...auth }, body: event(), chunked: true });
    expect(chunked[0].status).toBe(202);
    expectSameAnswer(chunked, { tookFast: false });
  });

  it('keeps the per-token budget: 429 with the same Retry-After on both paths', async () => {
    const limited = await startServer({ HTTP_SERVICE_REQUESTS_PER_SECOND: '1' });
    try {
      const token = await sign({ sub: 'metered', role: 'service' });
      const req = { headers: { ...json, authorization: `Bearer ${token}` }, body: event() };
      // A burst of twice the rate passes, one request on each path.
      const passed = await both(limited, req);
      expect(passed.map((a) => a.status)).toEqual([202, 202]);
      const over = await both(limited, req);
      expect(over[0].status).toBe(429);
      expect(over[0].headers['retry-after']).toBe('1');
      expectSameAnswer(over);
    } finally {
      await limited.close();
    }
  });
});
