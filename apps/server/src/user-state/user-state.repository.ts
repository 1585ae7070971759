import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { CompiledQuery } from 'kysely';
import { BatchLoader } from '../store/batch-loader.js';
import { type Db, type Store } from '../store/database.js';
import { STORE } from '../store/store.module.js';
import { UserStateCache } from './user-state-cache.js';
import { NO_STATE, STATE_COLUMNS, type StateRow, toState, type UserState } from './user-state.js';

// The handshake's one read: primary-key lookups, sent as is (no query builder on this path).
const STATES_SQL = 'select user_id, last_seq, unread_count, version, groups from user_state where user_id = any($1)';

/**
 * Reads users' states, and is told the states that changes committed. The rows themselves change in
 * the transactions of the modules that change them (notifications, groups), which hand the committed
 * states here; on the embedded store (one writer, this process) they are all kept in memory, so a
 * handshake makes no query.
 */
@Injectable()
export class UserStateRepository implements OnModuleInit {
  private readonly db: Db;
  private readonly cache: UserStateCache | null;
  /** Concurrent handshakes read their states together. */
  private readonly loader = new BatchLoader<UserState>(async (userIds) => {
    const { rows } = await this.db.executeQuery<StateRow & { user_id: string }>(
      CompiledQuery.raw(STATES_SQL, [userIds]),
    );
    return new Map(rows.map((r) => [r.user_id, toState(r)]));
  }, NO_STATE);

  constructor(@Inject(STORE) store: Store) {
    this.db = store.db;
    this.cache = store.kind === 'embedded' ? new UserStateCache() : null;
  }

  async onModuleInit(): Promise<void> {
    if (!this.cache) return;
    const limit = this.cache.capacity;
    const rows = await this.db
      .selectFrom('user_state')
      .select(['user_id', ...STATE_COLUMNS])
      .limit(limit + 1)
      .execute();
    this.cache.load(
      rows.slice(0, limit).map((r) => [r.user_id, toState(r)]),
      rows.length <= limit,
    );
  }

  /** The user's state when this process keeps it in memory (the embedded store): no query, no promise. */
  inMemory(userId: string): UserState | undefined {
    const cached = this.cache?.get(userId);
    return cached === undefined ? undefined : (cached ?? NO_STATE);
  }

  /** The user's state (all zeros for a user who never had a notification). */
  async state(userId: string): Promise<UserState> {
    const known = this.inMemory(userId);
    if (known) return known;
    const state = await this.loader.get(userId);
    return this.cache?.remember(userId, state) ?? state;
  }

  /** Teaches the embedded store's cache committed states; never others: handshakes answer from it. */
  committed(states: ReadonlyMap<string, UserState>): void {
    for (const [userId, state] of states) this.cache?.remember(userId, state);
  }
}
