import { Logger } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { StoreUnavailableError } from './store-errors.js';

export interface ThreadOptions {
  dataDir: string;
  /** PostgreSQL settings (`-c name=value`). */
  settings: Record<string, string>;
  initDbStartParams?: string[];
}

export interface ThreadResult<R> {
  rows: R[];
  affectedRows?: number;
}

type Answer = { id: number; rows: unknown[]; affectedRows?: number } | { id: number; error: PlainError };
type PlainError = { name: string; message: string } & Record<string, unknown>;

interface Pending {
  resolve(result: ThreadResult<unknown>): void;
  reject(err: unknown): void;
  timer: NodeJS.Timeout | undefined;
}

/** How long a stopping thread may take to close PGlite (a checkpoint) before it is terminated. */
const CLOSE_WITHIN_MS = 10_000;
/** After a restart that failed, the next try. */
const RESTART_RETRY_MS = 1000;

/**
 * PGlite in a worker thread (pglite-worker.js), so that a slow statement costs the thread, not the
 * server's event loop: sockets, `/health`, timers and the timeouts themselves keep running.
 *
 * A statement that does not answer within its timeout fails as unavailable. On a data directory the
 * thread running it is then terminated and a new one opened on the same directory, as after a
 * SIGKILL (PostgreSQL's crash recovery: what was committed stays, the rest is rolled back), because
 * PGlite cannot cancel a statement and everything after it would wait. In memory (`memory://`) the
 * data lives in the thread, so it is left to finish: {@link stalledMs} says how long it has run.
 */
export class PGliteThread {
  /** Grows each time the thread is replaced: a transaction begun on an earlier one is gone. */
  generation = 0;
  /** Statements that did not answer in time, and threads replaced, since the store opened. */
  readonly counts = { timeouts: 0, restarts: 0 };

  private worker!: Worker;
  private started!: Promise<void>;
  private readonly pending = new Map<number, Pending>();
  /** Statements sent and not answered yet (timed out included), by id, with when they were sent. */
  private readonly unanswered = new Map<number, number>();
  /** Threads this side terminated (their exit is expected). */
  private readonly terminated = new WeakSet<Worker>();
  private nextId = 0;
  /** Why no statement can be sent now (closed, restarting, stopped in memory); none: the thread is up. */
  private down: string | undefined;
  /** In memory: the statement that ran past its timeout, until it answers. */
  private stuck: number | undefined;
  private closed = false;
  private readonly logger = new Logger('Store');

  constructor(private readonly options: ThreadOptions) {
    this.start();
  }

  /** Settles once the thread has opened PGlite; rejects when it could not. */
  ready(): Promise<void> {
    return this.started;
  }

  /** Whether the thread can be replaced without losing data (a data directory, not memory). */
  get restartable(): boolean {
    return !this.options.dataDir.startsWith('memory://');
  }

  /** How long the oldest statement sent to the thread has gone unanswered (0: none). */
  stalledMs(): number {
    const since = this.unanswered.values().next();
    return since.done ? 0 : performance.now() - since.value;
  }

