import { Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ApiError } from '../common/api-error.js';
import { type Store, type Tx } from '../store/database.js';
import { type IdempotencyScope, type Reply } from './idempotency-http.js';
import { IdempotencyRepository, type StoredAnswer } from './idempotency.repository.js';

/** What a write did: the body to answer with, and what the caller needs once it is committed (e.g. to emit). */
export interface Written<B, R> {
  body: B;
  result: R;
}

/** Applied now (with the write's result, for what follows the commit), or a replay of the first answer. */
export type Outcome<B, R> = (Reply<B> & { replayed: false; result: R }) | (Reply<B> & { replayed: true });

const PURGE_EVERY_MS = 60 * 60_000;

/**
 * Writes in one transaction, exactly once per `Idempotency-Key`: the key is claimed first (a
 * concurrent request with the same key waits on its row), the answer is stored in the same
 * transaction as the write, so a crash between COMMIT and the answer cannot apply it twice.
 * Failures roll the claim back with everything else: only successful answers are remembered.
 */
export class IdempotentWrites implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('IdempotentWrites');
  private readonly keys: IdempotencyRepository;
  private purgeTimer: NodeJS.Timeout | undefined;

  constructor(private readonly store: Store) {
    this.keys = new IdempotencyRepository(store.db);
  }

  onModuleInit(): void {
    this.purgeTimer = setInterval(() => void this.purge(), PURGE_EVERY_MS).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.purgeTimer);
  }

  /** Runs `write` in one transaction answered with `status`; with a scope, at most once per key. */
  async run<B, R>(
    scope: IdempotencyScope | undefined,
    status: number,
    write: (trx: Tx) => Promise<Written<B, R>>,
  ): Promise<Outcome<B, R>> {
    // One transaction, no look-up first: a new key (the common case) costs no extra round trip.
    const done = await this.store.db.transaction().execute(async (trx): Promise<Written<B, R> | StoredAnswer> => {
      // Already answered (the claim waited for a concurrent request to commit it): that answer.
      if (scope && !(await this.keys.claim(trx, scope))) return this.keys.findOrThrow(scope, trx);
      const written = await write(trx);
      if (scope) await this.keys.save(trx, scope, status, JSON.stringify(written.body));
      return written;
    });
    if ('bodyHash' in done) return replay<B>(scope!, done);
    return { status, body: done.body, replayed: false, result: done.result };
  }

  /** Remembers `body` as the answer to the key in a transaction of its own (for routes that write nothing). */
  record<B>(scope: IdempotencyScope, status: number, body: B): Promise<Outcome<B, undefined>> {
    return this.run(scope, status, async () => ({ body, result: undefined }));
  }

  private async purge(): Promise<void> {
    try {
      const n = await this.keys.purgeExpired();
      if (n > 0) this.logger.log(`forgot ${n} expired idempotency keys`);
    } catch (err) {
      this.logger.warn(`expired idempotency keys not purged: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

function replay<B>(scope: IdempotencyScope, stored: StoredAnswer): Outcome<B, never> {
  if (stored.bodyHash !== scope.bodyHash) {
    throw new ApiError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was already used with a different body');
  }
  return { status: stored.status, body: JSON.parse(stored.body) as B, replayed: true };
}
