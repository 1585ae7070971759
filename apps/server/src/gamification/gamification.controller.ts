import { Body, Controller, Get, HttpCode, HttpStatus, Post, Req, UseGuards } from '@nestjs/common';
import { awardXpBodySchema, type Profile } from '@realtime/contracts';
import { type AuthedRequest, HttpAuthGuard, Roles } from '../auth/http-auth.guard.js';
import { parseOrThrow } from '../common/api-error.js';
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
  award(@Body() body: unknown): Promise<Profile> {
    const { userId, amount, source, displayName } = parseOrThrow(awardXpBodySchema, body, 'body');
    return this.gamification.awardXp(userId, amount, source, displayName);
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
