import { HttpStatus, Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { parsePublishedPayload, type RouteResponse, routes } from '@realtime/contracts';
import { type FastifyInstance, type FastifyReply } from 'fastify';
import { type IncomingMessage } from 'node:http';
import { type AuthedRequest, HttpAuthGuard } from '../auth/http-auth.guard.js';
import { afterCommit } from '../common/after-commit.js';
import { ApiError, parseOrThrow } from '../common/api-error.js';
import { assertFanout, bodySize } from '../common/fanout.js';
import { FastRoutes } from '../common/fast-route.js';
import { mountFastRoute, mountLeanRoute } from '../common/lean-route.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { DrainService } from '../health/drain.service.js';
import { answer, idempotencyScope } from '../idempotency/idempotency-http.js';
import { IdempotentWrites } from '../idempotency/idempotent-writes.js';
import { WebSocketService } from './websocket.service.js';

const { publishEvent } = routes;

/**
 * `POST /api/events`: other services publish the contract events that carry no store position, to
 * users or to everyone. It is the route whose CPU per request decides how many events a process can
 * fan out: mounted on Fastify directly (see common/lean-route.ts), and answered before Fastify when
 * the request is plain enough (common/fast-route.ts) and has no `Idempotency-Key` (whose stored answer
 * waits for the store).
 */
@Injectable()
export class EventsRoute implements OnModuleInit {
  private readonly logger = new Logger('EventsRoute');

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly fast: FastRoutes,
    private readonly drain: DrainService,
    private readonly auth: HttpAuthGuard,
    private readonly ws: WebSocketService,
    private readonly writes: IdempotentWrites,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    mountLeanRoute(fastify, publishEvent, this.auth, (req, res) => this.publish(req, res));
    mountFastRoute(this.fast, publishEvent, this.auth, this.drain, withoutIdempotencyKey, (req, body) => {
      const { accepted, send } = this.check(req, body);
      send();
      return accepted;
    });
  }

  async publish(req: AuthedRequest, res: FastifyReply): Promise<RouteResponse<typeof publishEvent>> {
    const headers = parseOrThrow(publishEvent.headers, req.headers, 'headers');
    const scope = idempotencyScope(req, publishEvent, headers['idempotency-key'], req.body);
    const { accepted, send } = this.check(req, req.body);
    if (!scope) {
      send();
      return accepted;
    }
    const outcome = await this.writes.record(scope, HttpStatus.ACCEPTED, accepted);
    // The key's answer is committed: a failed emit is logged, never answered (a retry would get 202).
    if (!outcome.replayed) afterCommit(this.logger, [[accepted.event, send]]);
    return answer(res, outcome);
  }

  /** Checks a request's body: the answer, and the emit to run once the request is to take effect. */
  private check(req: Pick<IncomingMessage, 'headers'>, body: unknown) {
    const { event, payload, userIds, groupIds } = parseOrThrow(publishEvent.body, body, 'body');
    const checked = parsePublishedPayload(event, payload);
    if (!checked.success) throw ApiError.validation(checked.error, `${event} payload`);
    const users = userIds ? [...new Set(userIds)] : [];
    const groups = groupIds ? [...new Set(groupIds)] : [];
    const targeted = userIds !== undefined || groupIds !== undefined;
    // One emit, encoded once, whatever the audience: a broadcast's size is bounded by the body limit.
    assertFanout(checked.data, Math.max(1, users.length), this.config.limits.maxFanoutBytes, bodySize(req));
    const accepted = {
      accepted: true as const,
      event,
      recipients: targeted ? users.length : ('all' as const),
      ...(groups.length > 0 ? { groups: groups.length } : {}),
    };
    const send = () => this.ws.emit(targeted ? { userIds: users, groupIds: groups } : 'all', event, checked.data);
    return { accepted, send };
  }
}

const withoutIdempotencyKey = (req: IncomingMessage) => req.headers['idempotency-key'] === undefined;
