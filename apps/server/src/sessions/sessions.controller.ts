import { Body, Controller, UseGuards } from '@nestjs/common';
import { type RouteResponse, routes } from '@realtime/contracts';
import { HttpAuthGuard } from '../auth/http-auth.guard.js';
import { parseOrThrow } from '../common/api-error.js';
import { ContractRoute } from '../common/contract-route.js';
import { RevocationService } from './revocation.service.js';

const { revokeSessions } = routes;

/** `POST /api/sessions/revoke`: a service ends every session of a user (logout everywhere, a stolen device). */
@Controller()
@UseGuards(HttpAuthGuard)
export class SessionsController {
  constructor(private readonly revocations: RevocationService) {}

  @ContractRoute(revokeSessions)
  revoke(@Body() body: unknown): Promise<RouteResponse<typeof revokeSessions>> {
    const { userId } = parseOrThrow(revokeSessions.body, body, 'body');
    return this.revocations.revoke(userId);
  }
}
