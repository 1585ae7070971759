import { sql } from 'kysely';
import { type Db, type Tx } from '../store/database.js';
import { type IdempotencyScope } from './idempotency-http.js';

/** How long a key is remembered. */
export const IDEMPOTENCY_TTL_HOURS = 24;
/** Keys created before this have expired. */
const CUTOFF = sql<Date>`now() - make_interval(hours => ${IDEMPOTENCY_TTL_HOURS})`;

export interface StoredAnswer {
  bodyHash: string;
  status: number;
  body: string;
}

/** The `idempotency_keys` table; the same SQL on PostgreSQL and on the embedded store. */
export class IdempotencyRepository {
  constructor(private readonly db: Db) {}

  /** The first answer to this key, unless expired (or not yet committed). */
  async find(scope: IdempotencyScope, db: Db = this.db): Promise<StoredAnswer | undefined> {
    const row = await db
      .selectFrom('idempotency_keys')
      .select(['body_hash', 'status', 'response'])
      .where('caller', '=', scope.caller)
      .where('route', '=', scope.route)
      .where('key', '=', scope.key)
      .where('created_at', '>=', CUTOFF)
      .executeTakeFirst();
    if (!row || row.status === null || row.response === null) return undefined;
    return { bodyHash: row.body_hash, status: row.status, body: row.response };
  }

  /** {@link find}, for a key known to be committed. */
  async findOrThrow(scope: IdempotencyScope, db: Db): Promise<StoredAnswer> {
    const found = await this.find(scope, db);
    if (!found) throw new Error(`idempotency key of ${scope.caller} on ${scope.route} is claimed but has no answer`);
    return found;
  }

  /**
   * Takes the key for this transaction: true when it is ours (new, or expired and taken over). While
   * another transaction holds it, this waits for that one to end; false when that one committed it.
   */
  async claim(trx: Tx, scope: IdempotencyScope): Promise<boolean> {
    const claimed = await trx
      .insertInto('idempotency_keys')
      .values({ caller: scope.caller, route: scope.route, key: scope.key, body_hash: scope.bodyHash })
      .onConflict((oc) =>
        oc
          .columns(['caller', 'route', 'key'])
          .doUpdateSet({ body_hash: scope.bodyHash, status: null, response: null, created_at: sql`now()` })
          .where('idempotency_keys.created_at', '<', CUTOFF),
      )
      .returning('key')
      .executeTakeFirst();
    return claimed !== undefined;
  }

  /** Stores the answer to a claimed key, in the transaction that claimed it. */
  async save(trx: Tx, scope: IdempotencyScope, status: number, body: string): Promise<void> {
    await trx
      .updateTable('idempotency_keys')
      .set({ status, response: body })
      .where('caller', '=', scope.caller)
      .where('route', '=', scope.route)
      .where('key', '=', scope.key)
      .execute();
  }

  /** Forgets expired keys; how many. */
  async purgeExpired(): Promise<number> {
    const result = await this.db.deleteFrom('idempotency_keys').where('created_at', '<', CUTOFF).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
