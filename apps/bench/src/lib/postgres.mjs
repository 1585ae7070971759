// A throw-away PostgreSQL database for one gateway run, when PostgreSQL answers.
import { randomBytes } from 'node:crypto';
import process from 'node:process';
import { URL } from 'node:url';
import pg from 'pg';

/** Where `create database` runs; BENCH_PG_ADMIN_URL overrides it. */
export const ADMIN_URL = process.env.BENCH_PG_ADMIN_URL || 'postgres://postgres@127.0.0.1:5432/test';

async function withClient(fn) {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 2000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** null when PostgreSQL answers, else why not. */
export async function postgresProblem() {
  try {
    await withClient((c) => c.query('select 1'));
    return null;
  } catch (err) {
    return err instanceof Error ? err.message || String(err) : String(err);
  }
}

/** Creates `bench_<random>`; returns its name and URL. */
export async function createDatabase() {
  const name = `bench_${randomBytes(5).toString('hex')}`;
  await withClient((c) => c.query(`create database ${name}`));
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return { name, url: url.toString() };
}

export async function dropDatabase(name) {
  if (!/^bench_[0-9a-f]+$/.test(name)) throw new Error(`refusing to drop ${name}`);
  await withClient((c) => c.query(`drop database if exists ${name} with (force)`));
}

/** Row counts and size, so the report can say what a run left in the store. */
export async function databaseStats(url) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  await client.connect();
  try {
    const { rows } = await client.query(
      `select (select count(*)::int from notifications) as notifications,
              (select count(*)::int from notifications where read_at is not null) as read,
              pg_database_size(current_database())::bigint as bytes`,
    );
    return { notifications: rows[0].notifications, read: rows[0].read, bytes: Number(rows[0].bytes) };
  } finally {
    await client.end().catch(() => undefined);
  }
}
