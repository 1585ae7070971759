import { routeId, type RouteDef } from '@realtime/contracts';
import { type FastifyReply } from 'fastify';
import { type AuthedRequest } from '../auth/http-auth.guard.js';
import { canonicalHash } from './canonical-json.js';

/** One caller's `Idempotency-Key` on one route, and the body it came with. */
export interface IdempotencyScope {
  /** The caller's `sub`. */
  caller: string;
  route: string;
  key: string;
  bodyHash: string;
}

/** An answer: applied now, or the stored first answer to the same key replayed. */
export interface Reply<B> {
  status: number;
  body: B;
  replayed: boolean;
}

/** The scope of the request's `Idempotency-Key` (parsed with the route's headers), undefined without one. */
export function idempotencyScope(
  req: AuthedRequest,
  route: RouteDef,
  key: string | undefined,
  body: unknown,
): IdempotencyScope | undefined {
  if (key === undefined) return undefined;
  return { caller: req.principal.userId, route: routeId(route), key, bodyHash: canonicalHash(body) };
}

/** Sends `reply`'s status (a replay says so in `Idempotent-Replayed`) and returns its body for Nest to send. */
export function answer<B>(res: FastifyReply, reply: Reply<B>): B {
  void res.status(reply.status);
  if (reply.replayed) void res.header('idempotent-replayed', 'true');
  return reply.body;
}
