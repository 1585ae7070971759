import { jwtVerify } from 'jose';
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.js';
import { TokenVerifier } from './token-verifier.js';

const SECRET = 'unit-secret-0123456789abcdef0123456789';
const verifier = () => new TokenVerifier(loadConfig({ JWT_SECRET: SECRET, JWT_MAX_LIFETIME_SECONDS: '3600' }));
const now = () => Math.floor(Date.now() / 1000);
const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

/** A compact JWS built by hand, so every field (header included) can be wrong on purpose. */
function token(claims: Record<string, unknown>, header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' }) {
  const input = `${b64(header)}.${b64(claims)}`;
  return `${input}.${createHmac('sha256', SECRET).update(input).digest('base64url')}`;
}
const valid = (extra: Record<string, unknown> = {}) => ({ sub: 'ada', iat: now(), exp: now() + 600, ...extra });

describe('TokenVerifier', () => {
  it('accepts a well-formed HS256 token and reads its principal', () => {
    const result = verifier().verify(token(valid({ email: 'ada@example.com', name: 'Ada', role: 'admin' })));
    expect(result).toEqual({
      ok: true,
      principal: {
        userId: 'ada',
        email: 'ada@example.com',
        name: 'Ada',
        role: 'admin',
        expiresAt: expect.any(Number),
      },
    });
  });

  it('answers a repeated token from its cache, and still refuses it once expired', () => {
    const v = verifier();
    const t = token(valid({ exp: now() + 600 }));
    const [first, again] = [v.verify(t), v.verify(t)];
    expect(first.ok && again.ok && first.principal === again.principal).toBe(true);
    const realNow = Date.now;
    try {
      Date.now = () => realNow() + 601_000;
      expect(v.verify(t)).toMatchObject({ ok: false, code: 'TOKEN_EXPIRED' });
    } finally {
      Date.now = realNow;
    }
  });

  it('refuses missing, expired and malformed tokens with their codes', () => {
    const v = verifier();
    expect(v.verify(undefined)).toMatchObject({ code: 'TOKEN_MISSING' });
    expect(v.verify('')).toMatchObject({ code: 'TOKEN_MISSING' });
    expect(v.verify(token(valid({ exp: now() - 1 })))).toMatchObject({ code: 'TOKEN_EXPIRED' });
    for (const t of ['garbage', 'a.b.c', `${token(valid())}x`, `${token(valid())}.`, 'x'.repeat(9000)]) {
      expect(v.verify(t)).toMatchObject({ ok: false, code: 'TOKEN_INVALID' });
    }
  });

  it('refuses other algorithms, alg none, critical headers and bad signatures', () => {
    const v = verifier();
    const claims = valid();
    expect(v.verify(token(claims, { alg: 'HS512' }))).toMatchObject({ code: 'TOKEN_INVALID' });
    expect(v.verify(token(claims, { alg: 'none' }))).toMatchObject({ code: 'TOKEN_INVALID' });
    expect(v.verify(`${b64({ alg: 'none' })}.${b64(claims)}.`)).toMatchObject({ code: 'TOKEN_INVALID' });
    expect(v.verify(token(claims, { alg: 'HS256', crit: ['b64'], b64: false }))).toMatchObject({
      code: 'TOKEN_INVALID',
    });
    const [h, , s] = token(claims).split('.');
    expect(v.verify(`${h}.${b64({ ...claims, role: 'admin' })}.${s}`)).toMatchObject({ code: 'TOKEN_INVALID' });
    const other = createHmac('sha256', 'another-secret')
      .update(`${h}.${b64(claims)}`)
      .digest('base64url');
    expect(v.verify(`${h}.${b64(claims)}.${other}`)).toMatchObject({ code: 'TOKEN_INVALID' });
  });

  it('refuses claims outside the contract: no exp, exp too far ahead, iat or nbf in the future, bad sub', () => {
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
      expect(v.verify(token(claims)), JSON.stringify(claims)).toMatchObject({ ok: false, code: 'TOKEN_INVALID' });
    }
    expect(v.verify(token(valid({ sub: 'x'.repeat(200) })))).toMatchObject({ ok: true });
  });

  it('signs tokens any HS256 library accepts, and that it verifies itself', async () => {
    const v = verifier();
    const { token: signed, expiresAt } = v.sign({ sub: 'ada', email: 'ada@example.com', role: 'service' }, 600);
    const { payload, protectedHeader } = await jwtVerify(signed, new TextEncoder().encode(SECRET));
    expect(protectedHeader).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(payload).toMatchObject({ sub: 'ada', email: 'ada@example.com', role: 'service', exp: expiresAt / 1000 });
    expect(v.verify(signed)).toMatchObject({ ok: true, principal: { userId: 'ada', role: 'service', expiresAt } });
  });
});
