import { PGlite } from '@electric-sql/pglite';
import { sql } from 'kysely';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StoreUnavailableError } from './store-errors.js';
import { openEmbedded } from './embedded-store.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('the embedded store', () => {
  it('runs PostgreSQL sized for one process', async () => {
    const { db, close } = await openEmbedded('memory://');
    try {
      const setting = async (name: string) =>
        (await sql<{ setting: string }>`select current_setting(${name}) as setting`.execute(db)).rows[0]!.setting;
      expect(await setting('shared_buffers')).toBe('8MB');
      expect(await setting('max_connections')).toBe('4');
      await sql`checkpoint`.execute(db);
    } finally {
      await close();
    }
  });

  it('opens a data directory created by an earlier version with the default settings, data intact', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rt-embedded-'));
    dirs.push(dataDir);
    const old = await PGlite.create({ dataDir });
    await old.exec("create table kept (v text); insert into kept values ('from before')");
    await old.close();
    const { db, close } = await openEmbedded(dataDir);
    try {
      expect((await sql<{ v: string }>`select v from kept`.execute(db)).rows).toEqual([{ v: 'from before' }]);
    } finally {
      await close();
    }
  });

  it('cuts a statement short at the timeout while the event loop runs on, and restarts with committed data kept', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rt-embedded-'));
    dirs.push(dataDir);
    const { db, counts, close } = await openEmbedded(dataDir, 400);
    const loop = watchLoop();
    try {
      await sql`create table kept (v text)`.execute(db);
      await sql`insert into kept values ('committed')`.execute(db);
      const started = Date.now();
      // A transaction whose second statement never ends: its first is rolled back with the thread.
      const stuck = db.transaction().execute(async (trx) => {
        await sql`insert into kept values ('in the transaction')`.execute(trx);
        await sql`select count(*) from generate_series(1, 1e12)`.execute(trx);
      });
      await expect(stuck).rejects.toBeInstanceOf(StoreUnavailableError);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(loop.maxGapMs()).toBeLessThan(100);
      expect(counts).toEqual({ timeouts: 1, restarts: 1 });
      // The store answers again once the new thread has recovered the directory.
      const rows = await eventually(() => sql<{ v: string }>`select v from kept`.execute(db));
      expect(rows.rows).toEqual([{ v: 'committed' }]);
    } finally {
      loop.stop();
      await close();
    }
  });

  // On one core, a statement at the event loop's priority preempted the loop until it was done.
  // At nice 19 already (the least priority) there is nothing nicer to run the store at.
  it.runIf(process.platform === 'linux' && niceOf('thread-self') < 19)(
    'runs its thread nicer than the event loop, which keeps its priority',
    async () => {
      const loopNice = niceOf('thread-self');
      const before = new Set(readdirSync('/proc/self/task'));
      const { db, close } = await openEmbedded('memory://');
      try {
        await sql`select 1`.execute(db);
        const started = readdirSync('/proc/self/task').filter((tid) => !before.has(tid));
        const nices = started.map((tid) => niceOf(`self/task/${tid}`));
        // The store's thread runs 10 nicer (19 at most); any other thread it brought, and the loop, do not.
        expect(nices.filter((n) => n !== loopNice)).toEqual([Math.min(19, loopNice + 10)]);
        expect(niceOf('thread-self')).toBe(loopNice);
      } finally {
        await close();
      }
    },
  );

  it('in memory, leaves a slow statement to finish and says how long it has run', async () => {
    const { db, stalledMs, counts, close } = await openEmbedded('memory://', 200);
    try {
      const slow = sql`select count(*)::int as n from generate_series(1, 3e6)`.execute(db);
      await expect(slow).rejects.toBeInstanceOf(StoreUnavailableError);
      expect(stalledMs()).toBeGreaterThan(150);
      expect(counts).toEqual({ timeouts: 1, restarts: 0 });
      const after = await eventually(() => sql<{ n: number }>`select 7 as n`.execute(db));
      expect(after.rows).toEqual([{ n: 7 }]);
      expect(stalledMs()).toBe(0);
    } finally {
      await close();
    }
  });
});

/** A thread's nice value (`/proc/<path>/stat`, the 19th field; the name in parentheses may hold spaces). */
function niceOf(path: string): number {
  const stat = readFileSync(`/proc/${path}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
}

/** The longest the event loop went without running a 10 ms timer, from now on. */
function watchLoop() {
  let last = performance.now();
  let max = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    max = Math.max(max, now - last - 10);
    last = now;
  }, 10);
  return { maxGapMs: () => max, stop: () => clearInterval(timer) };
}

/** `attempt` once it stops failing as unavailable (for at most 10 s). */
async function eventually<T>(attempt: () => Promise<T>): Promise<T> {
  for (const deadline = Date.now() + 10_000; ;) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof StoreUnavailableError) || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
