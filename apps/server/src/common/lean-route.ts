import { Logger } from '@nestjs/common';
import { type RouteDef, type RouteResponse } from '@realtime/contracts';
import { type FastifyInstance, type FastifyReply } from 'fastify';
import { type IncomingMessage } from 'node:http';
import { type AuthedRequest, type HttpAuthGuard } from '../auth/http-auth.guard.js';
import { type DrainService } from '../health/drain.service.js';
import { successStatus } from './contract-route.js';
import { BODY_LIMIT_BYTES, type FastRoutes, plainJsonRequest, readJsonBody, sendJson } from './fast-route.js';
import { sendHttpError, sendRawHttpError } from './http-exception.filter.js';

const logger = new Logger('HttpExceptionFilter');

/**
 * Mounts a route of the contract on Fastify itself, outside Nest's router, for the routes whose cost
 * per request is the product (`POST /api/events`). Nest's pipeline (execution context, guards and
 * interceptors consumers, parameter factories, response controller) cost more CPU per request than
 * the route's own work and its Socket.IO emit together (measured: 0.19-0.26 ms against 0.15 ms per
 * published event). The route keeps everything a Nest route has: the same authorization, budget and
 * roles (HttpAuthGuard.authorize), the contract's 2xx status, errors answered by the same code as
 * HttpExceptionFilter (body parsing's included), and Fastify's global hooks (CORS, drain).
 */
export function mountLeanRoute<R extends RouteDef>(
  fastify: FastifyInstance,
  route: R,
  auth: HttpAuthGuard,
  handler: (req: AuthedRequest, reply: FastifyReply) => RouteResponse<R> | Promise<RouteResponse<R>>,
): void {
  const roles = Array.isArray(route.access) ? route.access : undefined;
  const status = successStatus(route) ?? 200;
  fastify.route({
    method: route.method,
    url: route.path,
    errorHandler: (error, _req, reply) => sendHttpError(reply, error, logger),
    handler: (req, reply) => {
      void reply.status(status);
      const authorized = auth.authorize(req, roles);
      if (authorized === true) return handler(req as AuthedRequest, reply);
      return authorized.then(() => handler(req as AuthedRequest, reply));
    },
  });
}

/**
 * Also answers `route` before Fastify (see common/fast-route.ts), for the requests it can take: plain
 * JSON requests that `accepts`, outside a drain (whose hook on Fastify tells a keep-alive client to go
 * elsewhere). The same order as the lean route (the body is parsed, then the token checked), the same
 * authorization, status and error bodies; `handler` answers at once, or throws the error to answer.
 */
export function mountFastRoute<R extends RouteDef>(
  fast: FastRoutes,
  route: R,
  auth: HttpAuthGuard,
  drain: DrainService,
  accepts: (req: IncomingMessage) => boolean,
  handler: (req: IncomingMessage, body: unknown) => RouteResponse<R>,
): void {
  const roles = Array.isArray(route.access) ? route.access : undefined;
  const status = successStatus(route) ?? 200;
  fast.add(route.method, route.path, (req, res) => {
    if (!plainJsonRequest(req, BODY_LIMIT_BYTES) || !accepts(req) || !drain.admit(res)) return false;
    const fail = (err: unknown) => sendRawHttpError(res, err, logger);
    const respond = (body: unknown) => {
      try {
        sendJson(res, status, handler(req, body));
      } catch (err) {
        fail(err);
      }
    };
    readJsonBody(req, (body, error) => {
      try {
        if (error) throw error;
        const principal = auth.principal(req.headers.authorization, roles);
        if (principal instanceof Promise) principal.then(() => respond(body), fail);
        else respond(body);
      } catch (err) {
        fail(err);
      }
    });
    return true;
  });
}
