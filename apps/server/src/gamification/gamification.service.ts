import { Injectable } from '@nestjs/common';
import { type Profile } from '@realtime/contracts';
import { NotificationsService } from '../notifications/notifications.service.js';
import { WebSocketService } from '../realtime/websocket.service.js';
import { achievementById, ACHIEVEMENTS } from './achievements.js';
import { GamificationRepository } from './gamification.repository.js';
import { LeaderboardBroadcaster } from './leaderboard-broadcaster.js';
import { rankFor } from './ranks.js';

/** XP, ranks and achievements: persisted, pushed live through WebSocketService, and noted in the feed. */
@Injectable()
export class GamificationService {
  constructor(
    private readonly repo: GamificationRepository,
    private readonly ws: WebSocketService,
    private readonly notifications: NotificationsService,
    private readonly leaderboard: LeaderboardBroadcaster,
  ) {}

  /** Awards XP: `xp:gained`, then `rank:updated` when the rank changes, then any new achievements. */
  async awardXp(userId: string, amount: number, source: string, displayName?: string): Promise<Profile> {
    const { xp } = await this.repo.addXp(userId, amount, displayName);
    const before = rankFor(xp - amount);
    const after = rankFor(xp);
    this.ws.emitXpGained(userId, { amount, source, totalXp: xp });
    if (after.rank !== before.rank) {
      this.ws.emitRankUpdated(userId, {
        newRank: after.rank,
        oldRank: before.rank,
        ...(after.xpRequired !== null ? { xpRequired: after.xpRequired } : {}),
      });
      await this.notifications.notify(userId, {
        type: 'rank',
        title: `You are now ${after.rank}`,
        message: after.nextRank ? `${after.xpRequired! - xp} XP to ${after.nextRank}.` : 'The top rank. Well done.',
        data: { rank: after.rank, previousRank: before.rank },
      });
    }
    await this.unlockEarned(userId, { xp, source });
    this.leaderboard.changed();
    return this.profile(userId);
  }

  /**
   * Keeps the display name from the token's `name` claim for the leaderboard. Connecting emits
   * nothing here: a client's first events stay exactly `authenticated` and the unread count.
   */
  async rememberName(userId: string, displayName: string): Promise<void> {
    await this.repo.touch(userId, displayName);
  }

  async profile(userId: string): Promise<Profile> {
    const [row, unlocked] = await Promise.all([this.repo.get(userId), this.repo.achievements(userId)]);
    const xp = row?.xp ?? 0;
    return {
      userId,
      displayName: row?.displayName ?? null,
      xp,
      ...rankFor(xp),
      achievements: unlocked.flatMap(({ achievementId, unlockedAt }) => {
        const a = achievementById.get(achievementId);
        return a ? [{ achievementId, title: a.title, description: a.description, icon: a.icon, unlockedAt }] : [];
      }),
    };
  }

  private async unlockEarned(userId: string, state: { xp: number; source: string }): Promise<void> {
    const earned = ACHIEVEMENTS.filter((a) => a.earned(state)).map((a) => a.id);
    for (const id of await this.repo.unlock(userId, earned)) {
      const a = achievementById.get(id)!;
      this.ws.emitAchievementUnlocked(userId, {
        achievementId: a.id,
        title: a.title,
        description: a.description,
        icon: a.icon,
      });
      await this.notifications.notify(userId, {
        type: 'achievement',
        title: `Achievement unlocked: ${a.title}`,
        message: a.description,
        data: { achievementId: a.id, icon: a.icon },
      });
    }
  }
}
