import { type CanActivate, type ExecutionContext, HttpStatus, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { type Role } from '@realtime/contracts';
import { type FastifyRequest } from 'fastify';
import { ApiError } from '../common/api-error.js';
import { bearerToken, type Principal, TokenVerifier } from './token-verifier.js';

const ROLES = Symbol('roles');

/** Restricts a route to tokens with one of these roles. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES, roles);

export type AuthedRequest = FastifyRequest & { principal: Principal };

/** Requires `Authorization: Bearer <JWT>` (401) and, with {@link Roles}, a role (403). */
@Injectable()
export class HttpAuthGuard implements CanActivate {
  constructor(
    private readonly verifier: TokenVerifier,
    private readonly reflector: Reflector,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<AuthedRequest>();
    const result = this.verifier.verify(bearerToken(req.headers.authorization));
    if (!result.ok) {
      const message =
        result.code === 'TOKEN_MISSING'
          ? 'missing bearer token'
          : result.code === 'TOKEN_EXPIRED'
            ? 'token expired'
            : 'invalid token';
      throw new ApiError(result.code, message, HttpStatus.UNAUTHORIZED);
    }
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (roles && !roles.includes(result.principal.role)) {
      throw ApiError.forbidden(`requires role ${roles.join(' or ')}`);
    }
    req.principal = result.principal;
    return true;
  }
}
