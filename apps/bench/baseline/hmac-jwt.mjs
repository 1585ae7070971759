// HS256 JWTs checked the way a careful bare server checks them on every request, with node:crypto's
// HMAC and nothing cached: the same checks the gateway's TokenVerifier makes on a token it has not
// seen (apps/server/src/auth/token-verifier.ts), minus its cache, its revocation list and JWKS.
import { Buffer } from 'node:buffer';
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Why a token was refused; `code` is what the handshake's `connect_error` carries. */
export class TokenError extends Error {
  /** @param {'TOKEN_INVALID' | 'TOKEN_EXPIRED'} code @param {string} message */
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

const MAX_TOKEN_LENGTH = 8192;
const JWS_COMPACT = /^[\w-]+\.[\w-]+\.[\w-]+$/;
const HS256_SIGNATURE = /^[\w-]{43}$/;
const invalid = (message) => new TokenError('TOKEN_INVALID', message);

/** A base64url JSON object, or undefined when the segment is not one. */
function decodeJson(segment) {
  try {
    const value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

const isNumericDate = (v) => typeof v === 'number' && Number.isFinite(v);
const optional = (v, check) => v === undefined || check(v);
const isString = (v) => typeof v === 'string';

/**
 * A verifier for `secret`: `verify(token)` returns the claims (`sub` a non-empty string) or throws a
 * TokenError. `issuer` and `audience`, when given, must match `iss` and be among `aud`.
 * @param {string} secret
 * @param {{ issuer?: string, audience?: string, maxLifetimeSeconds?: number }} [options]
 */
export function hmacVerifier(secret, { issuer, audience, maxLifetimeSeconds = 24 * 3600 } = {}) {
  const key = Buffer.from(secret, 'utf8');
  return function verify(token) {
    if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH || !JWS_COMPACT.test(token)) {
      throw invalid('not a compact JWS');
    }
    const [header, payload, signature] = token.split('.');
    const protectedHeader = decodeJson(header);
    if (protectedHeader?.alg !== 'HS256') throw invalid('algorithm is not HS256');
    if (protectedHeader.typ !== undefined && protectedHeader.typ !== 'JWT') throw invalid('typ is not JWT');
    if (protectedHeader.crit !== undefined) throw invalid('unsupported critical header parameters');
    const expected = createHmac('sha256', key).update(`${header}.${payload}`).digest('base64url');
    if (!HS256_SIGNATURE.test(signature) || !timingSafeEqual(Buffer.from(signature), Buffer.from(expected))) {
      throw invalid('signature does not match');
    }
    const claims = decodeJson(payload);
    if (!claims) throw invalid('claims are not a JSON object');
    const { sub, exp, iat, nbf, iss, aud } = claims;
    if (!isString(sub) || sub === '') throw invalid('sub must be a non-empty string');
    if (!isNumericDate(exp) || !optional(iat, isNumericDate) || !optional(nbf, isNumericDate)) {
      throw invalid('exp, iat and nbf must be numbers');
    }
    const now = Date.now();
    if (exp * 1000 <= now) throw new TokenError('TOKEN_EXPIRED', 'token expired');
    if (exp * 1000 - now > maxLifetimeSeconds * 1000) throw invalid('exp is further ahead than the longest lifetime');
    if (iat !== undefined && iat * 1000 > now) throw invalid('iat is in the future');
    if (nbf !== undefined && nbf * 1000 > now) throw invalid('token not valid yet (nbf)');
    if (issuer !== undefined && iss !== issuer) throw invalid('iss is not the expected issuer');
    if (audience !== undefined && !(Array.isArray(aud) ? aud : [aud]).includes(audience)) {
      throw invalid('aud does not include the expected audience');
    }
    return claims;
  };
}
