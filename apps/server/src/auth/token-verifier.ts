import { Inject, Injectable } from '@nestjs/common';
import { type HandshakeErrorCode, type Role, tokenClaimsSchema } from '@realtime/contracts';
import { errors, jwtVerify, SignJWT } from 'jose';
import { APP_CONFIG, type AppConfig } from '../config/config.js';

/** Who a valid token speaks for. */
export interface Principal {
  userId: string;
  email: string | null;
  name: string | null;
  role: Role;
  /** Expiry in ms since the epoch; null for a token without `exp`. */
  expiresAt: number | null;
}

export type VerifyResult = { ok: true; principal: Principal } | { ok: false; code: HandshakeErrorCode; reason: string };

/** Verifies and mints HS256 tokens; the one place that knows the secret. */
@Injectable()
export class TokenVerifier {
  private readonly key: Uint8Array;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.key = new TextEncoder().encode(config.jwtSecret);
  }

  async verify(token: string | undefined | null): Promise<VerifyResult> {
    if (!token) return { ok: false, code: 'TOKEN_MISSING', reason: 'no token' };
    try {
      // Only HS256: `none` and asymmetric algorithms are refused before the signature is checked.
      const { payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'], clockTolerance: 0 });
      const claims = tokenClaimsSchema.safeParse(payload);
      if (!claims.success) return { ok: false, code: 'TOKEN_INVALID', reason: 'claims do not match the contract' };
      const { sub, email, name, role, exp } = claims.data;
      return {
        ok: true,
        principal: {
          userId: sub,
          email: email ?? null,
          name: name ?? null,
          role: role ?? 'user',
          expiresAt: exp === undefined ? null : exp * 1000,
        },
      };
    } catch (err) {
      if (err instanceof errors.JWTExpired) return { ok: false, code: 'TOKEN_EXPIRED', reason: 'token expired' };
      return { ok: false, code: 'TOKEN_INVALID', reason: err instanceof Error ? err.message : 'invalid token' };
    }
  }

  /** Signs a token, for the development token endpoint and tests. */
  async sign(
    { sub, ...claims }: { sub: string; email?: string; name?: string; role?: Role },
    ttlSeconds: number,
  ): Promise<{ token: string; expiresAt: number }> {
    const exp = Math.floor(Date.now() / 1000) + ttlSeconds;
    const token = await new SignJWT({ ...claims, role: claims.role ?? 'user' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(sub)
      .setIssuedAt()
      .setExpirationTime(exp)
      .sign(this.key);
    return { token, expiresAt: exp * 1000 };
  }
}

/** The token of a handshake: `auth.token` first, then an `Authorization: Bearer` header. */
export function bearerToken(authorization: string | string[] | undefined): string | undefined {
  const header = Array.isArray(authorization) ? authorization[0] : authorization;
  const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
  return match?.[1];
}
