import { Body, Controller, Query, Req, Res, UseGuards } from '@nestjs/common';
import { type RouteResponse, routes } from '@realtime/contracts';
import { type FastifyReply } from 'fastify';
import { type AuthedRequest, HttpAuthGuard } from '../auth/http-auth.guard.js';
import { parseOrThrow } from '../common/api-error.js';
import { ContractRoute } from '../common/contract-route.js';
import { assertMayReadGroup } from '../groups/group-access.js';
import { GroupsRepository } from '../groups/groups.repository.js';
import { answer, idempotencyScope } from '../idempotency/idempotency-http.js';
import { GamificationService } from './gamification.service.js';
import { LeaderboardBroadcaster } from './leaderboard-broadcaster.js';

const { awardXp, getProfile, getLeaderboard } = routes;

@Controller()
@UseGuards(HttpAuthGuard)
export class GamificationController {
  constructor(
    private readonly gamification: GamificationService,
    private readonly leaderboard: LeaderboardBroadcaster,
    private readonly groups: GroupsRepository,
  ) {}

  /** Services award XP; the user's sockets get `xp:gained` (and `rank:updated`, `achievement:unlocked`). */
  @ContractRoute(awardXp)
  async award(
    @Req() req: AuthedRequest,
    @Body() body: unknown,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<RouteResponse<typeof awardXp>> {
    const headers = parseOrThrow(awardXp.headers, req.headers, 'headers');
    const scope = idempotencyScope(req, awardXp, headers['idempotency-key'], body);
    const { userId, amount, source, displayName } = parseOrThrow(awardXp.body, body, 'body');
    return answer(res, await this.gamification.awardXp(userId, amount, source, displayName, scope));
  }

  @ContractRoute(getProfile)
  profile(@Req() req: AuthedRequest): Promise<RouteResponse<typeof getProfile>> {
    return this.gamification.profile(req.principal.userId);
  }

  @ContractRoute(getLeaderboard)
  async board(@Req() req: AuthedRequest, @Query() query: unknown): Promise<RouteResponse<typeof getLeaderboard>> {
    const { groupId } = parseOrThrow(getLeaderboard.query, query, 'query');
    if (groupId === undefined) return { leaderboard: await this.leaderboard.top() };
    await assertMayReadGroup(this.groups, req.principal, groupId);
    return { leaderboard: await this.leaderboard.top(groupId), groupId };
  }
}
