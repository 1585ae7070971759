import { get } from 'node:https';
import webpush from 'web-push';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PushReceiver, startPushReceiver } from './fixtures/push-receiver.js';

const SUBJECT = 'mailto:ops@example.com';

/** Sends as the server will: web-push with VAPID, and no `agent` or `ca` (trust comes from NODE_EXTRA_CA_CERTS). */
function send(
  subscription: webpush.PushSubscription,
  payload: unknown,
  keys: webpush.VapidKeys,
  options: webpush.RequestOptions = {},
): Promise<webpush.SendResult> {
  return webpush.sendNotification(subscription, JSON.stringify(payload), {
    vapidDetails: { subject: SUBJECT, ...keys },
    TTL: 60,
    ...options,
  });
}

/** The WebPushError a send was refused with (fails the test if it was accepted). */
async function refusal(sending: Promise<unknown>): Promise<webpush.WebPushError> {
  const err = await sending.then(
    () => expect.fail('the push service accepted the message'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(webpush.WebPushError);
  return err as webpush.WebPushError;
}

describe('the push receiver is a real Web Push peer for web-push', () => {
  let receiver: PushReceiver;
  const keys = webpush.generateVAPIDKeys();

  beforeAll(async () => {
    receiver = await startPushReceiver();
  });

  afterAll(async () => {
    await receiver?.close();
  });

  it('is trusted over HTTPS through NODE_EXTRA_CA_CERTS alone', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      get(receiver.origin, { agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      }).once('error', reject);
    });
    expect(status).toBe(404);
  });

  it('decrypts a message and records its TTL, Urgency, Topic and VAPID claims', async () => {
    const subscription = receiver.subscribe();
    expect(subscription).toMatchObject({ expirationTime: null, keys: { auth: expect.any(String) } });
    expect(Buffer.from(subscription.keys.p256dh, 'base64url')).toHaveLength(65);

    const result = await send(subscription, { title: 'Hi', n: 1 }, keys, { urgency: 'high', topic: 'abc' });

    expect(result.statusCode).toBe(201);
    expect(result.headers.location).toMatch(new RegExp(`^${receiver.origin}/message/`));
    const [push] = await receiver.waitFor((r) => r.some((p) => p.endpoint === subscription.endpoint));
    const now = Date.now() / 1000;
    expect(push).toMatchObject({
      endpoint: subscription.endpoint,
      ttl: 60,
      urgency: 'high',
      topic: 'abc',
      payload: { title: 'Hi', n: 1 },
      vapid: { aud: receiver.origin, sub: SUBJECT, publicKey: keys.publicKey },
    });
    expect(push!.vapid.exp).toBeGreaterThan(now);
    expect(push!.vapid.exp).toBeLessThanOrEqual(now + 24 * 3600);
    expect(push!.bytes).toBeGreaterThan(JSON.stringify(push!.payload).length);
  });

  it('refuses 403 a JWT whose aud is another origin', async () => {
    const subscription = receiver.subscribe();
    const { Authorization } = webpush.getVapidHeaders(
      'https://other.example',
      SUBJECT,
      keys.publicKey,
      keys.privateKey,
      'aes128gcm',
    );

    const err = await refusal(webpush.sendNotification(subscription, '{}', { TTL: 60, headers: { Authorization } }));

    expect(err.statusCode).toBe(403);
    expect(receiver.refused).toContainEqual({
      endpoint: subscription.endpoint,
      status: 403,
      reason: expect.stringMatching(/aud/),
    });
    expect(receiver.received.some((p) => p.endpoint === subscription.endpoint)).toBe(false);
  });

  it('refuses 403 a JWT signed by another key than k', async () => {
    const subscription = receiver.subscribe();
    const other = webpush.generateVAPIDKeys();
    const signed = webpush.getVapidHeaders(receiver.origin, SUBJECT, other.publicKey, other.privateKey, 'aes128gcm');
    const Authorization = signed.Authorization.replace(/k=.*$/, `k=${keys.publicKey}`);

    const err = await refusal(webpush.sendNotification(subscription, '{}', { TTL: 60, headers: { Authorization } }));

    expect(err.statusCode).toBe(403);
    expect(receiver.refused).toContainEqual({
      endpoint: subscription.endpoint,
      status: 403,
      reason: expect.stringMatching(/verify/),
    });
  });

  it('refuses 401 a message without VAPID', async () => {
    const subscription = receiver.subscribe();
    const err = await refusal(webpush.sendNotification(subscription, '{}', { TTL: 60 }));
    expect(err.statusCode).toBe(401);
  });

  it('plays a scripted 429 with Retry-After, then accepts the retry', async () => {
    const subscription = receiver.subscribe();
    receiver.respondNext(subscription.endpoint, { status: 429, headers: { 'retry-after': '2' } });

    const err = await refusal(send(subscription, { n: 1 }, keys));
    expect(err.statusCode).toBe(429);
    expect(err.headers['retry-after']).toBe('2');

    await send(subscription, { n: 2 }, keys);
    const mine = receiver.received.filter((p) => p.endpoint === subscription.endpoint);
    expect(mine.map((p) => p.payload)).toEqual([{ n: 2 }]);
    expect(receiver.refused.filter((r) => r.endpoint === subscription.endpoint)).toEqual([
      { endpoint: subscription.endpoint, status: 429, reason: 'scripted' },
    ]);
  });

  it('answers 410 Gone for an unsubscribed endpoint, from then on', async () => {
    const subscription = receiver.subscribe();
    receiver.gone(subscription.endpoint);
    expect((await refusal(send(subscription, { n: 1 }, keys))).statusCode).toBe(410);
    expect((await refusal(send(subscription, { n: 2 }, keys))).statusCode).toBe(410);
  });

  it('can be down, then back on the same port with its subscriptions', async () => {
    const subscription = receiver.subscribe();
    const port = receiver.port;
    await send(subscription, { n: 1 }, keys);

    await receiver.stop();
    // A pooled keep-alive socket the client has not yet seen closed resets; a new connection is refused.
    await expect(send(subscription, { n: 2 }, keys)).rejects.toMatchObject({
      code: expect.stringMatching(/^(ECONNRESET|ECONNREFUSED)$/),
    });
    await expect(send(subscription, { n: 2 }, keys)).rejects.toMatchObject({ code: 'ECONNREFUSED' });

    await receiver.start();
    expect(receiver.port).toBe(port);
    await send(subscription, { n: 3 }, keys);
    const mine = await receiver.waitFor((r) => r.filter((p) => p.endpoint === subscription.endpoint).length === 2);
    expect(mine.filter((p) => p.endpoint === subscription.endpoint).map((p) => p.payload)).toEqual([
      { n: 1 },
      { n: 3 },
    ]);
  });

  it('waitFor rejects with what did arrive when the condition is not met', async () => {
    await expect(receiver.waitFor(() => false, 50)).rejects.toThrow(/condition not met within 50ms\nreceived/);
  });
});
