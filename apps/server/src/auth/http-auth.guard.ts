import { type CanActivate, type ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { type Role } from '@realtime/contracts';
import { type FastifyReply, type FastifyRequest } from 'fastify';
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
    return this.authorize(http.getRequest<AuthedRequest>(), http.getResponse<FastifyReply>(), roles);
  }

  /** Sets `req.principal`, or throws the ApiError to answer. */
  authorize(req: FastifyRequest, reply: FastifyReply, roles?: readonly Role[]): true | Promise<true> {
    const result = this.verifier.verify(bearerToken(req.headers.authorization));
    return result instanceof Promise
      ? result.then((r) => this.decide(req, reply, r, roles))
      : this.decide(req, reply, result, roles);
  }

  private decide(req: FastifyRequest, reply: FastifyReply, result: VerifyResult, roles?: readonly Role[]): true {
    if (!result.ok) throw new ApiError(result.code, refusals[result.code]);
    const wait = this.rateLimit.take(result.principal);
    if (wait > 0) {
      void reply.header('retry-after', String(Math.ceil(wait)));
      throw new ApiError('RATE_LIMITED', 'too many requests for this token');
    }
    if (roles && !roles.includes(result.principal.role)) {
      throw ApiError.forbidden(`requires role ${roles.join(' or ')}`);
    }
    (req as AuthedRequest).principal = result.principal;
    return true;
  }
}
