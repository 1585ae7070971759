import { Kysely, Migrator, PostgresDialect, sql, type Transaction } from 'kysely';
import { migrationProvider } from './migrations.js';
import { type EmbeddedStore, openEmbedded as openEmbeddedStore } from './embedded-store.js';
import { postgresPool } from './postgres-pool.js';
import { type Database } from './schema.js';

export type Db = Kysely<Database>;
/** A transaction in progress: what a repository writes with when its caller owns the transaction. */
export type Tx = Transaction<Database>;

const DEFAULT_TIMEOUT_MS = 5000;

export interface StoreOptions {
  /** A postgres:// URL; without it the embedded store is used. */
  databaseUrl?: string | undefined;
  /** The embedded store's directory; `memory://` keeps it in memory. */
  dataDir?: string | undefined;
  /** Longest wait for the store (a statement, a connection, a turn on the embedded one); 0: none. */
  timeoutMs?: number | undefined;
}

export interface Store {
  db: Db;
  kind: 'postgres' | 'embedded';
  ping(): Promise<void>;
  /**
   * The embedded store's thread: how long its current statement has run (0: idle), and statements
   * cut short and restarts so far. PostgreSQL has none (its server is another process).
   */
  thread?: Pick<EmbeddedStore, 'stalledMs' | 'counts'>;
  close(): Promise<void>;
}

/** Opens PostgreSQL or the embedded PGlite (same dialect, same queries) and applies pending migrations. */
export async function openStore(options: StoreOptions): Promise<Store> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (options.databaseUrl) {
    // Migrations may take long on a big database: on connections of their own, without statement timeouts.
    const migrator = openPostgres(options.databaseUrl, timeoutMs, false);
    await migrate(migrator.db).finally(() => migrator.close());
    return openPostgres(options.databaseUrl, timeoutMs);
  }
  const embedded = await openEmbeddedStore(options.dataDir ?? 'memory://', timeoutMs);
  try {
    await migrate(embedded.unbounded);
  } catch (err) {
    await embedded.close();
    throw err;
  }
  const { db, stalledMs, counts, close } = embedded;
  return { db, kind: 'embedded', ping: () => ping(db), thread: { stalledMs, counts }, close };
}

function openPostgres(url: string, timeoutMs: number, statementTimeouts = true): Store {
  const pool = postgresPool(url, timeoutMs, statementTimeouts);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, kind: 'postgres', ping: () => ping(db), close: () => db.destroy() };
}

async function ping(db: Db): Promise<void> {
  await sql`select 1`.execute(db);
}

async function migrate(db: Db): Promise<void> {
  // Kysely's migrator takes a table lock, so cluster nodes starting together apply each migration once.
  const { error, results } = await new Migrator({ db, provider: migrationProvider }).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`migration ${failed ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
