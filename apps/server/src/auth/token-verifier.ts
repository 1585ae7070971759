import { Inject, Injectable } from '@nestjs/common';
import { type HandshakeErrorCode, type Role, tokenClaimsSchema } from '@realtime/contracts';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '../config/config.js';

/** Who a valid token speaks for. */
export interface Principal {
  userId: string;
  email: string | null;
  name: string | null;
  role: Role;
  /** Expiry in ms since the epoch. */
  expiresAt: number;
}

export type VerifyResult = { ok: true; principal: Principal } | { ok: false; code: HandshakeErrorCode; reason: string };

/** Verified tokens kept until they expire, so a token is checked once and not on every request or device. */
const CACHE_SIZE = 10_000;
/** Longer strings are not tokens this server issues or accepts. */
const MAX_TOKEN_LENGTH = 8192;
const JWS_COMPACT = /^[\w-]+\.[\w-]+\.[\w-]{43}$/;

const invalid = (reason: string): VerifyResult => ({ ok: false, code: 'TOKEN_INVALID', reason });

/**
 * Verifies HS256 tokens (synchronously, with node:crypto: WebCrypto's async HMAC costs more than the
 * rest of a handshake) and mints them; the one place that knows the secret.
 */
@Injectable()
export class TokenVerifier {
  private readonly secret: Buffer;
  private readonly maxLifetimeMs: number;
  private readonly cache = new Map<string, Principal>();

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.secret = Buffer.from(config.jwtSecret, 'utf8');
    this.maxLifetimeMs = config.jwtMaxLifetimeSeconds * 1000;
  }

  verify(token: string | undefined | null): VerifyResult {
    if (!token) return { ok: false, code: 'TOKEN_MISSING', reason: 'no token' };
    const now = Date.now();
    const cached = this.cache.get(token);
    if (cached) {
      if (cached.expiresAt > now) return { ok: true, principal: cached };
      this.cache.delete(token);
      return { ok: false, code: 'TOKEN_EXPIRED', reason: 'token expired' };
    }
    const result = this.check(token, now);
    if (result.ok) {
      if (this.cache.size >= CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(token, result.principal);
    }
    return result;
  }

  private check(token: string, now: number): VerifyResult {
    if (token.length > MAX_TOKEN_LENGTH || !JWS_COMPACT.test(token)) return invalid('not a compact JWS');
    const [header, payload, signature] = token.split('.') as [string, string, string];
    // Only HS256: `none`, other HMACs and asymmetric algorithms are refused before the signature is checked.
    const protectedHeader = decodeJson(header);
    if (protectedHeader?.alg !== 'HS256') return invalid('algorithm is not HS256');
    if (protectedHeader.crit !== undefined) return invalid('unsupported critical header parameters');
    const expected = this.signature(`${header}.${payload}`);
    if (!timingSafeEqual(Buffer.from(signature), Buffer.from(expected))) return invalid('signature does not match');
    const parsed = tokenClaimsSchema.safeParse(decodeJson(payload));
    if (!parsed.success) return invalid('claims do not match the contract');
    const { sub, email, name, role, exp, iat, nbf } = parsed.data;
    const expiresAt = exp * 1000;
    if (expiresAt <= now) return { ok: false, code: 'TOKEN_EXPIRED', reason: 'token expired' };
    if (expiresAt - now > this.maxLifetimeMs) return invalid('exp is further ahead than the longest token lifetime');
    if (iat !== undefined && iat * 1000 > now) return invalid('iat is in the future');
    if (nbf !== undefined && nbf * 1000 > now) return invalid('token not valid yet (nbf)');
    return {
      ok: true,
      principal: { userId: sub, email: email ?? null, name: name ?? null, role: role ?? 'user', expiresAt },
    };
  }

  /** Signs a token, for the development token endpoint. */
  sign(
    { sub, ...claims }: { sub: string; email?: string; name?: string; role?: Role },
    ttlSeconds: number,
  ): { token: string; expiresAt: number } {
    const iat = Math.floor(Date.now() / 1000);
    const exp = iat + ttlSeconds;
    const input = `${encodeJson({ alg: 'HS256', typ: 'JWT' })}.${encodeJson({ ...claims, role: claims.role ?? 'user', sub, iat, exp })}`;
    return { token: `${input}.${this.signature(input)}`, expiresAt: exp * 1000 };
  }

  private signature(input: string): string {
    return createHmac('sha256', this.secret).update(input).digest('base64url');
  }
}

const encodeJson = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A base64url JSON object, or undefined when the segment is not one. */
function decodeJson(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The token of a handshake: `auth.token` first, then an `Authorization: Bearer` header. */
export function bearerToken(authorization: string | string[] | undefined): string | undefined {
  const header = Array.isArray(authorization) ? authorization[0] : authorization;
  const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
  return match?.[1];
}
