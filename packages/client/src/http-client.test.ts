import { describe, expect, it } from 'vitest';
import { createHttpClient } from './http-client.js';
import type { FetchLike, TokenReason } from './http-types.js';

interface Sent {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
}

/** A fetch that records each request and answers from the list given, in order. */
function fakeFetch(...answers: { status: number; body?: unknown; type?: string }[]) {
  const sent: Sent[] = [];
  const fetch: FetchLike = async (url, init) => {
    sent.push({ url, method: init.method, headers: init.headers, ...(init.body ? { body: init.body } : {}) });
    const answer = answers.shift() ?? { status: 500 };
    const text =
      answer.body === undefined ? '' : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
    return { status: answer.status, headers: { get: () => answer.type ?? 'application/json' }, text: async () => text };
  };
  return { fetch, sent };
}

const page = { items: [], nextCursor: null, unreadCount: 2, version: 9 };

describe('createHttpClient', () => {
  it('builds method, path, query and bearer token from the route', async () => {
    const { fetch, sent } = fakeFetch({ status: 200, body: page });
    const reasons: TokenReason[] = [];
    const http = createHttpClient({ url: 'http://gw/', fetch, getToken: ({ reason }) => (reasons.push(reason), 't1') });
    const res = await http.listNotifications({ query: { limit: 5, cursor: 'abc', unread: 'true' } });
    expect(res).toEqual({ ok: true, status: 200, body: page });
    expect(sent[0]).toMatchObject({
      url: 'http://gw/api/notifications?limit=5&cursor=abc&unread=true',
      method: 'GET',
      headers: { authorization: 'Bearer t1' },
    });
    expect(reasons).toEqual(['http']);
  });

  it('fills path parameters (encoded), sends JSON and the Idempotency-Key header', async () => {
    const { fetch, sent } = fakeFetch({ status: 204 }, { status: 201, body: { notifications: [] } });
    const http = createHttpClient({ url: 'http://gw', fetch, getToken: () => 'user' });
    expect(await http.deleteNotification({ params: { id: 'a/b' } })).toEqual({
      ok: true,
      status: 204,
      body: undefined,
    });
    expect(sent[0]).toMatchObject({ url: 'http://gw/api/notifications/a%2Fb', method: 'DELETE' });
    await http.createNotification({
      body: { userId: 'ada', title: 'Hi', message: 'there' },
      headers: { 'idempotency-key': 'k-1' },
      token: 'service',
    });
    expect(sent[1]).toMatchObject({
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'k-1', authorization: 'Bearer service' },
    });
    expect(JSON.parse(sent[1]!.body!)).toEqual({ userId: 'ada', title: 'Hi', message: 'there' });
  });

  it('calls the Web Push and deliveries routes: a JSON body on DELETE, 200 and 201 both ok', async () => {
    const endpoint = 'https://fcm.googleapis.com/fcm/send/x';
    const deliveries = [{ channel: 'push', status: 'skipped', reason: 'online', attempts: 0, dueAt: 'now' }];
    const { fetch, sent } = fakeFetch(
      { status: 200, body: { publicKey: 'BKey' } },
      { status: 201, body: { endpoint } },
      { status: 200, body: { endpoint } },
      { status: 204 },
      { status: 200, body: { deliveries } },
    );
    const http = createHttpClient({ url: 'http://gw', fetch, getToken: () => 't' });
    const subscription = { endpoint, expirationTime: null, keys: { p256dh: 'p', auth: 'a' } };
    expect(await http.getVapidPublicKey()).toEqual({ ok: true, status: 200, body: { publicKey: 'BKey' } });
    expect(await http.registerPushSubscription({ body: subscription })).toMatchObject({ ok: true, status: 201 });
    expect(await http.registerPushSubscription({ body: subscription })).toMatchObject({ ok: true, status: 200 });
    expect(await http.deletePushSubscription({ body: { endpoint } })).toMatchObject({ ok: true, status: 204 });
    expect(await http.listDeliveries({ params: { id: 'n1' } })).toEqual({
      ok: true,
      status: 200,
      body: { deliveries },
    });
    expect(sent.map((s) => `${s.method} ${s.url}`)).toEqual([
      'GET http://gw/api/push/vapid-public-key',
      'POST http://gw/api/push/subscriptions',
      'POST http://gw/api/push/subscriptions',
      'DELETE http://gw/api/push/subscriptions',
      'GET http://gw/api/notifications/n1/deliveries',
    ]);
    expect(JSON.parse(sent[3]!.body!)).toEqual({ endpoint });
    expect(sent[3]!.headers['content-type']).toBe('application/json');
  });

  it('answers an error body as a typed failure', async () => {
    const { fetch } = fakeFetch({ status: 404, body: { statusCode: 404, code: 'NOT_FOUND', message: 'gone' } });
    const http = createHttpClient({ url: '', fetch, getToken: () => 't' });
    const res = await http.markNotificationRead({ params: { id: 'x' } });
    expect(res).toEqual({ ok: false, status: 404, error: { statusCode: 404, code: 'NOT_FOUND', message: 'gone' } });
  });

  it('retries once with a fresh token when the token expired on the way', async () => {
    const expired = { status: 401, body: { statusCode: 401, code: 'TOKEN_EXPIRED', message: 'expired' } };
    const { fetch, sent } = fakeFetch(expired, { status: 200, body: page });
    const reasons: TokenReason[] = [];
    const http = createHttpClient({ url: '', fetch, getToken: ({ reason }) => (reasons.push(reason), reason) });
    expect((await http.listNotifications()).ok).toBe(true);
    expect(reasons).toEqual(['http', 'rejected']);
    expect(sent.map((s) => s.headers.authorization)).toEqual(['Bearer http', 'Bearer rejected']);
  });

  it('sends no token to a public route, and reads a declared non-JSON answer as text', async () => {
    const { fetch, sent } = fakeFetch({ status: 200, body: '# HELP x\n', type: 'text/plain; version=0.0.4' });
    const http = createHttpClient({ url: '', fetch, getToken: () => 'never' });
    expect(await http.metrics()).toEqual({ ok: true, status: 200, body: '# HELP x\n' });
    expect(sent[0]!.headers.authorization).toBeUndefined();
  });

  it('answers a declared non-2xx status with its body, not ok', async () => {
    const { fetch } = fakeFetch({ status: 503, body: { status: 'not ready' } });
    const http = createHttpClient({ url: '', fetch });
    const res = await http.ready();
    expect(res.ok).toBe(false);
    expect(res.status).toBe(503);
  });

  it('turns network failures, aborts and unreadable answers into failures, never throws', async () => {
    const down: FetchLike = () => Promise.reject(new TypeError('fetch failed'));
    expect((await createHttpClient({ url: '', fetch: down }).health()).error?.code).toBe('NETWORK_ERROR');
    const aborted: FetchLike = () => Promise.reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
    expect((await createHttpClient({ url: '', fetch: aborted }).health()).error?.code).toBe('ABORTED');
    const { fetch } = fakeFetch({ status: 200, body: '<html>' });
    expect((await createHttpClient({ url: '', fetch }).health()).error?.code).toBe('BAD_RESPONSE');
    const broken = createHttpClient({ url: '', fetch, getToken: () => Promise.reject(new Error('offline')) });
    expect((await broken.listNotifications()).error).toMatchObject({ code: 'TOKEN_MISSING' });
  });

  it('reports every declared answer to onAnswer', async () => {
    const { fetch } = fakeFetch({ status: 200, body: page });
    const seen: unknown[] = [];
    const http = createHttpClient({ url: '', fetch, getToken: () => 't', onAnswer: (...a) => seen.push(a) });
    await http.listNotifications();
    expect(seen).toEqual([['listNotifications', 200, page]]);
  });
});
