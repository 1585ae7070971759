// The real PostgreSQL and Redis the cluster test needs: required in CI, skipped with the reason elsewhere.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { connect } from 'node:net';
import pg from 'pg';

const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const created: string[] = [];

async function postgresProblem(): Promise<string | null> {
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

/** PING over a bare socket: the test needs to know Redis answers, not a Redis client. */
async function redisProblem(): Promise<string | null> {
  const { hostname, port } = new URL(redisUrl);
  const socket = connect({ host: hostname, port: Number(port || 6379) });
  socket.setTimeout(2000, () => socket.destroy(new Error('no answer within 2 s')));
  try {
    await once(socket, 'connect');
    socket.write('PING\r\n');
    const [reply] = (await once(socket, 'data')) as [Buffer];
    return String(reply).startsWith('+PONG') ? null : `unexpected reply ${JSON.stringify(String(reply))}`;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    socket.destroy();
  }
}

const problems = [
  await postgresProblem().then((p) => p && `PostgreSQL at ${adminUrl}: ${p}`),
  await redisProblem().then((p) => p && `Redis at ${redisUrl}: ${p}`),
].filter((p): p is string => p !== null);

if (problems.length > 0 && process.env.CI) throw new Error(`required in CI and not answering: ${problems.join('; ')}`);
if (problems.length > 0) console.warn(`[skip] cluster tests: ${problems.join('; ')}`);

/** What a cluster of this run needs (an empty database is made per call), or null when it cannot run here. */
export const cluster = problems.length
  ? null
  : { redisUrl, redisPrefix: `rt-client-test-${process.pid}-${randomBytes(4).toString('hex')}` };

/** Creates an empty database for this run; dropped by {@link dropTestDatabases}. */
export async function createTestDatabase(): Promise<string> {
  const name = `rt_client_test_${process.pid}_${randomBytes(4).toString('hex')}`;
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
