import { Body, Controller, Req, UseGuards } from '@nestjs/common';
import { type RouteResponse, routes } from '@realtime/contracts';
import { type AuthedRequest, HttpAuthGuard } from '../auth/http-auth.guard.js';
import { parseOrThrow } from '../common/api-error.js';
import { ContractRoute } from '../common/contract-route.js';
import { WebSocketService } from '../realtime/websocket.service.js';
import { PreferencesRepository } from './preferences.repository.js';

const { getPreferences, updatePreferences } = routes;

/** The caller's notification preferences; a change reaches all of their devices. */
@Controller()
@UseGuards(HttpAuthGuard)
export class PreferencesController {
  constructor(
    private readonly repo: PreferencesRepository,
    private readonly ws: WebSocketService,
  ) {}

  @ContractRoute(getPreferences)
  async get(@Req() req: AuthedRequest): Promise<RouteResponse<typeof getPreferences>> {
    return { preferences: await this.repo.get(req.principal.userId) };
  }

  @ContractRoute(updatePreferences)
  async update(@Req() req: AuthedRequest, @Body() body: unknown): Promise<RouteResponse<typeof updatePreferences>> {
    const { userId } = req.principal;
    const { preferences: changes } = parseOrThrow(updatePreferences.body, body, 'body');
    const preferences = await this.repo.merge(userId, changes);
    this.ws.emit({ userId }, 'preferences:updated', { preferences });
    return { preferences };
  }
}
