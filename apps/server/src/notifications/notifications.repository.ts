import { Inject, Injectable } from '@nestjs/common';
import { type Notification } from '@realtime/contracts';
import { type Selectable, sql, type Transaction } from 'kysely';
import { type Db, type Store, type Tx } from '../store/database.js';
import { type DeliveryPlan } from '../offline/offline-plan.js';
import { type Database, type NotificationsTable } from '../store/schema.js';
import { STORE } from '../store/store.module.js';
import { NO_STATE, STATE_COLUMNS, type StateRow, toState, type UserState } from '../user-state/user-state.js';
import { UserStateRepository } from '../user-state/user-state.repository.js';
import { toNotification, UUID } from './notification-rows.js';

export interface NewNotification {
  type: string;
  title: string;
  message: string;
  data?: Record<string, unknown> | undefined;
  /** Stored and delivered whatever the users' preferences say. */
  critical?: boolean | undefined;
  /** The offline deliveries to write with each notification (OfflinePlanner), if any. */
  offline?: DeliveryPlan | null | undefined;
}

/** From this many users on, a publish runs without PostgreSQL's JIT compiler (see createIn). */
const JIT_OFF_FROM_USERS = 100;

/** Notifications just stored, and their users' states after them. */
export interface Created {
  notifications: Notification[];
  states: Map<string, UserState>;
  /** They bypass preferences (the offline channels' too). */
  critical?: boolean;
  /** Offline deliveries due at once were written with them (the worker has work now). */
  offline?: boolean;
}

/** The outcome of a change to a user's notifications, and their state after it. */
export interface Changed<T> {
  value: T;
  state: UserState;
}

/**
 * Every SQL statement about notifications; the same queries run on PostgreSQL and on PGlite. Each
 * change to a user's notifications also changes their `user_state` row in the same transaction.
 */
@Injectable()
export class NotificationsRepository {
  private readonly db: Db;
  /** PGlite has no JIT compiler to turn off. */
  private readonly jit: boolean;

  constructor(
    @Inject(STORE) store: Store,
    private readonly userStates: UserStateRepository,
  ) {
    this.db = store.db;
    this.jit = store.kind === 'postgres';
  }

  /** Stores one notification per user, each with that user's next `seq`, in one transaction. */
  async create(userIds: readonly string[], input: NewNotification): Promise<Created> {
    const created = await this.db.transaction().execute((trx) => this.createIn(trx, userIds, input));
    this.userStates.committed(created.states);
    return created;
  }

