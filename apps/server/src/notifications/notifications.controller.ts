import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  Query,
  Req,
  UseGuards,
} from '@nestjs/common';
import { createNotificationBodySchema, listNotificationsQuerySchema, type NotificationPage } from '@realtime/contracts';
import { type AuthedRequest, HttpAuthGuard, Roles } from '../auth/http-auth.guard.js';
import { parseOrThrow } from '../common/api-error.js';
import { NotificationsService } from './notifications.service.js';

/** The notifications HTTP API: services publish, users read and manage their own feed. */
@Controller('api/notifications')
@UseGuards(HttpAuthGuard)
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Post()
  @Roles('service', 'admin')
  async create(@Body() body: unknown) {
    const { userId, userIds, ...input } = parseOrThrow(createNotificationBodySchema, body, 'body');
    return { notifications: await this.notifications.notify(userIds ?? [userId!], input) };
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
