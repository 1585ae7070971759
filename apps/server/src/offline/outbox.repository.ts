import { Inject, Injectable } from '@nestjs/common';
import {
  type Delivery,
  type DeliveryChannel,
  type Notification,
  type QuietHours,
  type SkipReason,
} from '@realtime/contracts';
import { type Selectable, sql } from 'kysely';
import { toNotification, UUID } from '../notifications/notification-rows.js';
import { type Db, type Store } from '../store/database.js';
import { type NotificationsTable } from '../store/schema.js';
import { STORE } from '../store/store.module.js';

/** A delivery claimed by this process: what the worker needs to decide and send it. */
export interface ClaimedDelivery {
  id: string;
  notificationId: string;
  userId: string;
  channel: DeliveryChannel;
  critical: boolean;
  attempts: number;
  deadline: Date;
  /** The claim's lease, exactly as stored: the outcome is recorded only while it still holds. */
  lease: string;
  /** Emails: the publisher's digest key (null: the user's digest without a key). */
  digestKey: string | null;
}

/** The notification as it is when its delivery is due, and the user's preferences for its type. */
export interface DueNotification {
  notification: Notification;
  /** The `offline`, `push` and `email` preferences for the type (true when never set). */
  offline: boolean;
  push: boolean;
  email: boolean;
  /** Where the user's email goes (a service's address, else their latest token's claim); null: none. */
  address: string | null;
  /** The user's quiet hours, if they set any. */
  quietHours: QuietHours | null;
}

/** What became of one attempt. */
export type Outcome =
  | { status: 'sent' }
  | { status: 'skipped'; reason: SkipReason }
  | { status: 'failed'; error: string }
  | { status: 'retry'; error: string; at: Date }
  /** Not tried: it waits until `at` (the end of the user's quiet hours); its deadline is at least `deadline`. */
  | { status: 'deferred'; at: Date; deadline: Date };

/** How long a claim holds: a process that died holding one lets it go after this. */
export const LEASE_SECONDS = 60;

/**
 * The offline deliveries in SQL (the same on PostgreSQL and the embedded store). The rows are
 * written by the publishing statement itself (NotificationsRepository.createIn); here they are
 * claimed, so that one process of a cluster sends each (`FOR UPDATE SKIP LOCKED` and a lease), and
 * their outcome recorded.
 */
@Injectable()
export class OutboxRepository {
  private readonly db: Db;

  constructor(@Inject(STORE) store: Store) {
    this.db = store.db;
  }

  /**
   * Takes up to `limit` due deliveries nobody holds, oldest due first, and holds them for
   * {@link LEASE_SECONDS}. Concurrent claims on other processes skip them.
   */
  async claim(limit: number, channels: readonly string[]): Promise<ClaimedDelivery[]> {
    const { rows } = await sql<{
      id: string;
      notification_id: string;
      user_id: string;
      channel: DeliveryChannel;
      critical: boolean;
      attempts: number;
      deadline: Date;
      lease: string;
      digest_key: string | null;
    }>`
      update deliveries d set locked_until = now() + make_interval(secs => ${LEASE_SECONDS})
      where d.id in (
        select id from deliveries
        where status = 'pending' and digest_id is null and due_at <= now()
          and (locked_until is null or locked_until <= now()) and channel = any(${[...channels]}::text[])
        order by due_at
        limit ${limit}
        for update skip locked
      )
      returning d.id, d.notification_id, d.user_id, d.channel, d.critical, d.attempts, d.deadline,
        d.locked_until::text as lease, d.digest_key`.execute(this.db);
    return rows.map((r) => ({
      id: String(r.id),
      notificationId: r.notification_id,
      userId: r.user_id,
      channel: r.channel,
      critical: r.critical,
      attempts: r.attempts,
      deadline: new Date(r.deadline),
      lease: r.lease,
      digestKey: r.digest_key,
    }));
  }

