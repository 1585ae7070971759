import { Body, Controller, HttpStatus, Inject, Logger, Req, Res, UseGuards } from '@nestjs/common';
import { parsePublishedPayload, type RouteResponse, routes } from '@realtime/contracts';
import { type FastifyReply } from 'fastify';
import { type AuthedRequest, HttpAuthGuard } from '../auth/http-auth.guard.js';
import { afterCommit } from '../common/after-commit.js';
import { ApiError, parseOrThrow } from '../common/api-error.js';
import { ContractRoute } from '../common/contract-route.js';
import { assertFanout, bodySize } from '../common/fanout.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { answer, idempotencyScope } from '../idempotency/idempotency-http.js';
import { IdempotentWrites } from '../idempotency/idempotent-writes.js';
import { WebSocketService } from './websocket.service.js';

const { publishEvent } = routes;

/** `POST /api/events`: other services publish the contract events that carry no store position, to users or to everyone. */
@Controller()
@UseGuards(HttpAuthGuard)
export class EventsController {
  private readonly logger = new Logger('EventsController');

  constructor(
    private readonly ws: WebSocketService,
    private readonly writes: IdempotentWrites,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @ContractRoute(publishEvent)
  async publish(
    @Req() req: AuthedRequest,
    @Body() body: unknown,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<RouteResponse<typeof publishEvent>> {
    const headers = parseOrThrow(publishEvent.headers, req.headers, 'headers');
    const scope = idempotencyScope(req, publishEvent, headers['idempotency-key'], body);
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
    if (!scope) {
      send();
      return accepted;
    }
    const outcome = await this.writes.record(scope, HttpStatus.ACCEPTED, accepted);
    // The key's answer is committed: a failed emit is logged, never answered (a retry would get 202).
    if (!outcome.replayed) afterCommit(this.logger, [[event, send]]);
    return answer(res, outcome);
  }
}
