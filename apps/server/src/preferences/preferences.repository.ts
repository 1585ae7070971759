import { Inject, Injectable } from '@nestjs/common';
import {
  type Preferences,
  type PreferencesResponse,
  type QuietHours,
  type UpdatePreferencesBody,
} from '@realtime/contracts';
import { sql } from 'kysely';
import { type Db, type Store } from '../store/database.js';
import { STORE } from '../store/store.module.js';

/**
 * Notification preferences in SQL: one row per user and type, and the user's quiet hours in their
 * `user_state` row. Publishing and the offline worker read them inside their own statements, never
 * through here.
 */
@Injectable()
export class PreferencesRepository {
  private readonly db: Db;

  constructor(@Inject(STORE) store: Store) {
    this.db = store.db;
  }

  /** Every type the user has set (a type not listed is on for every channel), and their quiet hours. */
  async get(userId: string, db: Db = this.db): Promise<PreferencesResponse> {
    const rows = await db
      .selectFrom('notification_preferences')
      .select(['type', 'in_app', 'offline', 'push', 'email'])
      .where('user_id', '=', userId)
      .orderBy('type')
      .execute();
    const state = await db
      .selectFrom('user_state')
      .select('quiet_hours')
      .where('user_id', '=', userId)
      .executeTakeFirst();
    const preferences: Preferences = Object.fromEntries(
      rows.map((r) => [r.type, { inApp: r.in_app, offline: r.offline, push: r.push, email: r.email }]),
    );
    return { preferences, ...(state?.quiet_hours ? { quietHours: state.quiet_hours } : {}) };
  }

  /**
   * Merges by type in one transaction: a field left out keeps its value (on for a type never set),
   * so two devices changing different fields of one type at once both keep their change. Quiet hours
   * are replaced when given (null removes them).
   */
  update(userId: string, changes: UpdatePreferencesBody): Promise<PreferencesResponse> {
    return this.db.transaction().execute(async (trx) => {
      const types = changes.preferences ?? {};
      // Sorted: concurrent merges lock rows in one order, so they cannot deadlock.
      for (const type of Object.keys(types).sort()) {
        const { inApp = null, offline = null, push = null, email = null } = types[type]!;
        await sql`
          insert into notification_preferences as p (user_id, type, in_app, offline, push, email)
          values (${userId}, ${type}, coalesce(${inApp}::boolean, true), coalesce(${offline}::boolean, true),
            coalesce(${push}::boolean, true), coalesce(${email}::boolean, true))
          on conflict (user_id, type) do update set
            in_app = coalesce(${inApp}::boolean, p.in_app),
            offline = coalesce(${offline}::boolean, p.offline),
            push = coalesce(${push}::boolean, p.push),
            email = coalesce(${email}::boolean, p.email),
            updated_at = now()`.execute(trx);
      }
      if (changes.quietHours !== undefined) await this.setQuietHours(trx, userId, changes.quietHours);
      return this.get(userId, trx);
    });
  }

  private async setQuietHours(db: Db, userId: string, quiet: QuietHours | null): Promise<void> {
    const value = quiet ? JSON.stringify({ start: quiet.start, end: quiet.end, timeZone: quiet.timeZone }) : null;
    await sql`
      insert into user_state as s (user_id, last_seq, quiet_hours) values (${userId}, 0, ${value}::jsonb)
      on conflict (user_id) do update set quiet_hours = excluded.quiet_hours`.execute(db);
  }
}
