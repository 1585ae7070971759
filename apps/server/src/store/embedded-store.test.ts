import { PGlite } from '@electric-sql/pglite';
import { sql } from 'kysely';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
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
});
