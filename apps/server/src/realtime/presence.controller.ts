import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { type PresenceResponse } from '@realtime/contracts';
import { HttpAuthGuard, Roles } from '../auth/http-auth.guard.js';
import { WebSocketService } from './websocket.service.js';

/** `GET /api/presence/:userId`: sockets of a user across the cluster. */
@Controller('api/presence')
@UseGuards(HttpAuthGuard)
export class PresenceController {
  constructor(private readonly ws: WebSocketService) {}

  @Get(':userId')
  @Roles('service', 'admin')
  async presence(@Param('userId') userId: string): Promise<PresenceResponse> {
    const connections = await this.ws.connectionCount(userId);
    return { userId, online: connections > 0, connections };
  }
}
