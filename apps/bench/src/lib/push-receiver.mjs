// A minimal Web Push service on 127.0.0.1 for the gateway to send to: HTTPS with a self-signed
// certificate made at start (the gateway trusts it through NODE_EXTRA_CA_CERTS, as it trusts a real
// push service through the system's CAs), subscriptions made as a browser makes them, and for each
// POST /push/<id> the checks a push service makes before it answers 201: `Content-Encoding: aes128gcm`
// with a well-formed header (RFC 8188), a `TTL` (RFC 8030), and `Authorization: vapid t=<JWT>, k=<key>`
// whose ES256 signature verifies against `k` with the right `aud` and `exp` (RFC 8292). It stays cheap
// so that it is not what limits the figure: a JWT is verified once per distinct header (the gateway
// signs one per push service and reuses it), and nothing is decrypted while pushes arrive; `decrypt`
// (RFC 8291) is there for the scenario to check a few payloads, and to identify a push without a known
// `Topic`, once the measurement is over.
import { Buffer } from 'node:buffer';
import { createDecipheriv, createECDH, hkdfSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import os from 'node:os';
import process from 'node:process';
import { join } from 'node:path';
import { clearTimeout, setTimeout } from 'node:timers';
import { compactVerify, importJWK } from 'jose';
import { generate } from 'selfsigned';
import { now } from './wire.mjs';

/** RFC 8030 §7.2 lets a push service refuse larger messages; autopush and FCM refuse above 4096 bytes. */
const MAX_BYTES = 4096;
const MAX_EXP_SECONDS = 24 * 3600;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const SAMPLES = 5;

/**
 * @typedef {{ endpoint: string, expirationTime: null, keys: { p256dh: string, auth: string } }} PushSubscriptionJSON
 * @typedef {{ id: string, endpoint: string, ecdh: import('node:crypto').ECDH, publicKey: Buffer, auth: Buffer, count: number, firstAt: number, lastAt: number }} Subscriber
 * @typedef {{ subscription: string, t: number, topic: string | undefined, urgency: string | undefined, ttl: number, body: Buffer }} Push
 */

/**
 * A VAPID key pair as the gateway takes it (VAPID_PUBLIC_KEY: the uncompressed P-256 point,
 * VAPID_PRIVATE_KEY: the 32-byte scalar, both base64url), made here so that the gateway sends on
 * both stores (in production on PostgreSQL it makes none of its own) and the receiver knows its `k`.
 */
export function vapidKeyPair() {
  for (;;) {
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    const privateKey = ecdh.getPrivateKey();
    if (privateKey.length !== 32) continue; // a leading zero byte: web-push wants exactly 32
    return { publicKey: ecdh.getPublicKey('base64url', 'uncompressed'), privateKey: privateKey.toString('base64url') };
  }
}

/** `vapid t=..., k=...` as a map of its parameters; null when it is not that scheme. */
function vapidParams(authorization) {
  const match = /^vapid\s+(.+)$/i.exec(authorization ?? '');
  if (!match) return null;
  const params = new Map();
  for (const part of match[1].split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0)
      params.set(
        part.slice(0, eq).trim().toLowerCase(),
        part
          .slice(eq + 1)
          .trim()
          .replace(/^"(.*)"$/, '$1'),
      );
  }
  return params;
}

