import { Body, Controller, HttpCode, HttpStatus, Post, UseGuards } from '@nestjs/common';
import { revokeSessionsBodySchema, type RevokeSessionsResponse } from '@realtime/contracts';
import { HttpAuthGuard, Roles } from '../auth/http-auth.guard.js';
import { parseOrThrow } from '../common/api-error.js';
import { RevocationService } from './revocation.service.js';

/** `POST /api/sessions/revoke`: a service ends every session of a user (logout everywhere, a stolen device). */
@Controller('api/sessions')
@UseGuards(HttpAuthGuard)
export class SessionsController {
  constructor(private readonly revocations: RevocationService) {}

  @Post('revoke')
  @Roles('service', 'admin')
  @HttpCode(HttpStatus.OK)
  revoke(@Body() body: unknown): Promise<RevokeSessionsResponse> {
    const { userId } = parseOrThrow(revokeSessionsBodySchema, body, 'body');
    return this.revocations.revoke(userId);
  }
}
