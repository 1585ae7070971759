import { Inject, Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { type Db, type Store } from '../store/database.js';
import { STORE } from '../store/store.module.js';
import { type StateRow, toState, type UserState } from '../user-state/user-state.js';

/** A membership change, and the states of its users after it (their `groups` changed). */
export interface MembershipChanged {
  /** The users whose membership changed (added: were not members; removed: were). */
  userIds: string[];
  states: Map<string, UserState>;
}

const STATE_RETURNING = sql`returning user_id, last_seq, unread_count, version, groups`;

/**
 * Group membership in SQL: `group_members`, and each user's `user_state.groups` changed in the same
 * transaction, so the handshake's one read of the state names the rooms to join. A change moves the
 * state's `version` too: that is how the embedded store's state cache knows which state is newer.
 */
@Injectable()
export class GroupsRepository {
  private readonly db: Db;

  constructor(@Inject(STORE) store: Store) {
    this.db = store.db;
  }

  /** Adds members; those who already were stay as they are. */
  add(groupId: string, userIds: readonly string[]): Promise<MembershipChanged> {
    // Sorted: concurrent changes lock state rows in one order, so they cannot deadlock.
    const users = [...new Set(userIds)].sort();
    return this.db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('group_members')
        .values(users.map((user_id) => ({ group_id: groupId, user_id })))
        .onConflict((oc) => oc.columns(['group_id', 'user_id']).doNothing())
        .returning('user_id')
        .execute();
      const added = inserted.map((r) => r.user_id).sort();
      if (added.length === 0) return { userIds: [], states: new Map() };
      const { rows } = await sql<StateRow & { user_id: string }>`
        insert into user_state (user_id, last_seq, unread_count, version, groups)
        select u.user_id, 0, 0, 1, array[${groupId}]::text[] from unnest(${added}::text[]) as u(user_id)
        order by u.user_id
        on conflict (user_id) do update set
          groups = array_append(array_remove(user_state.groups, ${groupId}), ${groupId}),
          version = user_state.version + 1
        ${STATE_RETURNING}`.execute(trx);
      return { userIds: added, states: new Map(rows.map((r) => [r.user_id, toState(r)])) };
    });
  }

  /** Removes a member; no user when they were not one. */
  remove(groupId: string, userId: string): Promise<MembershipChanged> {
    return this.db.transaction().execute(async (trx) => {
      const removed = await trx
        .deleteFrom('group_members')
        .where('group_id', '=', groupId)
        .where('user_id', '=', userId)
        .returning('user_id')
        .executeTakeFirst();
      if (!removed) return { userIds: [], states: new Map() };
      const { rows } = await sql<StateRow & { user_id: string }>`
        update user_state set groups = array_remove(groups, ${groupId}), version = version + 1 where user_id = ${userId}
        ${STATE_RETURNING}`.execute(trx);
      return { userIds: [userId], states: new Map(rows.map((r) => [r.user_id, toState(r)])) };
    });
  }

  /** The group's members (none: an empty list), in a stable order; the first `limit` when given. */
  async members(groupId: string, limit?: number): Promise<string[]> {
    let q = this.db.selectFrom('group_members').select('user_id').where('group_id', '=', groupId).orderBy('user_id');
    if (limit !== undefined) q = q.limit(limit);
    const rows = await q.execute();
    return rows.map((r) => r.user_id);
  }

  /** How many members the group has. */
  async count(groupId: string): Promise<number> {
    const row = await this.db
      .selectFrom('group_members')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('group_id', '=', groupId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** The user's groups, in a stable order. */
  async groupsOf(userId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('group_members')
      .select('group_id')
      .where('user_id', '=', userId)
      .orderBy('group_id')
      .execute();
    return rows.map((r) => r.group_id);
  }

  async isMember(groupId: string, userId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('group_members')
      .select('user_id')
      .where('group_id', '=', groupId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row !== undefined;
  }
}
