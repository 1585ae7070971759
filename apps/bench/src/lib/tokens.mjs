// The bench signs its own tokens with the server's JWT_SECRET (HS256, exp one hour ahead), like an
// identity provider would; it never asks the server for one.
import { TextEncoder } from 'node:util';
import { SignJWT } from 'jose';

/**
 * @param {string} secret
 * @param {{ sub: string, email?: string, role?: string }} claims
 */
export async function signToken(secret, { sub, email, role }, ttlSeconds = 3600) {
  const iat = Math.floor(Date.now() / 1000);
  return new SignJWT({ email, role })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ttlSeconds)
    .sign(new TextEncoder().encode(secret));
}
