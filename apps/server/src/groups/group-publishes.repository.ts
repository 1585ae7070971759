import { Inject, Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { randomUUID } from 'node:crypto';
import { IDEMPOTENCY_TTL_HOURS } from '../idempotency/idempotency.repository.js';
import { type Created } from '../notifications/notifications.repository.js';
import { type Db, type Store, type Tx } from '../store/database.js';
import { STORE } from '../store/store.module.js';

/** One chunk stored: its notifications, and whether it was the group's last. */
export interface Chunk {
  created: Created;
  done: boolean;
}

/**
 * A group notification stored chunk by chunk: `group_publishes` says how far it got (the last member
 * done, in user_id order), `group_publish_chunks` keeps each chunk's notifications as answer text.
 * Kept as long as an Idempotency-Key is, so a retry of the key resumes or replays it.
 */
@Injectable()
export class GroupPublishesRepository {
  private readonly db: Db;

  constructor(@Inject(STORE) store: Store) {
    this.db = store.db;
  }

  /** Starts a publish to the group in the caller's transaction (the one that claims its key); its id. */
  async begin(trx: Tx, groupId: string): Promise<string> {
    const id = randomUUID();
    await trx.insertInto('group_publishes').values({ id, group_id: groupId }).execute();
    return id;
  }

  /**
   * Stores the next chunk in a transaction of its own: locks the publish (a concurrent retry of the key
   * waits here, then goes on after this chunk), takes the next `size` members after the last one done,
   * has `write` store their notifications and keeps those as answer text. Null when it was done already.
   */
  nextChunk(id: string, size: number, write: (trx: Tx, userIds: string[]) => Promise<Created>): Promise<Chunk | null> {
    return this.db.transaction().execute(async (trx) => {
      const publish = await trx
        .selectFrom('group_publishes')
        .select(['group_id', 'last_user_id', 'chunks', 'done'])
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst();
      if (!publish) throw new Error(`group publish ${id} is gone (kept ${IDEMPOTENCY_TTL_HOURS} h)`);
      if (publish.done) return null;
      let next = trx.selectFrom('group_members').select('user_id').where('group_id', '=', publish.group_id);
      if (publish.last_user_id !== null) next = next.where('user_id', '>', publish.last_user_id);
      const members = (await next.orderBy('user_id').limit(size).execute()).map((r) => r.user_id);
      const created = members.length > 0 ? await write(trx, members) : { notifications: [], states: new Map() };
      const done = members.length < size;
      await trx
        .insertInto('group_publish_chunks')
        .values({
          publish_id: id,
          chunk: publish.chunks,
          notifications: JSON.stringify(created.notifications).slice(1, -1),
        })
        .execute();
      await trx
        .updateTable('group_publishes')
        .set({ last_user_id: members.at(-1) ?? publish.last_user_id, chunks: publish.chunks + 1, done })
        .where('id', '=', id)
        .execute();
      return { created, done };
    });
  }

  /** The answer `{ notifications: [...] }` as text, one chunk at a time from the store. */
  async *answer(id: string): AsyncGenerator<string> {
    yield '{"notifications":[';
    let first = true;
    for (let chunk = 0; ; chunk++) {
      const row = await this.db
        .selectFrom('group_publish_chunks')
        .select('notifications')
        .where('publish_id', '=', id)
        .where('chunk', '=', chunk)
        .executeTakeFirst();
      if (!row) break;
      if (row.notifications === '') continue;
      yield first ? row.notifications : `,${row.notifications}`;
      first = false;
    }
    yield ']}';
  }

  /** Drops a publish and its chunks (one no key can ask for again). */
  async forget(id: string): Promise<void> {
    await this.db.deleteFrom('group_publishes').where('id', '=', id).execute();
  }

  /** Drops publishes older than an Idempotency-Key is kept; how many. */
  async purgeExpired(): Promise<number> {
    const result = await this.db
      .deleteFrom('group_publishes')
      .where('created_at', '<', sql<Date>`now() - make_interval(hours => ${IDEMPOTENCY_TTL_HOURS})`)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
