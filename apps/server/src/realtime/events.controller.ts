import { Body, Controller, HttpCode, HttpStatus, Post, UseGuards } from '@nestjs/common';
import { parsePublishedPayload, publishEventBodySchema } from '@realtime/contracts';
import { HttpAuthGuard, Roles } from '../auth/http-auth.guard.js';
import { ApiError, parseOrThrow } from '../common/api-error.js';
import { WebSocketService } from './websocket.service.js';

/** `POST /api/events`: other services publish any contract event to users or to everyone. */
@Controller('api/events')
@UseGuards(HttpAuthGuard)
export class EventsController {
  constructor(private readonly ws: WebSocketService) {}

  @Post()
  @Roles('service', 'admin')
  @HttpCode(HttpStatus.ACCEPTED)
  publish(@Body() body: unknown) {
    const { event, payload, userIds } = parseOrThrow(publishEventBodySchema, body, 'body');
    const checked = parsePublishedPayload(event, payload);
    if (!checked.success) throw ApiError.validation(checked.error, `${event} payload`);
    if (userIds) this.ws.emitToUsers(userIds, event, checked.data);
    else this.ws.broadcast(event, checked.data);
    return { accepted: true, event, recipients: userIds ? [...new Set(userIds)].length : 'all' };
  }
}
