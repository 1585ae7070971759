import { Inject, Injectable } from '@nestjs/common';
import { type HandshakeErrorCode, type Principal, type Role, tokenClaimsSchema } from '@realtime/contracts';

export type { Principal };
import { createHmac, timingSafeEqual } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { type JwksVerifier, jwksVerifier } from './jwks.js';
import { RevocationList } from './revocation-list.js';

/** Why a token is refused (a cap's TOO_MANY_CONNECTIONS is the connection's, never the token's). */
export type TokenErrorCode = Exclude<HandshakeErrorCode, 'TOO_MANY_CONNECTIONS'>;

export type VerifyResult = { ok: true; principal: Principal } | { ok: false; code: TokenErrorCode; reason: string };

/** Verified tokens kept until they expire, so a token is checked once and not on every request or device. */
const CACHE_SIZE = 10_000;
/** Longer strings are not tokens this server issues or accepts. */
const MAX_TOKEN_LENGTH = 8192;
const JWS_COMPACT = /^[\w-]+\.[\w-]+\.[\w-]+$/;
const HS256_SIGNATURE = /^[\w-]{43}$/;

const invalid = (reason: string): VerifyResult => ({ ok: false, code: 'TOKEN_INVALID', reason });
const expired: VerifyResult = { ok: false, code: 'TOKEN_EXPIRED', reason: 'token expired' };

/**
 * Verifies tokens and mints development ones; the one place that knows the secret. HS256 is checked
 * synchronously with node:crypto (WebCrypto's async HMAC costs more than the rest of a handshake);
 * RS256/ES256 by a key of JWT_JWKS_URL, asynchronously the first time a token is seen. Either way
 * a verified token is cached until it expires, and checked against revocations on every use.
 */
@Injectable()
export class TokenVerifier {
  private readonly secret: Buffer;
  private readonly maxLifetimeMs: number;
  private readonly issuer: string | undefined;
  private readonly audience: string | undefined;
  private readonly jwks: JwksVerifier | null;
  private readonly cache = new Map<string, Principal>();
  private readonly listeners: ((principal: Principal) => void)[] = [];

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly revocations: RevocationList,
  ) {
    this.secret = Buffer.from(config.jwtSecret, 'utf8');
    this.maxLifetimeMs = config.jwtMaxLifetimeSeconds * 1000;
    this.issuer = config.jwtIssuer;
    this.audience = config.jwtAudience;
    this.jwks = config.jwtJwksUrl ? jwksVerifier(config.jwtJwksUrl) : null;
  }

  /** Synchronous for HS256 and for any token seen before; a promise for a new JWKS-signed one. */
  verify(token: string | undefined | null): VerifyResult | Promise<VerifyResult> {
    if (!token) return { ok: false, code: 'TOKEN_MISSING', reason: 'no token' };
    const cached = this.cache.get(token);
    if (cached) return this.admit(token, cached);
    if (token.length > MAX_TOKEN_LENGTH || !JWS_COMPACT.test(token)) return invalid('not a compact JWS');
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const protectedHeader = decodeJson(header);
    if (protectedHeader?.crit !== undefined) return invalid('unsupported critical header parameters');
    const alg = protectedHeader?.alg;
    // An algorithm is chosen by the key that checks it: `none`, other HMACs and HS256 with a public key are refused.
    if (alg === 'HS256') {
      const expected = this.signature(`${header}.${payload}`);
      if (!HS256_SIGNATURE.test(signature) || !timingSafeEqual(Buffer.from(signature), Buffer.from(expected))) {
        return invalid('signature does not match');
      }
      return this.accept(token, decodeJson(payload));
    }
    if ((alg === 'RS256' || alg === 'ES256') && this.jwks) {
      return this.jwks(token).then(
        (claims) => this.accept(token, claims),
        (err: unknown) => ((err as { code?: string }).code === 'ERR_JWT_EXPIRED' ? expired : invalid(String(err))),
      );
    }
    return invalid(`algorithm ${String(alg)} is not accepted`);
  }

  /** Checks the claims of a token whose signature holds, and caches its principal. */
  private accept(token: string, payload: unknown): VerifyResult {
    const parsed = tokenClaimsSchema.safeParse(payload);
    if (!parsed.success) return invalid('claims do not match the contract');
    const { sub, email, name, role, exp, iat, nbf, iss, aud } = parsed.data;
    const now = Date.now();
    const expiresAt = exp * 1000;
    if (expiresAt <= now) return expired;
    if (expiresAt - now > this.maxLifetimeMs) return invalid('exp is further ahead than the longest token lifetime');
    if (iat !== undefined && iat * 1000 > now) return invalid('iat is in the future');
    if (nbf !== undefined && nbf * 1000 > now) return invalid('token not valid yet (nbf)');
    if (this.issuer !== undefined && iss !== this.issuer) return invalid('iss is not JWT_ISSUER');
    if (this.audience !== undefined && !(Array.isArray(aud) ? aud : [aud]).includes(this.audience)) {
      return invalid('aud does not include JWT_AUDIENCE');
    }
    const principal: Principal = {
      userId: sub,
      email: email ?? null,
      name: name ?? null,
      role: role ?? 'user',
      expiresAt,
      issuedAt: iat ?? null,
    };
    if (this.cache.size >= CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(token, principal);
    const result = this.admit(token, principal);
    if (result.ok) for (const listener of this.listeners) listener(principal);
    return result;
  }

  /** Called with each accepted token's principal the first time this process verifies it (not on every use). */
  onNewToken(listener: (principal: Principal) => void): void {
    this.listeners.push(listener);
  }

  /** A verified token still has to be unexpired and unrevoked, every time it is used. */
  private admit(token: string, principal: Principal): VerifyResult {
    if (principal.expiresAt <= Date.now()) {
      this.cache.delete(token);
      return expired;
    }
    if (this.revocations.revokes(principal)) {
      return {
        ok: false,
        code: 'TOKEN_REVOKED',
        reason: "the user's sessions were revoked after this token was issued",
      };
    }
    return { ok: true, principal };
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
