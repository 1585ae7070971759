import { Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, dropTestDatabases, storeTargets } from '../../test/services.js';
import { NotificationsRepository } from '../notifications/notifications.repository.js';
import { UserStateRepository } from '../user-state/user-state.repository.js';
import { openStore } from './database.js';
import { migrationProvider } from './migrations.js';
import { PGliteDialect, Turns } from './pglite-dialect.js';
import { PGliteThread } from './pglite-thread.js';

afterAll(() => dropTestDatabases());

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A store at migration `0002`, as a server before user_state left it: returns the options to reopen it. */
async function storeAt0002(kind: 'embedded' | 'postgres') {
  let db: Kysely<any>;
  let options: { databaseUrl?: string; dataDir?: string };
  let closeThread = async (): Promise<void> => undefined;
  if (kind === 'postgres') {
    const databaseUrl = await createTestDatabase();
    db = new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: databaseUrl }) }) });
    options = { databaseUrl };
  } else {
    const dataDir = mkdtempSync(join(tmpdir(), 'rt-migrate-'));
    dirs.push(dataDir);
    const thread = new PGliteThread({ dataDir, settings: {} });
    closeThread = () => thread.close();
    db = new Kysely({ dialect: new PGliteDialect(thread, new Turns()) });
    options = { dataDir };
  }
  const { error } = await new Migrator({ db, provider: migrationProvider }).migrateTo('0002_gamification');
  if (error) throw error;
  await sql`insert into user_sequences (user_id, last_seq) values ('old', 3)`.execute(db);
  for (const [seq, read] of [
    [1, true],
    [2, false],
    [3, false],
  ] as const) {
    await sql`insert into notifications (id, user_id, seq, type, title, message, read_at)
      values (gen_random_uuid(), 'old', ${seq}, 'info', 't', 'm', ${read ? sql`now()` : null})`.execute(db);
  }
  await db.destroy();
  await closeThread();
  return options;
}

describe.each(storeTargets)('migrations on the $name store', (target) => {
  it('0003 carries existing users over: their seq, and their unread count counted from the rows', async () => {
    const store = await openStore(await storeAt0002(target.name));
    try {
      const userStates = new UserStateRepository(store);
      const repo = new NotificationsRepository(store, userStates);
      expect(await userStates.state('old')).toEqual({ lastSeq: 3, unreadCount: 2, version: 3, groups: [] });
      const { notifications, states } = await repo.create(['old'], { type: 'info', title: 'new', message: 'm' });
      expect(notifications[0]!.seq).toBe(4);
      expect(states.get('old')).toEqual({ lastSeq: 4, unreadCount: 3, version: 4, groups: [] });
    } finally {
      await store.close();
    }
  });
});