  /**
   * The notifications of these deliveries as they are now (a deleted one is absent), with the
   * preferences for their type, the user's address and quiet hours.
   */
  async notifications(ids: readonly string[]): Promise<Map<string, DueNotification>> {
    if (ids.length === 0) return new Map();
    const { rows } = await sql<
      Selectable<NotificationsTable> & {
        offline: boolean | null;
        push: boolean | null;
        email: boolean | null;
        address: string | null;
        quiet_hours: QuietHours | null;
      }
    >`
      select n.*, p.offline, p.push, p.email, coalesce(s.email_set, s.email_claim) as address, s.quiet_hours
      from notifications n
      left join notification_preferences p on p.user_id = n.user_id and p.type = n.type
      left join user_state s on s.user_id = n.user_id
      where n.id = any(${[...new Set(ids)]}::uuid[])`.execute(this.db);
    return new Map(
      rows.map((r) => [
        r.id,
        {
          notification: toNotification(r),
          offline: r.offline ?? true,
          push: r.push ?? true,
          email: r.email ?? true,
          address: r.address,
          quietHours: r.quiet_hours,
        },
      ]),
    );
  }

  /**
   * Records the outcomes of a batch in one statement and lets the rows go (a retry is due again at its
   * time); a row whose lease ended meanwhile is left to whoever holds it now.
   */
  async record(
    results: readonly { delivery: Pick<ClaimedDelivery, 'id' | 'lease'>; outcome: Outcome; attempted: boolean }[],
  ): Promise<void> {
    if (results.length === 0) return;
    const column = <T>(pick: (o: Outcome) => T) => results.map((r) => pick(r.outcome));
    await sql`
      update deliveries d set
        status = case when v.status in ('retry', 'deferred') then 'pending' else v.status end,
        reason = v.reason,
        sent_at = case when v.status = 'sent' then now() else d.sent_at end,
        last_error = case when v.status = 'sent' then null else coalesce(v.error, d.last_error) end,
        due_at = coalesce(v.at, d.due_at),
        deadline = greatest(d.deadline, coalesce(v.deadline, d.deadline)),
        attempts = d.attempts + case when v.attempted then 1 else 0 end,
        locked_until = null
      from unnest(
        ${results.map((r) => r.delivery.id)}::bigint[],
        ${column((o) => o.status)}::text[],
        ${column((o) => (o.status === 'skipped' ? o.reason : null))}::text[],
        ${column((o) => ('error' in o ? clip(o.error) : null))}::text[],
        ${column((o) => ('at' in o ? o.at.toISOString() : null))}::timestamptz[],
        ${column((o) => (o.status === 'deferred' ? o.deadline.toISOString() : null))}::timestamptz[],
        ${results.map((r) => r.attempted)}::boolean[],
        ${results.map((r) => r.delivery.lease)}::text[]
      ) as v(id, status, reason, error, at, deadline, attempted, lease)
      -- A claim whose lease ran out (another process may hold the row now) records nothing.
      where d.id = v.id and d.status = 'pending' and d.locked_until = v.lease::timestamptz`.execute(this.db);
  }

  /**
   * A notification's deliveries, for its owner (`userId`) or, without one, for anybody; null when it
   * is not theirs or does not exist. A deleted notification's deliveries are still shown.
   */
  async ofNotification(notificationId: string, userId?: string): Promise<Delivery[] | null> {
    if (!UUID.test(notificationId)) return null;
    const rows = await this.db
      .selectFrom('deliveries')
      .select(['user_id', 'channel', 'status', 'reason', 'attempts', 'due_at', 'sent_at', 'last_error'])
      .where('notification_id', '=', notificationId)
      .orderBy('channel')
      .execute();
    const owner =
      rows[0]?.user_id ??
      (await this.db.selectFrom('notifications').select('user_id').where('id', '=', notificationId).executeTakeFirst())
        ?.user_id;
    if (owner === undefined || (userId !== undefined && owner !== userId)) return null;
    return rows.map((r) => ({
      channel: r.channel,
      status: r.status,
      ...(r.reason ? { reason: r.reason as SkipReason } : {}),
      attempts: r.attempts,
      dueAt: new Date(r.due_at).toISOString(),
      ...(r.sent_at ? { sentAt: new Date(r.sent_at).toISOString() } : {}),
      ...(r.last_error ? { lastError: r.last_error } : {}),
    }));
  }
}

/** An error as stored: one line, bounded. */
export const clip = (error: string) => error.replace(/\s+/g, ' ').slice(0, 500);
