import { Kysely, sql } from 'kysely';
import { mkdirSync } from 'node:fs';
import { PGliteDialect, Turns } from './pglite-dialect.js';
import { PGliteThread } from './pglite-thread.js';
import { type Database } from './schema.js';

/**
 * PostgreSQL settings for one process's embedded store. PGlite's initdb sizes the server for 100
 * connections and 128 MB of shared buffers, all of it resident in WebAssembly memory from the start;
 * one client and a working set of a few MB need a fraction of that (about -130 MB of RSS).
 */
const SETTINGS: Record<string, string> = {
  shared_buffers: '8MB',
  max_connections: '4',
  max_wal_senders: '0',
  max_replication_slots: '0',
  autovacuum_worker_slots: '1',
  // WebAssembly memory never shrinks: these cap its high-water mark.
  work_mem: '1MB',
  maintenance_work_mem: '8MB',
  temp_buffers: '1MB',
  min_wal_size: '32MB',
  max_wal_size: '32MB',
};
/** With `memory://` the WAL is JavaScript memory: small segments, and fewer of them kept. */
const IN_MEMORY_SETTINGS = { ...SETTINGS, min_wal_size: '2MB', max_wal_size: '16MB' };

/** PGlite never checkpoints nor vacuums by itself: without this the WAL and dead rows only grow. */
const CHECKPOINT_EVERY_MS = 60_000;
const VACUUM_EVERY_MS = 10 * 60_000;

export interface EmbeddedStore {
  db: Kysely<Database>;
  /** The same store without timeouts, for migrations and maintenance (no statement of theirs is cut short). */
  unbounded: Kysely<Database>;
  /** How long the statement the store is running has run (0: idle). */
  stalledMs(): number;
  /** Statements cut short and threads replaced since it opened. */
  counts: PGliteThread['counts'];
  close(): Promise<void>;
}

/**
 * Opens PGlite (PostgreSQL in WebAssembly) in `dataDir`, or in memory for `memory://`, in a thread of
 * its own. A query that waits longer than `timeoutMs` for its turn, or then for its answer, fails as
 * unavailable (0: it waits); see {@link PGliteThread} for what happens to the statement.
 */
export async function openEmbedded(dataDir: string, timeoutMs = 0): Promise<EmbeddedStore> {
  const inMemory = dataDir.startsWith('memory://');
  if (!inMemory) mkdirSync(dataDir, { recursive: true });
  const thread = new PGliteThread({
    dataDir,
    settings: inMemory ? IN_MEMORY_SETTINGS : SETTINGS,
    ...(inMemory ? { initDbStartParams: ['--wal-segsize=1'] } : {}),
  });
  try {
    await thread.ready();
  } catch (err) {
    await thread.close();
    throw err;
  }
  const turns = new Turns();
  const db = new Kysely<Database>({ dialect: new PGliteDialect(thread, turns, timeoutMs) });
  const unbounded = new Kysely<Database>({ dialect: new PGliteDialect(thread, turns, 0) });
  const maintain = (statement: string) => () => {
    sql
      .raw(statement)
      .execute(unbounded)
      .catch(() => undefined);
  };
  const timers = [
    setInterval(maintain('checkpoint'), CHECKPOINT_EVERY_MS).unref(),
    setInterval(maintain('vacuum'), VACUUM_EVERY_MS).unref(),
  ];
  return {
    db,
    unbounded,
    stalledMs: () => thread.stalledMs(),
    counts: thread.counts,
    close: async () => {
      timers.forEach(clearInterval);
      await db.destroy();
      await unbounded.destroy();
      await thread.close();
    },
  };
}
