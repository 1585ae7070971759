import { Kysely, sql } from 'kysely';
import { mkdirSync } from 'node:fs';
import { PGliteDialect } from './pglite-dialect.js';
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
  close(): Promise<void>;
}

/**
 * Opens PGlite (PostgreSQL in WebAssembly) in `dataDir`, or in memory for `memory://`; a query that
 * waits longer than `timeoutMs` for its turn fails as unavailable (0: it waits).
 */
export async function openEmbedded(dataDir: string, timeoutMs = 0): Promise<EmbeddedStore> {
  const inMemory = dataDir.startsWith('memory://');
  if (!inMemory) mkdirSync(dataDir, { recursive: true });
  // Loaded only when used: a server on PostgreSQL never pays for PGlite's code.
  const { PGlite } = await import('@electric-sql/pglite');
  const settings = inMemory ? IN_MEMORY_SETTINGS : SETTINGS;
  const pglite = await PGlite.create({
    dataDir,
    // The defaults first: they include -F (no fsync), as before.
    startParams: [...PGlite.defaultStartParams, ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])],
    ...(inMemory ? { initDbStartParams: ['--wal-segsize=1'] } : {}),
  });
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite, timeoutMs) });
  const maintain = (statement: string) => () => {
    sql
      .raw(statement)
      .execute(db)
      .catch(() => undefined);
  };
  const timers = [
    setInterval(maintain('checkpoint'), CHECKPOINT_EVERY_MS).unref(),
    setInterval(maintain('vacuum'), VACUUM_EVERY_MS).unref(),
  ];
  return {
    db,
    close: async () => {
      timers.forEach(clearInterval);
      await db.destroy();
    },
  };
}
