import { Body, Controller, Inject, Param, Query, Req, Res, UseGuards } from '@nestjs/common';
import { type RouteResponse, routes } from '@realtime/contracts';
import { type FastifyReply } from 'fastify';
import { type AuthedRequest, HttpAuthGuard } from '../auth/http-auth.guard.js';
import { parseOrThrow } from '../common/api-error.js';
import { ContractRoute } from '../common/contract-route.js';
import { assertFanout, bodySize } from '../common/fanout.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { answer, idempotencyScope } from '../idempotency/idempotency-http.js';
import { type GroupAnswer, GroupPublisher } from '../groups/group-publisher.js';
import { NotificationsService } from './notifications.service.js';

const { createNotification, listNotifications, markNotificationRead, markAllNotificationsRead, deleteNotification } =
  routes;

/** The notifications HTTP API: services publish, users read and manage their own feed. */
@Controller()
@UseGuards(HttpAuthGuard)
export class NotificationsController {
  constructor(
    private readonly notifications: NotificationsService,
    private readonly groups: GroupPublisher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @ContractRoute(createNotification)
  async create(
    @Req() req: AuthedRequest,
    @Body() body: unknown,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<RouteResponse<typeof createNotification> | GroupAnswer> {
    const headers = parseOrThrow(createNotification.headers, req.headers, 'headers');
    const scope = idempotencyScope(req, createNotification, headers['idempotency-key'], body);
    const { userId, userIds, groupId, ...input } = parseOrThrow(createNotification.body, body, 'body');
    // A group's notification is one per member, each with the member's own seq; past one chunk of
    // members it is stored chunk by chunk (GroupPublisher).
    if (groupId !== undefined) return answer(res, await this.groups.publish(scope, groupId, input, bodySize(req)));
    const recipients = [...new Set(userIds ?? [userId!])];
    assertFanout(input, recipients.length, this.config.limits.maxFanoutBytes, bodySize(req));
    return answer(res, await this.notifications.publish(scope, recipients, input));
  }

  @ContractRoute(listNotifications)
  list(@Req() req: AuthedRequest, @Query() query: unknown): Promise<RouteResponse<typeof listNotifications>> {
    return this.notifications.page(req.principal.userId, parseOrThrow(listNotifications.query, query, 'query'));
  }

  @ContractRoute(markAllNotificationsRead)
  async readAll(@Req() req: AuthedRequest): Promise<RouteResponse<typeof markAllNotificationsRead>> {
    const { updated } = await this.notifications.markAllRead(req.principal.userId);
    return { updated };
  }

  @ContractRoute(markNotificationRead)
  async read(@Req() req: AuthedRequest, @Param() params: unknown): Promise<RouteResponse<typeof markNotificationRead>> {
    const { id } = parseOrThrow(markNotificationRead.params, params, 'params');
    const { notificationId } = await this.notifications.markRead(req.principal.userId, id);
    return { notificationId, success: true };
  }

  @ContractRoute(deleteNotification)
  async remove(@Req() req: AuthedRequest, @Param() params: unknown): Promise<RouteResponse<typeof deleteNotification>> {
    const { id } = parseOrThrow(deleteNotification.params, params, 'params');
    await this.notifications.delete(req.principal.userId, id);
  }
}
