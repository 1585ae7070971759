import { type PostgresPool, type PostgresPoolClient } from 'kysely';
import { createRequire } from 'node:module';
import type pg from 'pg';
import { checkParameterCount, storeFailure } from './store-errors.js';

/**
 * pg, loaded by the first pool (the embedded store never needs it) with the global `Response` out of
 * sight meanwhile: pg, as it loads, asks `new Response(null, { cf })` whether it runs on Cloudflare
 * Workers, and on Node 20 that first touch of `Response` loads Node's fetch (undici), some 5 MB of an
 * idle gateway that never fetches. pg takes its Node.js path either way; Node 21+ answers it from
 * `navigator` before.
 */
let pgModule: typeof pg | undefined;
function loadPg(): typeof pg {
  if (pgModule) return pgModule;
  const response = Object.getOwnPropertyDescriptor(globalThis, 'Response');
  // Hidden only while it is Node's lazy getter: once fetch is loaded there is nothing left to save.
  const hide = typeof response?.get === 'function' && response.configurable === true;
  if (hide) Object.defineProperty(globalThis, 'Response', { value: undefined, configurable: true });
  try {
    pgModule = createRequire(import.meta.url)('pg') as typeof pg;
  } finally {
    if (hide) Object.defineProperty(globalThis, 'Response', response);
  }
  return pgModule;
}

const MAX_CONNECTIONS = 10;
/** TCP keepalive probes start after this much silence, so a peer that vanished is noticed. */
const KEEPALIVE_DELAY_MS = 10_000;

/**
 * The pg pool behind Kysely, bounded in time by `timeoutMs` (0: unbounded): connecting or waiting for
 * a free connection (`connectionTimeoutMillis`) and, unless `statementTimeouts` is false (migrations),
 * a statement on the server (`statement_timeout`) and an answer that never comes (`query_timeout`, a
 * little later, so a server that does answer cancels first and keeps its connection). A connection that broke is never handed out again, nor is any
 * connection opened before it: a network that dropped one has most likely dropped them all.
 */
export function postgresPool(connectionString: string, timeoutMs: number, statementTimeouts = true): PostgresPool {
  const ms = timeoutMs > 0 ? timeoutMs : undefined;
  const statementMs = statementTimeouts ? ms : undefined;
  const pool = new (loadPg().Pool)({
    connectionString,
    max: MAX_CONNECTIONS,
    connectionTimeoutMillis: ms,
    statement_timeout: statementMs,
    query_timeout: statementMs && Math.round(statementMs * 1.2),
    // A process that stalls inside a transaction must not hold its row locks for longer.
    idle_in_transaction_session_timeout: statementMs && statementMs * 2,
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEPALIVE_DELAY_MS,
  });
  // A dropped connection emits 'error' on its client, idle or checked out; unhandled, that would end the
  // process. The query in flight still rejects, and the pool discards the broken client.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));

  let failures = 0;
  const generation = new WeakMap<pg.PoolClient, number>();
  const brokeWith = (err: unknown) => {
    if (storeFailure(err) !== 'broken') return false;
    failures++;
    return true;
  };

  const wrap = (client: pg.PoolClient): PostgresPoolClient => {
    let broken: unknown;
    const query = async (sql: string, parameters: readonly unknown[]) => {
      // The rollback after a broken query fails at once instead of waiting out another timeout.
      if (broken) throw broken;
      checkParameterCount(parameters);
      try {
        return await client.query(sql, parameters as unknown[]);
      } catch (err) {
        if (brokeWith(err)) broken = err;
        throw err;
      }
    };
    return {
      query: query as unknown as PostgresPoolClient['query'],
      release: (destroy?: boolean) => client.release(Boolean(destroy) || broken !== undefined),
    };
  };

  return {
    async connect() {
      for (;;) {
        let client: pg.PoolClient;
        try {
          client = await pool.connect();
        } catch (err) {
          brokeWith(err);
          throw err;
        }
        if (!generation.has(client)) generation.set(client, failures);
        if (generation.get(client)! >= failures) return wrap(client);
        client.release(true);
      }
    },
    end: () => pool.end(),
  };
}
