// The real PostgreSQL and Redis the integration tests use: required in CI, skipped with the reason elsewhere.
import pg from 'pg';
import { randomBytes } from 'node:crypto';

/** Where the store tests run: always the embedded store, and PostgreSQL when it answers (always in CI). */
export interface StoreTarget {
  name: 'embedded' | 'postgres';
  /** Environment for the server: a fresh, empty store. */
  env(): Promise<Record<string, string>>;
}

const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const created: string[] = [];

async function reachable(): Promise<string | null> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Creates an empty database for this test run; dropped by {@link dropTestDatabases}. */
export async function createTestDatabase(): Promise<string> {
  const name = `rt_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`create database ${name}`);
  } finally {
    await client.end();
  }
  created.push(name);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropTestDatabases(): Promise<void> {
  if (created.length === 0) return;
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    for (const name of created.splice(0)) await client.query(`drop database if exists ${name} with (force)`);
  } finally {
    await client.end();
  }
}

const pgProblem = await reachable();
if (pgProblem && process.env.CI) {
  throw new Error(`PostgreSQL at ${adminUrl} is required in CI and did not answer: ${pgProblem}`);
}
if (pgProblem) console.warn(`[skip] PostgreSQL store tests: ${adminUrl} did not answer (${pgProblem})`);

export const storeTargets: StoreTarget[] = [
  { name: 'embedded', env: async () => ({ DATA_DIR: 'memory://' }) },
  ...(pgProblem
    ? []
    : [{ name: 'postgres' as const, env: async () => ({ DATABASE_URL: await createTestDatabase() }) }]),
];

const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function redisProblem(): Promise<string | null> {
  const { Redis } = await import('ioredis');
  const client = new Redis(redisUrl, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 2000,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    client.disconnect();
  }
}

const redisMissing = await redisProblem();
if (redisMissing && process.env.CI)
  throw new Error(`Redis at ${redisUrl} is required in CI and did not answer: ${redisMissing}`);
if (redisMissing) console.warn(`[skip] cluster tests: Redis at ${redisUrl} did not answer (${redisMissing})`);

/** Redis for the cluster tests, with a key prefix of this run's own; null when it cannot run here. */
export const clusterRedis: { url: string; prefix: string } | null =
  redisMissing || pgProblem
    ? null
    : { url: redisUrl, prefix: `rt-test-${process.pid}-${randomBytes(4).toString('hex')}` };

/** The REDIS_ADAPTER values; the cluster tests run on each. */
export const redisAdapters = ['classic', 'sharded'] as const;
export type RedisAdapter = (typeof redisAdapters)[number];

/** The adapter of the cluster tests that do not name one: TEST_REDIS_ADAPTER, else classic (the default). */
const defaultAdapter: RedisAdapter = process.env.TEST_REDIS_ADAPTER === 'sharded' ? 'sharded' : 'classic';

/**
 * The environment of one cluster: a fresh database and this run's Redis prefix (one per adapter),
 * shared by every node started with it.
 */
export async function clusterEnv(adapter: RedisAdapter = defaultAdapter): Promise<Record<string, string>> {
  if (!clusterRedis) throw new Error('no cluster here: see clusterRedis');
  return {
    DATABASE_URL: await createTestDatabase(),
    REDIS_URL: clusterRedis.url,
    REDIS_PREFIX: `${clusterRedis.prefix}-${adapter}`,
    REDIS_ADAPTER: adapter,
  };
}
