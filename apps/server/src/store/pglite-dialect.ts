import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryResult,
} from 'kysely';
import { type PGliteThread } from './pglite-thread.js';
import { checkParameterCount, StoreUnavailableError } from './store-errors.js';

/**
 * Kysely on PGlite, in its thread. PGlite is one connection, so the driver hands it to one user at a
 * time ({@link Turns}, shared by every Kysely on the store): a transaction holds it from BEGIN to
 * COMMIT and no other query can interleave (which is what makes the same transactional code correct
 * on PGlite and on a PostgreSQL pool).
 */
export class PGliteDialect implements Dialect {
  /**
   * `timeoutMs`: the longest a query waits for its turn, and then for its answer (0: no limit); a
   * statement past it is cancelled (see {@link PGliteThread}).
   */
  constructor(
    private readonly thread: PGliteThread,
    private readonly turns: Turns,
    private readonly timeoutMs = 0,
  ) {}

  createAdapter() {
    return new PostgresAdapter();
  }
  createDriver(): Driver {
    return new PGliteDriver(this.thread, this.turns, this.timeoutMs);
  }
  createIntrospector(db: Kysely<unknown>) {
    return new PostgresIntrospector(db);
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }
}

/** The one connection's users, one at a time, in order of arrival. */
export class Turns {
  private queue: Promise<void> = Promise.resolve();

  /** Waits for the connection (at most `ms`; 0: no limit); resolves to its release. */
  async take(ms: number): Promise<() => void> {
    const previous = this.queue;
    let release!: () => void;
    this.queue = new Promise<void>((resolve) => (release = resolve));
    if (!(await turnWithin(previous, ms))) {
      // Gives up its place without breaking the line: its turn is passed on when it comes.
      void previous.then(release);
      throw new StoreUnavailableError(`the embedded store was busy for more than ${ms} ms`);
    }
    return release;
  }

  /** Settles once every user so far has released the connection. */
  idle(): Promise<void> {
    return this.queue;
  }
}

class PGliteDriver implements Driver {
  constructor(
    private readonly thread: PGliteThread,
    private readonly turns: Turns,
    private readonly timeoutMs: number,
  ) {}

  async init(): Promise<void> {
    await this.thread.ready();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const release = await this.turns.take(this.timeoutMs);
    return new PGliteConnection(this.thread, this.timeoutMs, release);
  }

  async releaseConnection(conn: DatabaseConnection): Promise<void> {
    (conn as PGliteConnection).release();
  }

  // BEGIN travels with the transaction's first statement: one trip to the thread fewer per transaction.
  async beginTransaction(conn: DatabaseConnection): Promise<void> {
    (conn as PGliteConnection).beginPending = true;
  }
  async commitTransaction(conn: DatabaseConnection): Promise<void> {
    await (conn as PGliteConnection).end('commit');
  }
  async rollbackTransaction(conn: DatabaseConnection): Promise<void> {
    await (conn as PGliteConnection).end('rollback');
  }

  /** The thread belongs to the store, which closes it; this waits for the users of the connection. */
  async destroy(): Promise<void> {
    await this.turns.idle();
  }
}

/** One turn on the connection. */
class PGliteConnection implements DatabaseConnection {
  /** The thread this turn began on: if it was replaced since, so was whatever this turn had begun. */
  private readonly generation: number;
  /** A transaction begun and not yet sent: BEGIN goes with the next statement. */
  beginPending = false;

  constructor(
    private readonly thread: PGliteThread,
    private readonly timeoutMs: number,
    readonly release: () => void,
  ) {
    this.generation = thread.generation;
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (this.thread.generation !== this.generation) {
      // Its transaction died with the thread: rolling back is done, anything else must not run outside it.
      if (query.sql === 'rollback') return { rows: [] };
      throw new StoreUnavailableError('the embedded store restarted during this transaction');
    }
    checkParameterCount(query.parameters);
    const begin = this.beginPending;
    this.beginPending = false;
    const result = await this.thread.query<R>(query.sql, query.parameters, this.timeoutMs, begin);
    return {
      rows: result.rows,
      ...(result.affectedRows !== undefined ? { numAffectedRows: BigInt(result.affectedRows) } : {}),
    };
  }

  /** Ends the transaction; one that never sent a statement has nothing to end. */
  async end(statement: 'commit' | 'rollback'): Promise<void> {
    if (this.beginPending) {
      this.beginPending = false;
      return;
    }
    await this.executeQuery(CompiledQuery.raw(statement));
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming is not supported on the embedded store');
  }
}

/** Whether `turn` settles within `ms` (always, when `ms` is 0). */
async function turnWithin(turn: Promise<void>, ms: number): Promise<boolean> {
  if (ms <= 0) return turn.then(() => true);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([turn.then(() => true as const), late]);
  } finally {
    clearTimeout(timer);
  }
}
