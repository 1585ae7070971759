import { Inject, Injectable } from '@nestjs/common';
import { type Preferences, type UpdatePreferencesBody } from '@realtime/contracts';
import { sql } from 'kysely';
import { type Db, type Store } from '../store/database.js';
import { STORE } from '../store/store.module.js';

/**
 * Notification preferences in SQL, one row per user and type. Publishing reads them inside its own
 * statements (see NotificationsRepository), never through here.
 */
@Injectable()
export class PreferencesRepository {
  private readonly db: Db;

  constructor(@Inject(STORE) store: Store) {
    this.db = store.db;
  }

  /** Every type the user has set; a type not listed is on for every channel. */
  async get(userId: string, db: Db = this.db): Promise<Preferences> {
    const rows = await db
      .selectFrom('notification_preferences')
      .select(['type', 'in_app', 'offline', 'push', 'email'])
      .where('user_id', '=', userId)
      .orderBy('type')
      .execute();
    return Object.fromEntries(
      rows.map((r) => [r.type, { inApp: r.in_app, offline: r.offline, push: r.push, email: r.email }]),
    );
  }

  /**
   * Merges by type in one transaction: a field left out keeps its value (on for a type never set),
   * so two devices changing different fields of one type at once both keep their change.
   */
  merge(userId: string, changes: UpdatePreferencesBody['preferences']): Promise<Preferences> {
    return this.db.transaction().execute(async (trx) => {
      // Sorted: concurrent merges lock rows in one order, so they cannot deadlock.
      for (const type of Object.keys(changes).sort()) {
        const { inApp = null, offline = null, push = null, email = null } = changes[type]!;
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
      return this.get(userId, trx);
    });
  }
}