  /**
   * {@link create} inside the caller's transaction (calls in one transaction give a user consecutive
   * seqs); once it has committed, hand the states to {@link UserStateRepository.committed}.
   */
  async createIn(trx: Tx, userIds: readonly string[], input: NewNotification): Promise<Created> {
    // Sorted and distinct: concurrent batches lock state rows in one order, so they cannot deadlock.
    const users = [...new Set(userIds)].sort();
    if (users.length === 0) return { notifications: [], states: new Map() };
    // PostgreSQL compiles a statement whose estimated cost is high to machine code (JIT), and this one's
    // estimate gets there from a few hundred users on (sooner on tables whose statistics lag behind):
    // some 0.4 s of compiling for a statement that runs in less. Off for this transaction; a publish to
    // fewer users is spared the round trip.
    if (this.jit && users.length >= JIT_OFF_FROM_USERS) await sql`set local jit = off`.execute(trx);
    // Users whose preferences turn this type off in-app get nothing, unless it is critical: filtered
    // in the statement that hands out the seqs, so preferences cost a publish no round trip.
    const muted = input.critical
      ? sql``
      : sql`where not exists (
          select 1 from notification_preferences p where p.user_id = u.user_id and p.type = ${input.type} and not p.in_app
        )`;
    const data = input.data === undefined ? null : JSON.stringify(input.data);
    // The offline deliveries (the outbox) are written by the same statement: a 201 covers them too.
    const plan = input.offline;
    const outbox = plan
      ? sql`, d as (
          insert into deliveries (notification_id, user_id, channel, critical, due_at, deadline, digest_key)
          select n.id, n.user_id, c.channel, ${input.critical ?? false},
            now() + make_interval(secs => c.delay), now() + make_interval(secs => c.delay + ${plan.maxAgeSeconds}),
            case when c.channel = 'email' then ${plan.digestKey}::text end
          from n join s using (user_id) cross join unnest(${plan.channels}::text[], ${plan.delays}::int[]) as c(channel, delay)
          -- One per channel the user can be reached on: push only to users with a subscription, email
          -- to users with an address (known from their state row, already in hand).
          where case c.channel
            when 'push' then exists (select 1 from push_subscriptions ps where ps.user_id = n.user_id)
            when 'email' then s.emailable
            else true end
          returning due_at <= now() as due
        )`
      : sql``;
    // Whether any of them is due at once (the worker is woken), read from the same statement.
    const dueNow = plan ? sql`, exists (select 1 from d where d.due) as due_now` : sql`, false as due_now`;
    // One statement hands out the seqs and inserts the rows (one trip to the store), from arrays: the
    // same few parameters whatever the audience (past 65,535 the protocol's parameter count overflows).
    const { rows } = await sql<Selectable<NotificationsTable> & Omit<StateRow, 'last_seq'> & { due_now: boolean }>`
      with s as (
        insert into user_state (user_id, last_seq, unread_count, version)
        select u.user_id, 1, 1, 1 from unnest(${users}::text[]) as u(user_id) ${muted} order by u.user_id
        on conflict (user_id) do update set
          last_seq = user_state.last_seq + 1,
          unread_count = user_state.unread_count + 1,
          version = user_state.version + 1
        returning user_id, last_seq, unread_count, version, groups,
          coalesce(email_set, email_claim) is not null as emailable
      ), n as (
        insert into notifications (id, user_id, seq, type, title, message, data)
        select gen_random_uuid(), s.user_id, s.last_seq, ${input.type}, ${input.title}, ${input.message}, ${data}::jsonb
        from s
        returning *
      )${outbox}
      select n.*, s.unread_count, s.version, s.groups${dueNow} from n join s using (user_id) order by n.user_id`.execute(
      trx,
    );
    return {
      notifications: rows.map(toNotification),
      states: new Map(
        rows.map((r) => [
          r.user_id,
          { lastSeq: r.seq, unreadCount: r.unread_count, version: r.version, groups: r.groups },
        ]),
      ),
      ...(input.critical ? { critical: true } : {}),
      ...(rows[0]?.due_now ? { offline: true } : {}),
    };
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

  /** Marks one notification read (reading twice is fine); null when the user has no such notification. */
  async markRead(userId: string, id: string): Promise<Changed<string> | null> {
    if (!UUID.test(id)) return null;
    return this.change(userId, async (trx) => {
      const changed = await trx
        .updateTable('notifications')
        .set({ read_at: sql`now()` })
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .where('read_at', 'is', null)
        .returning('id')
        .executeTakeFirst();
      if (changed) return { value: changed.id, unreadDelta: -1 };
      const existing = await trx
        .selectFrom('notifications')
        .select('id')
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return existing ? { value: existing.id, unreadDelta: null } : null;
    });
  }

  /** Marks every unread notification read; the ids that changed. */
  async markAllRead(userId: string): Promise<Changed<string[]>> {
    const result = await this.change(userId, async (trx) => {
      const rows = await trx
        .updateTable('notifications')
        .set({ read_at: sql`now()` })
        .where('user_id', '=', userId)
        .where('read_at', 'is', null)
        .returning('id')
        .execute();
      return { value: rows.map((r) => r.id), unreadDelta: rows.length > 0 ? -rows.length : null };
    });
    return result!;
  }

  /** Deletes one notification; null when the user has no such notification. */
  async delete(userId: string, id: string): Promise<Changed<string> | null> {
    if (!UUID.test(id)) return null;
    return this.change(userId, async (trx) => {
      const row = await trx
        .deleteFrom('notifications')
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .returning(['id', 'read_at'])
        .executeTakeFirst();
      return row ? { value: row.id, unreadDelta: row.read_at === null ? -1 : 0 } : null;
    });
  }

  /**
   * Runs a change to the user's notifications and, when it changed something (`unreadDelta` not
   * null), moves their state in the same transaction: the count by the delta, the version by one.
   */
  private async change<T>(
    userId: string,
    apply: (trx: Transaction<Database>) => Promise<{ value: T; unreadDelta: number | null } | null>,
  ): Promise<Changed<T> | null> {
    const result = await this.db.transaction().execute(async (trx) => {
      const outcome = await apply(trx);
      if (!outcome) return null;
      const row =
        outcome.unreadDelta === null
          ? await trx.selectFrom('user_state').select(STATE_COLUMNS).where('user_id', '=', userId).executeTakeFirst()
          : await trx
              .updateTable('user_state')
              .set({
                unread_count: sql`unread_count + ${outcome.unreadDelta}`,
                version: sql`version + 1`,
              })
              .where('user_id', '=', userId)
              .returning(STATE_COLUMNS)
              .executeTakeFirst();
      return { value: outcome.value, state: row ? toState(row) : NO_STATE };
    });
    if (result) this.userStates.committed(new Map([[userId, result.state]]));
    return result;
  }
}
