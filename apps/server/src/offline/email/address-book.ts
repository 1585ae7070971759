import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { type EmailAddressResponse, type Principal } from '@realtime/contracts';
import { sql } from 'kysely';
import { z } from 'zod';
import { TokenVerifier } from '../../auth/token-verifier.js';
import { type Db, type Store } from '../../store/database.js';
import { STORE } from '../../store/store.module.js';

/** A claim worth recording: one address (a list would make every email go to several people). */
const address = z.email().max(254);

/** Claims are written together: those of every token first seen within this long (a reconnect storm: a few statements). */
const FLUSH_MS = 50;
/** ...and at most this many at once. */
const MAX_BATCH = 1000;
/** On the embedded store, the users whose claim this process knows (it is the store's only writer). */
const REMEMBERED = 100_000;

/**
 * Where each user's email goes: the `email` claim of their latest token, kept in their `user_state`
 * row (so the publishing statement knows who has an address), unless a service set one. A claim is
 * recorded when this process first accepts a token (once per token, not per use), batched; the row
 * keeps the claim of the token with the latest `iat`, whatever order tokens arrive in on whichever
 * process. On the embedded store this process is the only writer, so it remembers what the store
 * holds and a token whose claim is already there writes nothing; on PostgreSQL another process may
 * have written since, so every new token's claim is written (a no-op when an older token's arrives).
 */
@Injectable()
export class AddressBook implements OnModuleInit {
  private readonly logger = new Logger('Email');
  private readonly db: Db;
  private readonly known: Map<string, { email: string; iat: number }> | null;
  private pending = new Map<string, { email: string; iat: number }>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(STORE) store: Store,
    private readonly verifier: TokenVerifier,
  ) {
    this.db = store.db;
    this.known = store.kind === 'embedded' ? new Map() : null;
  }

  async onModuleInit(): Promise<void> {
    this.verifier.onNewToken((principal) => this.claimSeen(principal));
    if (!this.known) return;
    const rows = await this.db
      .selectFrom('user_state')
      .select(['user_id', 'email_claim', 'email_claim_iat'])
      .where('email_claim', 'is not', null)
      .limit(REMEMBERED)
      .execute();
    for (const r of rows) this.known.set(r.user_id, { email: r.email_claim!, iat: Number(r.email_claim_iat ?? 0) });
  }

  private claimSeen({ userId, email, issuedAt }: Principal): void {
    if (!email || !address.safeParse(email).success) return;
    const iat = issuedAt ?? Math.floor(Date.now() / 1000);
    const stored = this.known?.get(userId);
    if (stored?.email === email) {
      // Already there: the newer token only moves what an older one must beat (this process decides).
      stored.iat = Math.max(stored.iat, iat);
      return;
    }
    if (stored && stored.iat >= iat) return;
    const waiting = this.pending.get(userId);
    if (waiting && waiting.iat >= iat) return;
    this.pending.set(userId, { email, iat });
    if (this.pending.size >= MAX_BATCH) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS);
  }

  private async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = [...this.pending];
    this.pending = new Map();
    if (batch.length === 0) return;
    try {
      await sql`
        insert into user_state as s (user_id, last_seq, email_claim, email_claim_iat)
        select v.user_id, 0, v.email, v.iat
        from unnest(${batch.map(([u]) => u)}::text[], ${batch.map(([, c]) => c.email)}::text[],
          ${batch.map(([, c]) => c.iat)}::bigint[]) as v(user_id, email, iat)
        order by v.user_id
        on conflict (user_id) do update set email_claim = excluded.email_claim, email_claim_iat = excluded.email_claim_iat
        where s.email_claim_iat is null or s.email_claim_iat < excluded.email_claim_iat`.execute(this.db);
      if (this.known) {
        for (const [userId, claim] of batch) {
          if (this.known.size >= REMEMBERED && !this.known.has(userId)) continue;
          const stored = this.known.get(userId);
          if (!stored || stored.iat < claim.iat) this.known.set(userId, claim);
        }
      }
    } catch (err) {
      // Not fatal: the next new token of each of these users records it.
      this.logger.warn(`email claims of ${batch.length} users not recorded: ${(err as Error).message}`);
    }
  }

  /** Where the user's email goes, and why. */
  async get(userId: string): Promise<EmailAddressResponse> {
    const row = await this.db
      .selectFrom('user_state')
      .select(['email_set', 'email_claim'])
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return toAddress(userId, row);
  }

  /** Sets (or, with null, removes) the address a service chose; it wins over the token's claim. */
  async set(userId: string, email: string | null): Promise<EmailAddressResponse> {
    const { rows } = await sql<{ email_set: string | null; email_claim: string | null }>`
      insert into user_state as s (user_id, last_seq, email_set) values (${userId}, 0, ${email})
      on conflict (user_id) do update set email_set = excluded.email_set
      returning email_set, email_claim`.execute(this.db);
    return toAddress(userId, rows[0]);
  }
}

function toAddress(
  userId: string,
  row: { email_set: string | null; email_claim: string | null } | undefined,
): EmailAddressResponse {
  if (row?.email_set) return { userId, email: row.email_set, source: 'api' };
  if (row?.email_claim) return { userId, email: row.email_claim, source: 'token' };
  return { userId, email: null, source: null };
}
