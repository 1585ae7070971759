import { Body, Controller, Get, HttpCode, HttpStatus, Post, Req, Res, UseGuards } from '@nestjs/common';
import { awardXpBodySchema, type Profile } from '@realtime/contracts';
import { type FastifyReply } from 'fastify';
import { type AuthedRequest, HttpAuthGuard, Roles } from '../auth/http-auth.guard.js';
import { parseOrThrow } from '../common/api-error.js';
import { answer, idempotencyScope } from '../idempotency/idempotency-http.js';
import { GamificationService } from './gamification.service.js';
import { LeaderboardBroadcaster } from './leaderboard-broadcaster.js';

@Controller('api')
@UseGuards(HttpAuthGuard)
export class GamificationController {
  constructor(
    private readonly gamification: GamificationService,
    private readonly leaderboard: LeaderboardBroadcaster,
  ) {}

  /** Services award XP; the user's sockets get `xp:gained` (and `rank:updated`, `achievement:unlocked`). */
  @Post('xp')
  @Roles('service', 'admin')
  @HttpCode(HttpStatus.OK)
  async award(
    @Req() req: AuthedRequest,
    @Body() body: unknown,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<Profile> {
    const scope = idempotencyScope(req, 'POST /api/xp', body);
    const { userId, amount, source, displayName } = parseOrThrow(awardXpBodySchema, body, 'body');
    return answer(res, await this.gamification.awardXp(userId, amount, source, displayName, scope));
  }

  @Get('profile')
  profile(@Req() req: AuthedRequest): Promise<Profile> {
    return this.gamification.profile(req.principal.userId);
  }

  @Get('leaderboard')
  async board() {
    return { leaderboard: await this.leaderboard.top() };
  }
}
