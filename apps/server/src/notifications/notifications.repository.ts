import { Inject, Injectable } from '@nestjs/common';
import { type Notification } from '@realtime/contracts';
import { type Selectable, sql } from 'kysely';
import { randomUUID } from 'node:crypto';
import { type Db, type Store } from '../store/database.js';
import { type NotificationsTable } from '../store/schema.js';
import { STORE } from '../store/store.module.js';

export interface NewNotification {
  type: string;
  title: string;
  message: string;
  data?: Record<string, unknown> | undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Every SQL statement about notifications; the same queries run on PostgreSQL and on PGlite. */
@Injectable()
export class NotificationsRepository {
  private readonly db: Db;

  constructor(@Inject(STORE) store: Store) {
    this.db = store.db;
  }

  /** Stores one notification per user, each with that user's next `seq`, in one transaction. */
  async create(userIds: readonly string[], input: NewNotification): Promise<Notification[]> {
    // Sorted and distinct: concurrent batches lock sequence rows in one order, so they cannot deadlock.
    const users = [...new Set(userIds)].sort();
    if (users.length === 0) return [];
    return this.db.transaction().execute(async (trx) => {
      const seqs = await trx
        .insertInto('user_sequences')
        .values(users.map((user_id) => ({ user_id, last_seq: 1 })))
        .onConflict((oc) => oc.column('user_id').doUpdateSet({ last_seq: sql`user_sequences.last_seq + 1` }))
        .returning(['user_id', 'last_seq'])
        .execute();
      const data = input.data === undefined ? null : JSON.stringify(input.data);
      const rows = await trx
        .insertInto('notifications')
        .values(
          seqs.map((s) => ({
            id: randomUUID(),
            user_id: s.user_id,
            seq: s.last_seq,
            type: input.type,
            title: input.title,
            message: input.message,
            data,
          })),
        )
        .returningAll()
        .execute();
      return rows.map(toNotification);
    });
  }

  /** A page of the feed, newest first: `seq` below `beforeSeq` when given. */
  async page(userId: string, opts: { limit: number; beforeSeq?: number | undefined; unread?: boolean | undefined }) {
    let q = this.db.selectFrom('notifications').selectAll().where('user_id', '=', userId);
    if (opts.beforeSeq !== undefined) q = q.where('seq', '<', opts.beforeSeq);
    if (opts.unread) q = q.where('read_at', 'is', null);
    const rows = await q
      .orderBy('seq', 'desc')
      .limit(opts.limit + 1)
      .execute();
    const items = rows.slice(0, opts.limit).map(toNotification);
    return { items, hasMore: rows.length > opts.limit };
  }

  /** Notifications with `seq` above `afterSeq`, oldest first, at most `limit`. */
  async since(userId: string, afterSeq: number, limit: number): Promise<Notification[]> {
    const rows = await this.db
      .selectFrom('notifications')
      .selectAll()
      .where('user_id', '=', userId)
      .where('seq', '>', afterSeq)
      .orderBy('seq', 'asc')
      .limit(limit)
      .execute();
    return rows.map(toNotification);
  }

  /** The highest `seq` ever given to the user (0 for none). */
  async lastSeq(userId: string): Promise<number> {
    const row = await this.db
      .selectFrom('user_sequences')
      .select('last_seq')
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row?.last_seq ?? 0;
  }

  async unreadCount(userId: string): Promise<number> {
    return (await this.unreadCounts([userId])).get(userId) ?? 0;
  }

  /** Exact unread counts, straight from the rows (no counter to drift). */
  async unreadCounts(userIds: readonly string[]): Promise<Map<string, number>> {
    const counts = new Map(userIds.map((u) => [u, 0]));
    if (userIds.length === 0) return counts;
    const rows = await this.db
      .selectFrom('notifications')
      .select(['user_id', sql<number>`count(*)::int`.as('unread')])
      .where('user_id', 'in', [...counts.keys()])
      .where('read_at', 'is', null)
      .groupBy('user_id')
      .execute();
    for (const r of rows) counts.set(r.user_id, r.unread);
    return counts;
  }

  /** Marks one notification read; its stored id, or null when the user has no such notification. Reading twice is fine. */
  async markRead(userId: string, id: string): Promise<string | null> {
    if (!UUID.test(id)) return null;
    const row = await this.db
      .updateTable('notifications')
      .set({ read_at: sql`coalesce(read_at, now())` })
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .returning('id')
      .executeTakeFirst();
    return row?.id ?? null;
  }

  /** Marks every unread notification read; returns the ids that changed. */
  async markAllRead(userId: string): Promise<string[]> {
    const rows = await this.db
      .updateTable('notifications')
      .set({ read_at: sql`now()` })
      .where('user_id', '=', userId)
      .where('read_at', 'is', null)
      .returning('id')
      .execute();
    return rows.map((r) => r.id);
  }

  /** Deletes one notification; its stored id, or null when the user has no such notification. */
  async delete(userId: string, id: string): Promise<string | null> {
    if (!UUID.test(id)) return null;
    const row = await this.db
      .deleteFrom('notifications')
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .returning('id')
      .executeTakeFirst();
    return row?.id ?? null;
  }
}

function toNotification(row: Selectable<NotificationsTable>): Notification {
  return {
    id: row.id,
    userId: row.user_id,
    seq: row.seq,
    type: row.type,
    title: row.title,
    message: row.message,
    ...(row.data !== null ? { data: row.data } : {}),
    read: row.read_at !== null,
    createdAt: new Date(row.created_at).toISOString(),
  };
}
