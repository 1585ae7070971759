// @ts-check
/**
 * The embedded store's thread: PGlite (PostgreSQL in WebAssembly) runs here, off the server's event
 * loop, so a slow statement blocks this thread only. It answers one message per statement, in the
 * order they came; embedded-store.ts is the other side. Plain JavaScript (type-checked through
 * JSDoc) so that the tests, which run the TypeScript sources, can start it as they are.
 */
import { PGlite } from '@electric-sql/pglite';
import { getPriority, setPriority } from 'node:os';
import process from 'node:process';
import { parentPort, workerData } from 'node:worker_threads';

/**
 * @typedef {{ dataDir: string, settings: Record<string, string>, initDbStartParams?: string[] }} WorkerOptions
 * @typedef {{ id: number, sql: string, params: unknown[], begin: boolean }} Statement
 */

const port = /** @type {import('node:worker_threads').MessagePort} */ (parentPort);
const options = /** @type {WorkerOptions} */ (workerData);

/** A PostgreSQL error as plain data (its SQLSTATE `code`, `constraint`, `detail`...), for the other side. */
const plain = (/** @type {unknown} */ err) =>
  err instanceof Error ? { ...err, name: err.name, message: err.message } : { name: 'Error', message: String(err) };

/**
 * How much nicer than the event loop this thread runs. The event loop and this thread often share one
 * core (a pinned process, a container's CPU quota). At the same priority the scheduler lets a
 * statement this thread wakes up for preempt the event loop, which then waits, runnable, until the
 * statement's WebAssembly is done: in a 16,000-socket leaderboard storm (apps/bench storm.mjs, 20
 * awards/s) `perf sched` counted 45 ms per second of such waiting, the largest share of the loop's
 * 106 ms, in stretches of up to 15 ms. At nice 10 the loop comes first (its waiting fell to 50 ms/s)
 * and statements run in its idle time; when both want the core all the time, this thread still gets
 * about a tenth of it (weight 110 against 1024), so statements slow down but never stop.
 */
const NICER_BY = 10;
// On Linux the nice value belongs to the calling thread; elsewhere (setpriority on a process) it
// would slow the event loop too, which is what this is meant to spare.
if (process.platform === 'linux') {
  try {
    // It starts with the nice value of the thread that created it (the event loop's).
    setPriority(Math.min(19, getPriority() + NICER_BY));
  } catch {
    // Not allowed here (a sandbox): the thread keeps the process's priority, as before.
  }
}

let pglite;
try {
  pglite = await PGlite.create({
    dataDir: options.dataDir,
    // The defaults first: they include -F (no fsync), as before.
    startParams: [
      ...PGlite.defaultStartParams,
      ...Object.entries(options.settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
    ],
    ...(options.initDbStartParams ? { initDbStartParams: options.initDbStartParams } : {}),
  });
  port.postMessage({ ready: true });
} catch (err) {
  port.postMessage({ ready: false, error: plain(err) });
  process.exit(1);
}
const db = pglite;

port.on('message', async (/** @type {Statement | 'close'} */ message) => {
  if (message === 'close') {
    await db.close().catch(() => undefined);
    port.postMessage('closed');
    port.close();
    return;
  }
  const { id, sql, params, begin } = message;
  try {
    // BEGIN comes with the transaction's first statement, to save a trip.
    if (begin) await db.query('begin');
    const { rows, affectedRows } = await db.query(sql, params);
    port.postMessage({ id, rows, affectedRows });
  } catch (err) {
    port.postMessage({ id, error: plain(err) });
  }
});
