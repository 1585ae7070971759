import { Inject, Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { type Db, type Store } from '../../store/database.js';
import { STORE } from '../../store/store.module.js';
import { type ClaimedDelivery, clip, LEASE_SECONDS, type Outcome } from '../outbox.repository.js';

/** A digest claimed by this process to be sent (it takes no more items from the claim on). */
export interface ClaimedDigest {
  id: string;
  userId: string;
  digestKey: string;
  attempts: number;
  deadline: Date;
  lease: string;
}

/** An email delivery waiting in a digest. */
export type DigestItem = Omit<ClaimedDelivery, 'lease'> & { digestId: string };

/** How digests open and close. */
export interface DigestRules {
  windowSeconds: number;
  maxItems: number;
  maxAgeSeconds: number;
}

/**
 * Digests in SQL (the same on PostgreSQL and the embedded store). A due email joins its user's open
 * digest for its key, or opens one, in one statement (`INSERT ... ON CONFLICT` on the unique index of
 * open digests: two processes cannot open two). A digest is claimed once, like a delivery (`FOR UPDATE
 * SKIP LOCKED` and a lease), and the claim closes it: nothing joins it afterwards, a retry sends the
 * same digest again, and items that came meanwhile open the next one.
 */
@Injectable()
export class EmailDigestsRepository {
  private readonly db: Db;

  constructor(@Inject(STORE) store: Store) {
    this.db = store.db;
  }

  /**
   * Puts claimed email deliveries into their users' open digests and lets the claims go; answers the
   * digest each joined. One that finds its digest full joins none and is claimed again at the next
   * turn, after that digest closed. A delivery whose lease ended meanwhile joins none either.
   */
  async attach(deliveries: readonly ClaimedDelivery[], rules: DigestRules): Promise<Map<string, string>> {
    if (deliveries.length === 0) return new Map();
    const key = (d: ClaimedDelivery) => d.digestKey ?? '';
    const groups = new Map<string, { userId: string; digestKey: string; n: number }>();
    for (const d of deliveries) {
      const g = `${d.userId}\u0000${key(d)}`;
      const group = groups.get(g) ?? { userId: d.userId, digestKey: key(d), n: 0 };
      group.n++;
      groups.set(g, group);
    }
    const g = [...groups.values()];
    return this.db.transaction().execute(async (trx) => {
      const { rows } = await sql<{ id: string; digest_id: string }>`
        with up as (
          insert into email_digests as e (user_id, digest_key, item_count, due_at, deadline)
          select g.user_id, g.digest_key, g.n,
            case when g.n >= ${rules.maxItems} then now() else now() + make_interval(secs => ${rules.windowSeconds}) end,
            now() + make_interval(secs => ${rules.windowSeconds + rules.maxAgeSeconds})
          from unnest(${g.map((x) => x.userId)}::text[], ${g.map((x) => x.digestKey)}::text[], ${g.map((x) => x.n)}::int[])
            as g(user_id, digest_key, n)
          order by g.user_id, g.digest_key
          on conflict (user_id, digest_key) where status = 'open' do update set
            item_count = e.item_count + excluded.item_count,
            due_at = case when e.item_count + excluded.item_count >= ${rules.maxItems} then now() else e.due_at end
          where e.item_count < ${rules.maxItems}
          returning e.id, e.user_id, e.digest_key
        )
        update deliveries d set digest_id = up.id, locked_until = null
        from unnest(${deliveries.map((d) => d.id)}::bigint[], ${deliveries.map((d) => d.lease)}::text[],
            ${deliveries.map((d) => d.userId)}::text[], ${deliveries.map(key)}::text[]) as v(id, lease, user_id, digest_key)
          join up on up.user_id = v.user_id and up.digest_key = v.digest_key
        where d.id = v.id and d.status = 'pending' and d.locked_until = v.lease::timestamptz
        returning d.id, up.id as digest_id`.execute(trx);
      const attached = new Map(rows.map((r) => [String(r.id), String(r.digest_id)]));
      const left = deliveries.filter((d) => !attached.has(d.id));
      if (left.length > 0) {
        await sql`
          update deliveries d set locked_until = null
          from unnest(${left.map((d) => d.id)}::bigint[], ${left.map((d) => d.lease)}::text[]) as v(id, lease)
          where d.id = v.id and d.locked_until = v.lease::timestamptz`.execute(trx);
      }
      return attached;
    });
  }

  /** Takes up to `limit` digests whose window ended (or that are full, or due for a retry) and closes them. */
  async claim(limit: number): Promise<ClaimedDigest[]> {
    const { rows } = await sql<{
      id: string;
      user_id: string;
      digest_key: string;
      attempts: number;
      deadline: Date;
      lease: string;
    }>`
      update email_digests e set status = 'closed', locked_until = now() + make_interval(secs => ${LEASE_SECONDS})
      where e.id in (
        select id from email_digests
        where status in ('open', 'closed') and due_at <= now() and (locked_until is null or locked_until <= now())
        order by due_at
        limit ${limit}
        for update skip locked
      )
      returning e.id, e.user_id, e.digest_key, e.attempts, e.deadline, e.locked_until::text as lease`.execute(this.db);
    return rows.map((r) => ({
      id: String(r.id),
      userId: r.user_id,
      digestKey: r.digest_key,
      attempts: r.attempts,
      deadline: new Date(r.deadline),
      lease: r.lease,
    }));
  }

  /** The deliveries still pending in these digests, oldest first. */
  async items(digestIds: readonly string[]): Promise<Map<string, DigestItem[]>> {
    const byDigest = new Map<string, DigestItem[]>();
    if (digestIds.length === 0) return byDigest;
    const rows = await this.db
      .selectFrom('deliveries')
      .select(['id', 'digest_id', 'notification_id', 'user_id', 'critical', 'attempts', 'deadline', 'digest_key'])
      .where('digest_id', 'in', [...digestIds])
      .where('status', '=', 'pending')
      .orderBy('id')
      .execute();
    for (const r of rows) {
      const digestId = String(r.digest_id);
      const list = byDigest.get(digestId) ?? [];
      list.push({
        id: String(r.id),
        digestId,
        notificationId: r.notification_id,
        userId: r.user_id,
        channel: 'email',
        critical: r.critical,
        attempts: r.attempts,
        deadline: new Date(r.deadline),
        digestKey: r.digest_key,
      });
      byDigest.set(digestId, list);
    }
    return byDigest;
  }

  /**
   * Records what became of a digest and of its items, in one transaction, only while the claim's lease
   * holds (false: it ended, and whoever holds the digest now records it). A digest to be tried again
   * (`retry`) stays closed, its items pending (their tries and last error recorded); one held by quiet
   * hours (`deferred`) opens again, its items untouched.
   */
  async record(
    digest: ClaimedDigest,
    outcome: Outcome,
    attempted: boolean,
    items: readonly { item: DigestItem; outcome: Outcome; attempted: boolean }[],
  ): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const status = DIGEST_STATUS[outcome.status];
      // A digest held by quiet hours was never tried: it opens again, so what comes due before they end
      // joins it and goes in the same email (unless another digest opened meanwhile: then it stays closed).
      const { rows } = await sql<{ id: string }>`
        update email_digests e set
          status = case when ${status}::text = 'open' and exists (
              select 1 from email_digests o
              where o.user_id = e.user_id and o.digest_key = e.digest_key and o.status = 'open' and o.id <> e.id
            ) then 'closed' else ${status}::text end,
          attempts = e.attempts + ${attempted ? 1 : 0},
          sent_at = case when ${status}::text = 'sent' then now() else e.sent_at end,
          last_error = coalesce(${'error' in outcome ? clip(outcome.error) : null}, e.last_error),
          due_at = coalesce(${'at' in outcome ? outcome.at.toISOString() : null}::timestamptz, e.due_at),
          deadline = greatest(e.deadline, coalesce(${outcome.status === 'deferred' ? outcome.deadline.toISOString() : null}::timestamptz, e.deadline)),
          locked_until = null
        where e.id = ${digest.id} and e.locked_until = ${digest.lease}::timestamptz
        returning id`.execute(trx);
      if (rows.length === 0) return false;
      // Every item tried or settled; one that waits again (a retry) stays pending, with the try counted.
      const settled = items.filter((i) => i.outcome.status !== 'deferred');
      if (settled.length === 0) return true;
      const column = <T>(pick: (o: Outcome) => T) => settled.map((r) => pick(r.outcome));
      await sql`
        update deliveries d set
          status = case when v.status = 'retry' then 'pending' else v.status end,
          reason = v.reason,
          sent_at = case when v.status = 'sent' then now() else d.sent_at end,
          last_error = case when v.status = 'sent' then null else coalesce(v.error, d.last_error) end,
          attempts = d.attempts + case when v.attempted then 1 else 0 end
        from unnest(
          ${settled.map((r) => r.item.id)}::bigint[],
          ${column((o) => o.status)}::text[],
          ${column((o) => (o.status === 'skipped' ? o.reason : null))}::text[],
          ${column((o) => ('error' in o ? clip(o.error) : null))}::text[],
          ${settled.map((r) => r.attempted)}::boolean[]
        ) as v(id, status, reason, error, attempted)
        where d.id = v.id and d.digest_id = ${digest.id} and d.status = 'pending'`.execute(trx);
      return true;
    });
  }
}

/**
 * A digest after an outcome: tried again later (closed: it takes no more), opened again (quiet hours:
 * never tried, so what comes due meanwhile may still join it), or settled.
 */
const DIGEST_STATUS = {
  retry: 'closed',
  deferred: 'open',
  sent: 'sent',
  failed: 'failed',
  skipped: 'skipped',
} as const satisfies Record<Outcome['status'], string>;
