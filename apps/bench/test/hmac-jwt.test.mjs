// The bare baseline's token check (baseline/hmac-jwt.mjs) accepts what the gateway accepts and refuses
// what a careful server refuses, on every call: the comparison is only fair if the yardstick does the
// same checks. Tokens here are made by hand with node:crypto, so that each can break one rule.
import { Buffer } from 'node:buffer';
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hmacVerifier } from '../baseline/hmac-jwt.mjs';
import { signToken } from '../src/lib/tokens.mjs';

const SECRET = 's'.repeat(40);
const now = () => Math.floor(Date.now() / 1000);
const b64 = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * @param {object} claims
 * @param {{ header?: object, secret?: string, hash?: string }} [options]
 */
function token(claims, { header = { alg: 'HS256', typ: 'JWT' }, secret = SECRET, hash = 'sha256' } = {}) {
  const input = `${b64(header)}.${b64(claims)}`;
  return `${input}.${createHmac(hash, secret).update(input).digest('base64url')}`;
}

const valid = (extra = {}) => ({ sub: 'u1', role: 'user', iat: now(), exp: now() + 3600, ...extra });

/** The code a refused token is thrown with. */
function refusal(verify, t) {
  try {
    verify(t);
  } catch (err) {
    return err.code;
  }
  return 'accepted';
}

describe('hmacVerifier', () => {
  const verify = hmacVerifier(SECRET);

  it('accepts a token the bench signs, and returns its claims', async () => {
    const claims = verify(await signToken(SECRET, { sub: 'u1', email: 'u1@bench.test', role: 'service' }));
    expect(claims).toMatchObject({ sub: 'u1', email: 'u1@bench.test', role: 'service' });
  });

  it.each([
    ['another secret', token(valid(), { secret: 'x'.repeat(40) })],
    ['a changed payload', token(valid()).replace(/\.[^.]+\./, `.${b64(valid({ role: 'admin' }))}.`)],
    ['alg none', `${b64({ alg: 'none' })}.${b64(valid())}.`],
    ['alg HS512', token(valid(), { header: { alg: 'HS512', typ: 'JWT' }, hash: 'sha512' })],
    ['typ other than JWT', token(valid(), { header: { alg: 'HS256', typ: 'at+jwt' } })],
    ['a crit header', token(valid(), { header: { alg: 'HS256', crit: ['exp'] } })],
    ['no exp', token({ sub: 'u1' })],
    ['exp not a number', token(valid({ exp: String(now() + 60) }))],
    ['exp beyond the longest lifetime', token(valid({ exp: now() + 2 * 86_400 }))],
    ['iat in the future', token(valid({ iat: now() + 600 }))],
    ['nbf in the future', token(valid({ nbf: now() + 600 }))],
    ['an empty sub', token(valid({ sub: '' }))],
    ['no sub', token({ exp: now() + 60 })],
    ['not a compact JWS', 'a.b'],
    ['no token', undefined],
  ])('refuses %s as TOKEN_INVALID', (_, t) => {
    expect(refusal(verify, t)).toBe('TOKEN_INVALID');
  });

  it('refuses an expired token as TOKEN_EXPIRED', () => {
    expect(refusal(verify, token(valid({ iat: now() - 120, exp: now() - 60 })))).toBe('TOKEN_EXPIRED');
  });

  it('checks iss and aud only when they are set', () => {
    const strict = hmacVerifier(SECRET, { issuer: 'idp', audience: 'gateway' });
    expect(refusal(strict, token(valid()))).toBe('TOKEN_INVALID');
    expect(refusal(strict, token(valid({ iss: 'other', aud: 'gateway' })))).toBe('TOKEN_INVALID');
    expect(refusal(strict, token(valid({ iss: 'idp', aud: ['web', 'other'] })))).toBe('TOKEN_INVALID');
    expect(refusal(strict, token(valid({ iss: 'idp', aud: ['web', 'gateway'] })))).toBe('accepted');
    expect(refusal(verify, token(valid({ iss: 'anyone', aud: 'anything' })))).toBe('accepted');
  });
});