  /**
   * Runs one statement (after BEGIN, with `begin`); fails as unavailable when it has not answered
   * within `timeoutMs` (0: no limit).
   */
  query<R>(sql: string, params: readonly unknown[], timeoutMs: number, begin = false): Promise<ThreadResult<R>> {
    // Fails at once, rather than after a timeout, when the store cannot answer soon.
    const down = this.down ?? (this.stuck !== undefined ? 'still running a statement past its timeout' : undefined);
    if (down) return Promise.reject(new StoreUnavailableError(`the embedded store is ${down}`));
    const id = ++this.nextId;
    return new Promise<ThreadResult<R>>((resolve, reject) => {
      const timer = timeoutMs > 0 ? setTimeout(() => this.timedOut(id, timeoutMs), timeoutMs) : undefined;
      this.pending.set(id, { resolve: resolve as Pending['resolve'], reject, timer });
      this.unanswered.set(id, performance.now());
      this.worker.postMessage({ id, sql, params, begin });
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.down = 'closed';
    this.failPending('the embedded store is closed');
    await this.started.catch(() => undefined);
    const worker = this.worker;
    if (this.terminated.has(worker)) return;
    // In memory there is nothing to keep: no need to wait for a statement still running.
    if (this.restartable || this.stuck === undefined)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, CLOSE_WITHIN_MS);
        const done = () => (clearTimeout(timer), resolve());
        worker.on('message', (m) => m === 'closed' && done());
        worker.once('exit', done);
        worker.postMessage('close');
      });
    await worker.terminate();
  }

  private start(): void {
    const worker = new Worker(new URL('./pglite-worker.js', import.meta.url), {
      workerData: this.options,
      resourceLimits: { maxYoungGenerationSizeMb: 4 },
    });
    this.worker = worker;
    let up = false;
    // Statements are sent only once it is up: openEmbedded and Kysely's driver wait for ready().
    this.started = new Promise<void>((resolve, reject) => {
      worker.on('message', (m: { ready: boolean; error?: PlainError } | Answer | 'closed') => {
        if (typeof m !== 'object') return;
        if (!('ready' in m)) return this.answer(m);
        up = m.ready;
        return m.ready ? resolve() : reject(revive(m.error!));
      });
      // Before it is up, a failure is the start's (answered to whoever waits); after, the thread is lost.
      const stopped = (err: unknown) => (up ? this.lost(worker, err) : reject(err));
      worker.on('error', stopped);
      worker.on('exit', (code) => stopped(new StoreUnavailableError(`the embedded store's thread exited (${code})`)));
    });
    // A failed start is answered to the queries that wait for it (and to openEmbedded).
    this.started.catch(() => undefined);
  }

  private answer(m: Answer): void {
    this.unanswered.delete(m.id);
    if (m.id === this.stuck) this.stuck = undefined;
    const pending = this.pending.get(m.id);
    if (!pending) return;
    this.settle(m.id, () =>
      'error' in m
        ? pending.reject(revive(m.error))
        : pending.resolve({ rows: m.rows, ...(m.affectedRows !== undefined ? { affectedRows: m.affectedRows } : {}) }),
    );
  }

  private timedOut(id: number, ms: number): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    this.counts.timeouts++;
    // Only the statement the thread is running can be what holds it up (others wait behind it).
    const running = this.unanswered.keys().next().value === id;
    this.settle(id, () =>
      pending.reject(new StoreUnavailableError(`the embedded store did not answer within ${ms} ms`)),
    );
    if (!running) return;
    if (this.restartable) {
      this.replace(`a statement ran for more than ${ms} ms`);
    } else {
      this.stuck = id;
      this.logger.warn(`a statement has run for more than ${ms} ms; in memory it cannot be cancelled`);
    }
  }

  /** The thread stopped by itself (an abort in PGlite, out of memory): what it held is gone. */
  private lost(worker: Worker, err: unknown): void {
    if (worker !== this.worker || this.closed) return;
    this.logger.error(`the embedded store's thread stopped: ${err instanceof Error ? err.message : String(err)}`);
    if (this.restartable) return this.replace('its thread stopped');
    this.generation++;
    this.down = 'stopped (in memory, its data is gone)';
    this.failPending('the embedded store stopped');
  }

  /** Terminates the thread and opens the data directory again in a new one. */
  private replace(reason: string): void {
    const old = this.worker;
    const generation = ++this.generation;
    this.counts.restarts++;
    this.logger.warn(`${reason}: restarting the embedded store on ${this.options.dataDir}`);
    this.failPending('the embedded store restarted');
    this.down = 'restarting';
    old.removeAllListeners();
    old.on('error', () => undefined);
    this.terminated.add(old);
    // The new thread opens the directory only once the old one is gone; statements fail at once meanwhile.
    void old.terminate().then(() => {
      if (this.closed) return;
      this.start();
      this.started.then(
        () => (this.down = undefined),
        (err: unknown) => {
          this.logger.error(`the embedded store did not reopen: ${err instanceof Error ? err.message : String(err)}`);
          const retry = () => !this.closed && this.generation === generation && this.replace('retrying');
          setTimeout(retry, RESTART_RETRY_MS).unref();
        },
      );
    });
  }

  private failPending(message: string): void {
    for (const [id, pending] of this.pending) this.settle(id, () => pending.reject(new StoreUnavailableError(message)));
    this.unanswered.clear();
  }

  private settle(id: number, answer: () => void): void {
    clearTimeout(this.pending.get(id)?.timer);
    this.pending.delete(id);
    answer();
  }
}

/** A PostgreSQL error from the thread, with its fields (`code`, `constraint`, ...) as they were. */
function revive(plain: PlainError): Error {
  return Object.assign(new Error(plain.message), plain);
}
