// The bench's push service refuses what a real one refuses (no aes128gcm, no TTL, no or a wrong VAPID
// token, an unknown subscription) and records only what it accepts. Its decryption is checked by the
// smoke bench, on payloads the gateway's web-push library encrypted.
import { Buffer } from 'node:buffer';
import { createECDH, createPrivateKey, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { URL } from 'node:url';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startPushReceiver } from '../src/lib/push-receiver.mjs';

/** @type {Awaited<ReturnType<typeof startPushReceiver>>} */
let receiver;
let ca;
const ecdh = createECDH('prime256v1');
ecdh.generateKeys();
const k = ecdh.getPublicKey('base64url', 'uncompressed');
const pub = ecdh.getPublicKey();
const signingKey = createPrivateKey({
  key: {
    kty: 'EC',
    crv: 'P-256',
    d: ecdh.getPrivateKey().toString('base64url'),
    x: pub.subarray(1, 33).toString('base64url'),
    y: pub.subarray(33).toString('base64url'),
  },
  format: 'jwk',
});

beforeAll(async () => {
  receiver = await startPushReceiver({ vapidPublicKey: k });
  ca = readFileSync(receiver.certPath);
});
afterAll(() => receiver?.close());

async function vapid({ aud = receiver.origin, key = k } = {}) {
  const t = await new SignJWT({ aud, sub: 'mailto:test@bench.test' })
    .setProtectedHeader({ alg: 'ES256', typ: 'JWT' })
    .setExpirationTime(Math.floor(Date.now() / 1000) + 3600)
    .sign(signingKey);
  return `vapid t=${t}, k=${key}`;
}

/** An aes128gcm body's shape (salt, record size, the sender's key as keyid, one record). */
const body = () => Buffer.concat([randomBytes(16), Buffer.from([0, 0, 16, 0, 65]), pub, randomBytes(40)]);

function post(path, headers, payload = body()) {
  return new Promise((resolve, reject) => {
    const url = new URL(path, receiver.origin);
    const sent = Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== undefined));
    const req = request(url, { method: 'POST', ca, headers: { 'content-length': payload.length, ...sent } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

it('accepts a well-formed push and refuses what a push service refuses', async () => {
  const sub = receiver.subscribe('a');
  expect(sub.endpoint).toBe(`${receiver.origin}/push/a`);
  expect(Buffer.from(sub.keys.p256dh, 'base64url')).toHaveLength(65);
  expect(Buffer.from(sub.keys.auth, 'base64url')).toHaveLength(16);
  const good = { 'content-encoding': 'aes128gcm', ttl: '60', topic: 'abc', authorization: await vapid() };

  expect(await post('/push/a', good)).toBe(201);
  expect(await post('/push/nobody', good)).toBe(404);
  expect(await post('/push/a', { ...good, 'content-encoding': 'aesgcm' })).toBe(415);
  expect(await post('/push/a', { ...good, ttl: undefined })).toBe(400);
  expect(await post('/push/a', { ...good, authorization: 'WebPush abc' })).toBe(401);
  expect(await post('/push/a', { ...good, authorization: await vapid({ aud: 'https://elsewhere.test' }) })).toBe(403);
  const other = createECDH('prime256v1');
  other.generateKeys();
  expect(
    await post('/push/a', {
      ...good,
      authorization: await vapid({ key: other.getPublicKey('base64url', 'uncompressed') }),
    }),
  ).toBe(403);
  expect(await post('/push/a', good, randomBytes(30))).toBe(400);

  expect(receiver.pushes).toHaveLength(1);
  expect(receiver.pushes[0]).toMatchObject({ subscription: 'a', topic: 'abc', ttl: 60 });
  expect(Object.values(receiver.refused.counts).reduce((s, n) => s + n, 0)).toBe(7);
  expect(receiver.connections).toBeGreaterThan(0);
  receiver.reset();
  expect(receiver.pushes).toHaveLength(0);
});
