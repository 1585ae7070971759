// @ts-check
/**
 * The embedded store's thread: PGlite (PostgreSQL in WebAssembly) runs here, off the server's event
 * loop, so a slow statement blocks this thread only. It answers one message per statement, in the
 * order they came; embedded-store.ts is the other side. Plain JavaScript (type-checked through
 * JSDoc) so that the tests, which run the TypeScript sources, can start it as they are.
 */
import { PGlite } from '@electric-sql/pglite';
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
