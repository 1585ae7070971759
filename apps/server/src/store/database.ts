import { Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { migrationProvider } from './migrations.js';
import { openEmbedded as openEmbeddedStore } from './embedded-store.js';
import { type Database } from './schema.js';

export type Db = Kysely<Database>;

export interface StoreOptions {
  /** A postgres:// URL; without it the embedded store is used. */
  databaseUrl?: string | undefined;
  /** The embedded store's directory; `memory://` keeps it in memory. */
  dataDir?: string | undefined;
}

export interface Store {
  db: Db;
  kind: 'postgres' | 'embedded';
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Opens PostgreSQL or the embedded PGlite (same dialect, same queries) and applies pending migrations. */
export async function openStore(options: StoreOptions): Promise<Store> {
  const store = options.databaseUrl
    ? openPostgres(options.databaseUrl)
    : await openEmbedded(options.dataDir ?? 'memory://');
  try {
    await migrate(store.db);
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}

function openPostgres(url: string): Store {
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5000 });
  // A dropped connection emits 'error' on its client, idle or checked out; unhandled, that would end the
  // process. The query in flight still rejects, and the pool discards the broken client.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, kind: 'postgres', ping: () => ping(db), close: () => db.destroy() };
}

async function openEmbedded(dataDir: string): Promise<Store> {
  const { db, close } = await openEmbeddedStore(dataDir);
  return { db, kind: 'embedded', ping: () => ping(db), close };
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
