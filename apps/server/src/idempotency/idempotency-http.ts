import { IDEMPOTENCY_KEY_HEADER, idempotencyKeySchema } from '@realtime/contracts';
import { type FastifyReply } from 'fastify';
import { type AuthedRequest } from '../auth/http-auth.guard.js';
import { parseOrThrow } from '../common/api-error.js';
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

/** The request's `Idempotency-Key` scope, undefined without the header; 400 for a malformed key. */
export function idempotencyScope(req: AuthedRequest, route: string, body: unknown): IdempotencyScope | undefined {
  const raw = req.headers[IDEMPOTENCY_KEY_HEADER];
  if (raw === undefined) return undefined;
  const key = parseOrThrow(idempotencyKeySchema, Array.isArray(raw) ? raw.join(', ') : raw, 'Idempotency-Key header');
  return { caller: req.principal.userId, route, key, bodyHash: canonicalHash(body) };
}

/** Sends `reply`'s status (a replay says so in `Idempotent-Replayed`) and returns its body for Nest to send. */
export function answer<B>(res: FastifyReply, reply: Reply<B>): B {
  void res.status(reply.status);
  if (reply.replayed) void res.header('idempotent-replayed', 'true');
  return reply.body;
}
