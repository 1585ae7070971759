import { exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.js';
import { RevocationList } from './revocation-list.js';
import { TokenVerifier } from './token-verifier.js';

const SECRET = 'unit-secret-0123456789abcdef0123456789';
const configOf = (env: Record<string, string> = {}) =>
  loadConfig({ JWT_SECRET: SECRET, JWT_MAX_LIFETIME_SECONDS: '3600', ...env });
const verifier = (env: Record<string, string> = {}, revocations?: RevocationList) => {
  const config = configOf(env);
  return new TokenVerifier(config, revocations ?? new RevocationList(config));
};
const now = () => Math.floor(Date.now() / 1000);
const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

/** A compact JWS built by hand, so every field (header included) can be wrong on purpose. */
function token(claims: Record<string, unknown>, header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' }) {
  const input = `${b64(header)}.${b64(claims)}`;
  return `${input}.${createHmac('sha256', SECRET).update(input).digest('base64url')}`;
}
const valid = (extra: Record<string, unknown> = {}) => ({ sub: 'ada', iat: now(), exp: now() + 600, ...extra });

describe('TokenVerifier, HS256', () => {
  it('accepts a well-formed token synchronously and reads its principal', () => {
    const result = verifier().verify(token(valid({ email: 'ada@example.com', name: 'Ada', role: 'admin' })));
    expect(result).not.toBeInstanceOf(Promise);
    expect(result).toEqual({
      ok: true,
      principal: {
        userId: 'ada',
        email: 'ada@example.com',
        name: 'Ada',
        role: 'admin',
        expiresAt: expect.any(Number),
        issuedAt: expect.any(Number),
      },
    });
  });

  it('answers a repeated token from its cache, and still refuses it once expired', async () => {
    const v = verifier();
    const t = token(valid({ exp: now() + 600 }));
    const [first, again] = [await v.verify(t), await v.verify(t)];
    expect(first.ok && again.ok && first.principal === again.principal).toBe(true);
    const realNow = Date.now;
    try {
      Date.now = () => realNow() + 601_000;
      expect(await v.verify(t)).toMatchObject({ ok: false, code: 'TOKEN_EXPIRED' });
    } finally {
      Date.now = realNow;
    }
  });

  it('refuses missing, expired and malformed tokens with their codes', async () => {
    const v = verifier();
    expect(await v.verify(undefined)).toMatchObject({ code: 'TOKEN_MISSING' });
    expect(await v.verify('')).toMatchObject({ code: 'TOKEN_MISSING' });
    expect(await v.verify(token(valid({ exp: now() - 1 })))).toMatchObject({ code: 'TOKEN_EXPIRED' });
    for (const t of ['garbage', 'a.b.c', `${token(valid())}x`, `${token(valid())}.`, 'x'.repeat(9000)]) {
      expect(await v.verify(t)).toMatchObject({ ok: false, code: 'TOKEN_INVALID' });
    }
  });

  it('refuses other algorithms, alg none, critical headers and bad signatures', async () => {
    const v = verifier();
    const claims = valid();
    expect(await v.verify(token(claims, { alg: 'HS512' }))).toMatchObject({ code: 'TOKEN_INVALID' });
    expect(await v.verify(token(claims, { alg: 'none' }))).toMatchObject({ code: 'TOKEN_INVALID' });
    expect(await v.verify(`${b64({ alg: 'none' })}.${b64(claims)}.`)).toMatchObject({ code: 'TOKEN_INVALID' });
    // RS256 is accepted only with JWT_JWKS_URL, and never checked with the HMAC secret (algorithm confusion).
    expect(await v.verify(token(claims, { alg: 'RS256' }))).toMatchObject({ code: 'TOKEN_INVALID' });
    expect(await v.verify(token(claims, { alg: 'HS256', crit: ['b64'], b64: false }))).toMatchObject({
      code: 'TOKEN_INVALID',
    });
    const [h, , s] = token(claims).split('.');
    expect(await v.verify(`${h}.${b64({ ...claims, role: 'admin' })}.${s}`)).toMatchObject({ code: 'TOKEN_INVALID' });
    const other = createHmac('sha256', 'another-secret')
      .update(`${h}.${b64(claims)}`)
      .digest('base64url');
    expect(await v.verify(`${h}.${b64(claims)}.${other}`)).toMatchObject({ code: 'TOKEN_INVALID' });
  });

  it('refuses claims outside the contract: no exp, exp too far ahead, iat or nbf in the future, bad sub', async () => {
    const v = verifier();
    const { exp: _exp, ...noExp } = valid();
    for (const claims of [
      noExp,
      valid({ exp: now() + 3601 }),
      valid({ exp: 1e300 }),
      valid({ iat: now() + 60 }),
      valid({ nbf: now() + 60 }),
      valid({ sub: '' }),
      valid({ sub: 'x'.repeat(201) }),
      valid({ sub: 'ada\nINFO forged log line' }),
      valid({ sub: 42 }),
      valid({ role: 'root' }),
    ]) {
      expect(await v.verify(token(claims)), JSON.stringify(claims)).toMatchObject({ ok: false, code: 'TOKEN_INVALID' });
    }
    expect(await v.verify(token(valid({ sub: 'x'.repeat(200) })))).toMatchObject({ ok: true });
  });

  it('requires JWT_ISSUER and JWT_AUDIENCE when they are set', async () => {
    const v = verifier({ JWT_ISSUER: 'https://auth.example.com', JWT_AUDIENCE: 'realtime' });
    expect(await v.verify(token(valid()))).toMatchObject({ code: 'TOKEN_INVALID' });
    expect(await v.verify(token(valid({ iss: 'https://evil.example', aud: 'realtime' })))).toMatchObject({
      code: 'TOKEN_INVALID',
    });
    const good = valid({ iss: 'https://auth.example.com', aud: ['other', 'realtime'] });
    expect(await v.verify(token(good))).toMatchObject({ ok: true });
  });

  it('refuses, cached or not, tokens issued at or before their user was revoked', async () => {
    const config = configOf();
    const revocations = new RevocationList(config);
    const v = new TokenVerifier(config, revocations);
    const before = token(valid({ iat: now() - 10 }));
    expect(await v.verify(before)).toMatchObject({ ok: true });
    revocations.add('ada', now() - 5);
    expect(await v.verify(before)).toMatchObject({ ok: false, code: 'TOKEN_REVOKED' });
    expect(await v.verify(token(valid({ iat: now() - 7 })))).toMatchObject({ code: 'TOKEN_REVOKED' });
    const { iat: _iat, ...noIat } = valid();
    expect(await v.verify(token(noIat))).toMatchObject({ code: 'TOKEN_REVOKED' });
    expect(await v.verify(token(valid({ iat: now() })))).toMatchObject({ ok: true });
    expect(await v.verify(token(valid({ sub: 'bob', iat: now() - 10 })))).toMatchObject({ ok: true });
  });

  it('signs tokens any HS256 library accepts, and that it verifies itself', async () => {
    const v = verifier();
    const { token: signed, expiresAt } = v.sign({ sub: 'ada', email: 'ada@example.com', role: 'service' }, 600);
    const { payload, protectedHeader } = await jwtVerify(signed, new TextEncoder().encode(SECRET));
    expect(protectedHeader).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(payload).toMatchObject({ sub: 'ada', email: 'ada@example.com', role: 'service', exp: expiresAt / 1000 });
    expect(await v.verify(signed)).toMatchObject({
      ok: true,
      principal: { userId: 'ada', role: 'service', expiresAt },
    });
  });
});

describe('TokenVerifier, RS256/ES256 through JWT_JWKS_URL', () => {
  type Key = Awaited<ReturnType<typeof generateKeyPair>>;
  let server: Server;
  let url: string;
  let served: { kid: string; key: Key; alg: 'RS256' | 'ES256' }[] = [];
  let fetches = 0;

  beforeAll(async () => {
    server = createServer(async (_req, res) => {
      fetches++;
      const keys = await Promise.all(
        served.map(async ({ kid, key, alg }) => ({ ...(await exportJWK(key.publicKey)), kid, alg, use: 'sig' })),
      );
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const signWith = (kid: string, key: Key, alg: 'RS256' | 'ES256', claims: Record<string, unknown> = valid()) =>
    new SignJWT(claims).setProtectedHeader({ alg, kid }).sign(key.privateKey);

  it('accepts tokens of the set, picks up a rotated key by refetching, at most once per cooldown', async () => {
    const rsa = await generateKeyPair('RS256');
    const ec = await generateKeyPair('ES256');
    served = [
      { kid: 'rsa-1', key: rsa, alg: 'RS256' },
      { kid: 'ec-1', key: ec, alg: 'ES256' },
    ];
    fetches = 0;
    const v = verifier({ JWT_JWKS_URL: url });
    expect(await v.verify(await signWith('rsa-1', rsa, 'RS256'))).toMatchObject({
      ok: true,
      principal: { userId: 'ada' },
    });
    expect(await v.verify(await signWith('ec-1', ec, 'ES256'))).toMatchObject({ ok: true });
    expect(fetches).toBe(1);

    // A key the server rotated in since: one refetch finds it.
    const rotated = await generateKeyPair('RS256');
    served.push({ kid: 'rsa-2', key: rotated, alg: 'RS256' });
    const realNow = Date.now;
    try {
      Date.now = () => realNow() + 31_000;
      expect(await v.verify(await signWith('rsa-2', rotated, 'RS256', { ...valid(), iat: now() }))).toMatchObject({
        ok: true,
      });
    } finally {
      Date.now = realNow;
    }
    expect(fetches).toBe(2);

    // Unknown kids right after: refused without asking the JWKS again (cooldown).
    const stranger = await generateKeyPair('RS256');
    expect(await v.verify(await signWith('nope', stranger, 'RS256'))).toMatchObject({
      ok: false,
      code: 'TOKEN_INVALID',
    });
    expect(await v.verify(await signWith('rsa-1', stranger, 'RS256'))).toMatchObject({ code: 'TOKEN_INVALID' });
    expect(fetches).toBe(2);
  });

  it('applies the same claim rules to JWKS tokens, and refuses an HS256 token signed with a public key', async () => {
    const rsa = await generateKeyPair('RS256');
    served = [{ kid: 'rsa-1', key: rsa, alg: 'RS256' }];
    const v = verifier({ JWT_JWKS_URL: url });
    const { exp: _exp, ...noExp } = valid();
    expect(await v.verify(await signWith('rsa-1', rsa, 'RS256', noExp))).toMatchObject({ code: 'TOKEN_INVALID' });
    expect(await v.verify(await signWith('rsa-1', rsa, 'RS256', valid({ exp: now() - 1 })))).toMatchObject({
      code: 'TOKEN_EXPIRED',
    });
    const publicPem = await exportJWK(rsa.publicKey);
    const confused = `${b64({ alg: 'HS256', kid: 'rsa-1' })}.${b64(valid())}`;
    const sig = createHmac('sha256', JSON.stringify(publicPem)).update(confused).digest('base64url');
    expect(await v.verify(`${confused}.${sig}`)).toMatchObject({ code: 'TOKEN_INVALID' });
  });
});
