import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Inject,
  Param,
  Post,
  Query,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import { createNotificationBodySchema, listNotificationsQuerySchema, type NotificationPage } from '@realtime/contracts';
import { type FastifyReply } from 'fastify';
import { type AuthedRequest, HttpAuthGuard, Roles } from '../auth/http-auth.guard.js';
import { parseOrThrow } from '../common/api-error.js';
import { assertFanout, bodySize } from '../common/fanout.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { answer, idempotencyScope } from '../idempotency/idempotency-http.js';
import { NotificationsService } from './notifications.service.js';

/** The notifications HTTP API: services publish, users read and manage their own feed. */
@Controller('api/notifications')
@UseGuards(HttpAuthGuard)
export class NotificationsController {
  constructor(
    private readonly notifications: NotificationsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post()
  @Roles('service', 'admin')
  async create(@Req() req: AuthedRequest, @Body() body: unknown, @Res({ passthrough: true }) res: FastifyReply) {
    const scope = idempotencyScope(req, 'POST /api/notifications', body);
    const { userId, userIds, ...input } = parseOrThrow(createNotificationBodySchema, body, 'body');
    const recipients = [...new Set(userIds ?? [userId!])];
    assertFanout(input, recipients.length, this.config.limits.maxFanoutBytes, bodySize(req));
    return answer(res, await this.notifications.publish(scope, recipients, input));
  }

  @Get()
  list(@Req() req: AuthedRequest, @Query() query: unknown): Promise<NotificationPage> {
    return this.notifications.page(req.principal.userId, parseOrThrow(listNotificationsQuerySchema, query, 'query'));
  }

  @Post('read-all')
  @HttpCode(HttpStatus.OK)
  async readAll(@Req() req: AuthedRequest) {
    const { updated } = await this.notifications.markAllRead(req.principal.userId);
    return { updated };
  }

  @Post(':id/read')
  @HttpCode(HttpStatus.OK)
  async read(@Req() req: AuthedRequest, @Param('id') id: string) {
    const { notificationId } = await this.notifications.markRead(req.principal.userId, id);
    return { notificationId, success: true };
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  async remove(@Req() req: AuthedRequest, @Param('id') id: string): Promise<void> {
    await this.notifications.delete(req.principal.userId, id);
  }
}
