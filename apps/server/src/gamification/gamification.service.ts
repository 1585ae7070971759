import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { type Profile } from '@realtime/contracts';
import { afterCommit, type AfterCommitStep } from '../common/after-commit.js';
import { type IdempotencyScope, type Reply } from '../idempotency/idempotency-http.js';
import { IdempotentWrites } from '../idempotency/idempotent-writes.js';
import { type Created } from '../notifications/notifications.repository.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { WebSocketService } from '../realtime/websocket.service.js';
import { type Db, type Tx } from '../store/database.js';
import { type Achievement, achievementById, ACHIEVEMENTS } from './achievements.js';
import { GamificationRepository } from './gamification.repository.js';
import { LeaderboardBroadcaster } from './leaderboard-broadcaster.js';
import { type RankInfo, rankFor } from './ranks.js';

/** What one award changed, to announce once it is committed. */
interface Awarded {
  xp: number;
  rank: { before: RankInfo; after: RankInfo; feed: Created } | null;
  unlocked: { achievement: Achievement; feed: Created }[];
}

/** XP, ranks and achievements: persisted, pushed live through WebSocketService, and noted in the feed. */
@Injectable()
export class GamificationService {
  private readonly logger = new Logger('GamificationService');

  constructor(
    private readonly repo: GamificationRepository,
    private readonly ws: WebSocketService,
    private readonly notifications: NotificationsService,
    private readonly leaderboard: LeaderboardBroadcaster,
    private readonly writes: IdempotentWrites,
  ) {}

  /**
   * Awards XP in one transaction: the XP, a new rank, new achievements and their feed notifications,
   * at most once per Idempotency-Key. Once committed: `xp:gained`, `rank:updated` when the rank
   * changes, then any new achievements.
   */
  async awardXp(
    userId: string,
    amount: number,
    source: string,
    displayName?: string,
    scope?: IdempotencyScope,
  ): Promise<Reply<Profile>> {
    const outcome = await this.writes.run(scope, HttpStatus.OK, async (trx) => {
      const { xp } = await this.repo.addXp(userId, amount, displayName, trx);
      const awarded: Awarded = { xp, rank: await this.rankChange(trx, userId, xp, amount), unlocked: [] };
      const earned = ACHIEVEMENTS.filter((a) => a.earned({ xp, source })).map((a) => a.id);
      for (const id of await this.repo.unlock(userId, earned, trx)) {
        const achievement = achievementById.get(id)!;
        const feed = await this.notifications.store(trx, [userId], {
          type: 'achievement',
          title: `Achievement unlocked: ${achievement.title}`,
          message: achievement.description,
          data: { achievementId: achievement.id, icon: achievement.icon },
        });
        awarded.unlocked.push({ achievement, feed });
      }
      return { body: await this.profile(userId, trx), result: awarded };
    });
    if (!outcome.replayed) this.announce(userId, amount, source, outcome.result);
    return { status: outcome.status, body: outcome.body, replayed: outcome.replayed };
  }

  /** The rank the award moved the user to, with its feed notification; null when it stayed. */
  private async rankChange(trx: Tx, userId: string, xp: number, amount: number): Promise<Awarded['rank']> {
    const [before, after] = [rankFor(xp - amount), rankFor(xp)];
    if (after.rank === before.rank) return null;
    const feed = await this.notifications.store(trx, [userId], {
      type: 'rank',
      title: `You are now ${after.rank}`,
      message: after.nextRank ? `${after.xpRequired! - xp} XP to ${after.nextRank}.` : 'The top rank. Well done.',
      data: { rank: after.rank, previousRank: before.rank },
    });
    return { before, after, feed };
  }

  /** After COMMIT: every emit attempted, even if one throws, in the order a client expects. */
  private announce(userId: string, amount: number, source: string, { xp, rank, unlocked }: Awarded): void {
    const steps: AfterCommitStep[] = [
      ['xp:gained', () => this.ws.emit({ userId }, 'xp:gained', { amount, source, totalXp: xp })],
    ];
    if (rank) {
      const { before, after, feed } = rank;
      const xpRequired = after.xpRequired !== null ? { xpRequired: after.xpRequired } : {};
      steps.push(
        [
          'rank:updated',
          () => this.ws.emit({ userId }, 'rank:updated', { newRank: after.rank, oldRank: before.rank, ...xpRequired }),
        ],
        ['rank notification', () => this.notifications.deliver(feed)],
      );
    }
    for (const { achievement: a, feed } of unlocked) {
      const payload = { achievementId: a.id, title: a.title, description: a.description, icon: a.icon };
      steps.push(
        ['achievement:unlocked', () => this.ws.emit({ userId }, 'achievement:unlocked', payload)],
        ['achievement notification', () => this.notifications.deliver(feed)],
      );
    }
    steps.push(['leaderboard', () => this.leaderboard.changed(userId)]);
    afterCommit(this.logger, steps);
  }

  /**
   * Keeps the display name from the token's `name` claim for the leaderboard. Connecting emits
   * nothing here: a client's first events stay exactly `authenticated` and the unread count.
   */
  async rememberName(userId: string, displayName: string): Promise<void> {
    await this.repo.touch(userId, displayName);
  }

  /** `db`: the transaction of an award, whose answer is the profile it leaves. */
  async profile(userId: string, db?: Db): Promise<Profile> {
    const [row, unlocked] = await Promise.all([this.repo.get(userId, db), this.repo.achievements(userId, db)]);
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
}
