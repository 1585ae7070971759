import { describe, expect, it } from 'vitest';
import { readToken, refreshDelay } from './token.js';

const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const jwt = (claims: object) => `${b64url({ alg: 'HS256' })}.${b64url(claims)}.sig`;

describe('token', () => {
  it('reads sub, exp and iat from the payload without verifying', () => {
    expect(readToken(jwt({ sub: 'zoë', exp: 2000, iat: 1000 }))).toEqual({
      sub: 'zoë',
      expiresAt: 2_000_000,
      issuedAt: 1_000_000,
    });
    expect(readToken(jwt({ sub: 'a', exp: 5 }))?.issuedAt).toBeNull();
  });

  it('reads anything else as no token', () => {
    for (const t of ['', 'opaque', 'a.b.c', jwt({ sub: 'a' }), jwt({ exp: 1 })]) expect(readToken(t)).toBeNull();
  });

  it('renews a long token a minute early, and a short one a third of its lifetime early', () => {
    const now = 1_000_000;
    expect(refreshDelay({ sub: 'a', issuedAt: now, expiresAt: now + 3600_000 }, now)).toBe(3540_000);
    expect(refreshDelay({ sub: 'a', issuedAt: now, expiresAt: now + 3000 }, now)).toBe(2000);
    expect(refreshDelay({ sub: 'a', issuedAt: null, expiresAt: now + 3000 }, now)).toBe(2000);
  });

  it('renews an expired token at once, and caps the delay to what a timer can hold', () => {
    expect(refreshDelay({ sub: 'a', issuedAt: null, expiresAt: 10 }, 20)).toBe(0);
    expect(refreshDelay({ sub: 'a', issuedAt: 0, expiresAt: 2 ** 40 }, 0)).toBe(2 ** 31 - 1);
  });
});