/** What is wrong with a VAPID `Authorization` (RFC 8292) for this push service, or null. */
async function vapidProblem(authorization, origin, expectedKey) {
  const params = vapidParams(authorization);
  if (!params) return [401, 'Authorization: vapid t=..., k=... is required'];
  const token = params.get('t');
  const k = params.get('k');
  if (!token || !k || !BASE64URL.test(k)) return [401, 'vapid needs t and a base64url k'];
  if (expectedKey && k !== expectedKey) return [403, 'k is not the VAPID public key the gateway was given'];
  const point = Buffer.from(k, 'base64url');
  if (point.length !== 65 || point[0] !== 0x04) return [401, 'k is not an uncompressed P-256 point'];
  let claims;
  try {
    const key = await importJWK(
      {
        kty: 'EC',
        crv: 'P-256',
        x: point.subarray(1, 33).toString('base64url'),
        y: point.subarray(33).toString('base64url'),
      },
      'ES256',
    );
    const { payload } = await compactVerify(token, key, { algorithms: ['ES256'] });
    claims = JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch (err) {
    return [403, `VAPID token does not verify against k: ${err instanceof Error ? err.message : String(err)}`];
  }
  const t = Math.floor(Date.now() / 1000);
  if (claims.aud !== origin) return [403, `aud ${String(claims.aud)} is not ${origin}`];
  if (typeof claims.exp !== 'number' || claims.exp <= t || claims.exp > t + MAX_EXP_SECONDS)
    return [403, `exp ${String(claims.exp)} is not within the next 24 h`];
  if (typeof claims.sub !== 'string' || !/^(mailto|https):/.test(claims.sub))
    return [403, `sub ${String(claims.sub)} is neither mailto: nor https:`];
  return null;
}

/** What is wrong with an aes128gcm body's header (RFC 8188 §2.1, one record, the sender's key as keyid). */
function bodyProblem(body) {
  if (body.length > MAX_BYTES) return `${body.length} bytes is over ${MAX_BYTES}`;
  if (body.length < 21 + 65 + 17) return `${body.length} bytes is too short for an aes128gcm message`;
  if (body[20] !== 65 || body[21] !== 0x04) return 'keyid is not the uncompressed P-256 key of the sender';
  if (body.readUInt32BE(16) < 18) return 'record size below 18';
  return null;
}

/**
 * Starts the receiver. `vapidPublicKey`: the `k` every push must carry (optional).
 * @param {{ vapidPublicKey?: string }} [options]
 */
export async function startPushReceiver({ vapidPublicKey } = {}) {
  const dir = mkdtempSync(join(os.tmpdir(), 'realtime-bench-push-'));
  const notBeforeDate = new Date(Date.now() - 60_000);
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate: new Date(notBeforeDate.getTime() + 2 * 24 * 3600_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  process.on('exit', removeDir);
  const certPath = join(dir, 'cert.pem');
  writeFileSync(certPath, pems.cert);

  /** @type {Map<string, Subscriber>} */
  const subscribers = new Map();
  /** @type {Push[]} */
  let pushes = [];
  /** status + reason -> count, with a few samples */
  let refused = {};
  let refusedSamples = [];
  let connections = 0;
  /** @type {Set<() => void>} */
  const waiters = new Set();
  /** Authorization header -> its verdict (the gateway reuses one signed header per push service). */
  const verdicts = new Map();
  let origin = '';

  const server = createServer({ cert: pems.cert, key: pems.private, keepAliveTimeout: 30_000 });
  const sockets = new Set();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('secureConnection', () => connections++);

  const refuse = (res, status, reason, path) => {
    const key = `${status} ${reason}`;
    refused[key] = (refused[key] ?? 0) + 1;
    if (refusedSamples.length < SAMPLES) refusedSamples.push({ path, status, reason });
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ code: status, reason }));
  };
  const header = (req, name) => {
    const v = req.headers[name];
    return Array.isArray(v) ? v.join(', ') : v;
  };

  server.on('request', (req, res) => {
    const url = req.url ?? '';
    const sub = req.method === 'POST' && url.startsWith('/push/') ? subscribers.get(url.slice(6)) : undefined;
    if (!sub) {
      req.resume();
      return refuse(res, 404, req.method === 'POST' ? 'no such subscription' : `${req.method} ${url}`, url);
    }
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const t = now();
      const body = Buffer.concat(chunks);
      if (header(req, 'content-encoding') !== 'aes128gcm')
        return refuse(res, 415, 'Content-Encoding must be aes128gcm', url);
      const ttl = header(req, 'ttl');
      if (ttl === undefined || !/^\d+$/.test(ttl)) return refuse(res, 400, 'a TTL header is required', url);
      const problem = bodyProblem(body);
      if (problem) return refuse(res, problem.includes('over') ? 413 : 400, problem, url);
      const authorization = header(req, 'authorization') ?? '';
      let verdict = verdicts.get(authorization);
      if (!verdict) {
        verdict = vapidProblem(authorization, origin, vapidPublicKey);
        verdicts.set(authorization, verdict);
      }
      const wrong = await verdict;
      if (wrong) return refuse(res, wrong[0], wrong[1], url);
      sub.count++;
      if (sub.count === 1) sub.firstAt = t;
      sub.lastAt = t;
      pushes.push({
        subscription: sub.id,
        t,
        topic: header(req, 'topic'),
        urgency: header(req, 'urgency'),
        ttl: Number(ttl),
        body,
      });
      res.writeHead(201, { location: `${origin}/message/${pushes.length}` }).end();
      for (const w of waiters) w();
    });
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject).listen(0, '127.0.0.1', () => resolve(undefined));
  });
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  origin = `https://127.0.0.1:${port}`;

  return {
    origin,
    certPath,
    /** What the gateway needs in its environment to send here. */
    env: { NODE_EXTRA_CA_CERTS: certPath, PUSH_ENDPOINT_ORIGINS: origin },
    get pushes() {
      return pushes;
    },
    get refused() {
      return { counts: refused, samples: refusedSamples };
    },
    /** TLS connections the gateway opened so far (keep-alive reuses them). */
    get connections() {
      return connections;
    },
    subscriber: (id) => subscribers.get(id),
    /**
     * A subscription as a browser makes one (a P-256 key pair and a 16-byte auth secret), at
     * `/push/<id>`; what `PushSubscription.toJSON()` gives the application.
     * @returns {PushSubscriptionJSON}
     */
    subscribe(id) {
      const ecdh = createECDH('prime256v1');
      const publicKey = ecdh.generateKeys();
      const auth = randomBytes(16);
      const endpoint = `${origin}/push/${id}`;
      subscribers.set(id, { id, endpoint, ecdh, publicKey, auth, count: 0, firstAt: 0, lastAt: 0 });
      return {
        endpoint,
        expirationTime: null,
        keys: { p256dh: publicKey.toString('base64url'), auth: auth.toString('base64url') },
      };
    },
    /** Forgets every subscription and what arrived (a new gateway run, a new store). */
    reset() {
      subscribers.clear();
      pushes = [];
      refused = {};
      refusedSamples = [];
    },
    /** Resolves true once `n` pushes have arrived, false after `ms`. */
    waitForCount(n, ms) {
      return new Promise((resolve) => {
        const check = () => {
          if (pushes.length < n) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(true);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          resolve(false);
        }, ms);
        waiters.add(check);
        check();
      });
    },
    /**
     * The plaintext of a push, decrypted as the browser behind its subscription would (RFC 8291,
     * one aes128gcm record). Throws when it does not decrypt.
     * @param {Push} push
     */
    decrypt(push) {
      const sub = subscribers.get(push.subscription);
      if (!sub) throw new Error(`no subscription ${push.subscription}`);
      const body = push.body;
      const salt = body.subarray(0, 16);
      const rs = body.readUInt32BE(16);
      const idlen = body[20];
      const senderKey = body.subarray(21, 21 + idlen);
      const record = body.subarray(21 + idlen);
      if (record.length > rs) throw new Error('more than one record');
      const ecdhSecret = sub.ecdh.computeSecret(senderKey);
      const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), sub.publicKey, senderKey]);
      const ikm = Buffer.from(hkdfSync('sha256', ecdhSecret, sub.auth, keyInfo, 32));
      const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
      const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
      const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
      decipher.setAuthTag(record.subarray(record.length - 16));
      const plain = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()]);
      let end = plain.length - 1;
      while (end >= 0 && plain[end] === 0) end--;
      if (plain[end] !== 2) throw new Error('no last-record delimiter (0x02) after the padding');
      return plain.subarray(0, end).toString('utf8');
    },
    async close() {
      const closed = new Promise((resolve) => server.close(() => resolve(undefined)));
      for (const s of sockets) s.destroy();
      await closed;
      process.off('exit', removeDir);
      removeDir();
    },
  };
}
