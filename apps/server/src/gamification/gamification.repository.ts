import { Inject, Injectable } from '@nestjs/common';
import { type LeaderboardEntry } from '@realtime/contracts';
import { sql } from 'kysely';
import { type Db, type Store } from '../store/database.js';
import { STORE } from '../store/store.module.js';

export interface XpRow {
  userId: string;
  displayName: string | null;
  xp: number;
}

/** XP, achievements and the leaderboard, in SQL; `db` may be a transaction the caller runs. */
@Injectable()
export class GamificationRepository {
  private readonly db: Db;

  constructor(@Inject(STORE) store: Store) {
    this.db = store.db;
  }

  /** Adds XP atomically and returns the new total (concurrent awards never lose one another). */
  async addXp(userId: string, amount: number, displayName?: string, db: Db = this.db): Promise<XpRow> {
    const row = await db
      .insertInto('user_xp')
      .values({ user_id: userId, xp: amount, display_name: displayName ?? null })
      .onConflict((oc) =>
        oc.column('user_id').doUpdateSet({
          xp: sql`user_xp.xp + excluded.xp`,
          display_name: sql`coalesce(excluded.display_name, user_xp.display_name)`,
          updated_at: sql`now()`,
        }),
      )
      .returning(['user_id', 'display_name', 'xp'])
      .executeTakeFirstOrThrow();
    return { userId: row.user_id, displayName: row.display_name, xp: row.xp };
  }

  /** Makes sure the user has a row (0 XP when new) and keeps their display name current. */
  async touch(userId: string, displayName: string): Promise<void> {
    await this.db
      .insertInto('user_xp')
      .values({ user_id: userId, display_name: displayName })
      .onConflict((oc) =>
        oc
          .column('user_id')
          .doUpdateSet({ display_name: sql`coalesce(excluded.display_name, user_xp.display_name)` })
          .where(
            sql<boolean>`user_xp.display_name is distinct from coalesce(excluded.display_name, user_xp.display_name)`,
          ),
      )
      .execute();
  }

  async get(userId: string, db: Db = this.db): Promise<XpRow | undefined> {
    const row = await db
      .selectFrom('user_xp')
      .select(['user_id', 'display_name', 'xp'])
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row && { userId: row.user_id, displayName: row.display_name, xp: row.xp };
  }

  /** Records achievements; returns the ids that were not unlocked before. */
  async unlock(userId: string, achievementIds: string[], db: Db = this.db): Promise<string[]> {
    if (achievementIds.length === 0) return [];
    const rows = await db
      .insertInto('user_achievements')
      .values(achievementIds.map((achievement_id) => ({ user_id: userId, achievement_id })))
      .onConflict((oc) => oc.columns(['user_id', 'achievement_id']).doNothing())
      .returning('achievement_id')
      .execute();
    return rows.map((r) => r.achievement_id);
  }

  async achievements(userId: string, db: Db = this.db): Promise<{ achievementId: string; unlockedAt: string }[]> {
    const rows = await db
      .selectFrom('user_achievements')
      .select(['achievement_id', 'unlocked_at'])
      .where('user_id', '=', userId)
      .orderBy('unlocked_at')
      .execute();
    return rows.map((r) => ({ achievementId: r.achievement_id, unlockedAt: new Date(r.unlocked_at).toISOString() }));
  }

  /**
   * The top of the board: most XP first, earlier arrival first among equals. With `groupId`, the
   * group's members only, those without XP yet at the end with 0.
   */
  async leaderboard(limit: number, groupId?: string): Promise<LeaderboardEntry[]> {
    const rows =
      groupId === undefined
        ? await this.db
            .selectFrom('user_xp')
            .select(['user_id', 'display_name', 'xp'])
            .orderBy('xp', 'desc')
            .orderBy('updated_at', 'asc')
            .orderBy('user_id', 'asc')
            .limit(limit)
            .execute()
        : await this.db
            .selectFrom('group_members as m')
            .leftJoin('user_xp as x', 'x.user_id', 'm.user_id')
            .select(['m.user_id as user_id', 'x.display_name as display_name', sql<number>`coalesce(x.xp, 0)`.as('xp')])
            .where('m.group_id', '=', groupId)
            .orderBy('xp', 'desc')
            .orderBy(sql`x.updated_at asc nulls last`)
            .orderBy('m.user_id', 'asc')
            .limit(limit)
            .execute();
    return rows.map((r, i) => ({
      userId: r.user_id,
      ...(r.display_name ? { displayName: r.display_name } : {}),
      xp: r.xp,
      position: i + 1,
    }));
  }
}
