import { Controller, Param, UseGuards } from '@nestjs/common';
import { type RouteResponse, routes } from '@realtime/contracts';
import { HttpAuthGuard } from '../auth/http-auth.guard.js';
import { parseOrThrow } from '../common/api-error.js';
import { ContractRoute } from '../common/contract-route.js';
import { WebSocketService } from './websocket.service.js';

/** `GET /api/presence/:userId`: sockets of a user across the cluster. */
@Controller()
@UseGuards(HttpAuthGuard)
export class PresenceController {
  constructor(private readonly ws: WebSocketService) {}

  @ContractRoute(routes.getPresence)
  async presence(@Param() params: unknown): Promise<RouteResponse<typeof routes.getPresence>> {
    const { userId } = parseOrThrow(routes.getPresence.params, params, 'params');
    const connections = await this.ws.connectionCount(userId);
    return { userId, online: connections > 0, connections };
  }
}
