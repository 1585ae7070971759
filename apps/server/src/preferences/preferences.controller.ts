import { Body, Controller, Req, UseGuards } from '@nestjs/common';
import { type RouteResponse, routes } from '@realtime/contracts';
import { type AuthedRequest, HttpAuthGuard } from '../auth/http-auth.guard.js';
import { parseOrThrow } from '../common/api-error.js';
import { ContractRoute } from '../common/contract-route.js';
import { PreferencesService } from './preferences.service.js';

const { getPreferences, updatePreferences } = routes;

/** The caller's notification preferences and quiet hours; a change reaches all of their devices. */
@Controller()
@UseGuards(HttpAuthGuard)
export class PreferencesController {
  constructor(private readonly preferences: PreferencesService) {}

  @ContractRoute(getPreferences)
  get(@Req() req: AuthedRequest): Promise<RouteResponse<typeof getPreferences>> {
    return this.preferences.get(req.principal.userId);
  }

  @ContractRoute(updatePreferences)
  update(@Req() req: AuthedRequest, @Body() body: unknown): Promise<RouteResponse<typeof updatePreferences>> {
    const changes = parseOrThrow(updatePreferences.body, body, 'body');
    return this.preferences.update(req.principal.userId, changes);
  }
}
