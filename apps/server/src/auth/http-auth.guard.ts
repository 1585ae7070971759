import { type CanActivate, type ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { type Role } from '@realtime/contracts';
import { type FastifyRequest } from 'fastify';
import { ApiError } from '../common/api-error.js';
import { HttpRateLimit } from './http-rate-limit.js';
import { bearerToken, type Principal, TokenVerifier, type VerifyResult } from './token-verifier.js';

const ROLES = Symbol('roles');

/** Restricts a route to tokens with one of these roles. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES, roles);

export type AuthedRequest = FastifyRequest & { principal: Principal };

const refusals: Record<Exclude<VerifyResult, { ok: true }>['code'], string> = {
  TOKEN_MISSING: 'missing bearer token',
  TOKEN_EXPIRED: 'token expired',
  TOKEN_INVALID: 'invalid token',
  TOKEN_REVOKED: "the user's sessions were revoked after this token was issued",
};

/**
 * Requires `Authorization: Bearer <JWT>` (401), keeps each principal within its request budget (429
 * with Retry-After) and, with {@link Roles}, a role (403). {@link authorize} is the same check for a
 * route mounted on Fastify directly (see common/lean-route.ts).
 */
@Injectable()
export class HttpAuthGuard implements CanActivate {
  constructor(
    private readonly verifier: TokenVerifier,
    private readonly reflector: Reflector,
    private readonly rateLimit: HttpRateLimit,
  ) {}

  canActivate(context: ExecutionContext): true | Promise<true> {
    const http = context.switchToHttp();
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES, [
      context.getHandler(),
      context.getClass(),
    ]);
    return this.authorize(http.getRequest<AuthedRequest>(), roles);
  }

  /** Sets `req.principal`, or throws the ApiError to answer. */
  authorize(req: FastifyRequest, roles?: readonly Role[]): true | Promise<true> {
    const principal = this.principal(req.headers.authorization, roles);
    if (!(principal instanceof Promise)) {
      (req as AuthedRequest).principal = principal;
      return true;
    }
    return principal.then((p) => {
      (req as AuthedRequest).principal = p;
      return true as const;
    });
  }

  /** The principal of an `Authorization` header, or throws (or rejects with) the ApiError to answer. */
  principal(authorization: string | undefined, roles?: readonly Role[]): Principal | Promise<Principal> {
    const result = this.verifier.verify(bearerToken(authorization));
    return result instanceof Promise ? result.then((r) => this.decide(r, roles)) : this.decide(result, roles);
  }

  private decide(result: VerifyResult, roles?: readonly Role[]): Principal {
    if (!result.ok) throw new ApiError(result.code, refusals[result.code]);
    const wait = this.rateLimit.take(result.principal);
    if (wait > 0) throw ApiError.rateLimited(wait, 'too many requests for this token');
    if (roles && !roles.includes(result.principal.role)) {
      throw ApiError.forbidden(`requires role ${roles.join(' or ')}`);
    }
    return result.principal;
  }
}
