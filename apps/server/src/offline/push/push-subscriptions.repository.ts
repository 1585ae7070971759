import { Inject, Injectable } from '@nestjs/common';
import { type PushSubscriptionJson } from '@realtime/contracts';
import { sql } from 'kysely';
import { type Db, type Store } from '../../store/database.js';
import { STORE } from '../../store/store.module.js';

export interface StoredSubscription {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

/** Browsers' push subscriptions, each owned by the user who registered it last. */
@Injectable()
export class PushSubscriptionsRepository {
  private readonly db: Db;

  constructor(@Inject(STORE) store: Store) {
    this.db = store.db;
  }

  /**
   * Registers `sub` for `userId`: a new endpoint is inserted; a known one of this user takes the new
   * keys; one of another user moves to this one only with the same keys (the same browser, another
   * account signed in), never on the endpoint alone. Answers whether it was already this user's, or
   * null when it belongs to another user with other keys.
   */
  async register(userId: string, sub: PushSubscriptionJson): Promise<{ existed: boolean } | null> {
    const expires = sub.expirationTime ? new Date(sub.expirationTime) : null;
    const { rows } = await sql<{ existed: boolean }>`
      with before as (select user_id from push_subscriptions where endpoint = ${sub.endpoint})
      insert into push_subscriptions as s (endpoint, user_id, p256dh, auth, expiration_time)
      values (${sub.endpoint}, ${userId}, ${sub.keys.p256dh}, ${sub.keys.auth}, ${expires})
      on conflict (endpoint) do update set
        user_id = excluded.user_id, p256dh = excluded.p256dh, auth = excluded.auth,
        expiration_time = excluded.expiration_time
      where s.user_id = excluded.user_id or (s.p256dh = excluded.p256dh and s.auth = excluded.auth)
      returning coalesce((select user_id = ${userId} from before), false) as existed`.execute(this.db);
    return rows[0] ? { existed: rows[0].existed } : null;
  }

  /** Removes `endpoint` if it is `userId`'s; anyone else's stays. */
  async unregister(userId: string, endpoint: string): Promise<void> {
    await this.db
      .deleteFrom('push_subscriptions')
      .where('endpoint', '=', endpoint)
      .where('user_id', '=', userId)
      .execute();
  }

  /** Forgets an endpoint the push service called gone (404/410), whoever owns it. */
  async gone(endpoint: string): Promise<void> {
    await this.db.deleteFrom('push_subscriptions').where('endpoint', '=', endpoint).execute();
  }

  /** The users' subscriptions that have not expired, by user (one statement for a batch). */
  async ofUsers(userIds: readonly string[]): Promise<Map<string, StoredSubscription[]>> {
    const rows = await this.db
      .selectFrom('push_subscriptions')
      .select(['user_id', 'endpoint', 'p256dh', 'auth'])
      .where('user_id', '=', sql<string>`any(${[...new Set(userIds)]}::text[])`)
      .where((eb) => eb.or([eb('expiration_time', 'is', null), eb('expiration_time', '>', sql<Date>`now()`)]))
      .orderBy('created_at')
      .execute();
    const byUser = new Map<string, StoredSubscription[]>();
    for (const r of rows) {
      const sub = { endpoint: r.endpoint, keys: { p256dh: r.p256dh, auth: r.auth } };
      const list = byUser.get(r.user_id);
      if (list) list.push(sub);
      else byUser.set(r.user_id, [sub]);
    }
    return byUser;
  }
}
