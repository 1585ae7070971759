import { afterAll, describe, expect, it } from 'vitest';
import { dropTestDatabases, storeTargets } from '../../test/services.js';
import { openStore, type Store } from '../store/database.js';
import { NotificationsRepository } from './notifications.repository.js';

afterAll(() => dropTestDatabases());

const msg = (title: string) => ({ type: 'info', title, message: `${title} body` });

describe.each(storeTargets)('NotificationsRepository on the $name store', (target) => {
  const stores: Store[] = [];
  const open = async (env?: Record<string, string>) => {
    const e = env ?? (await target.env());
    const store = await openStore({ databaseUrl: e.DATABASE_URL, dataDir: e.DATA_DIR });
    stores.push(store);
    return { repo: new NotificationsRepository(store), env: e };
  };
  afterAll(async () => {
    for (const s of stores.splice(0)) await s.close();
  });

  it('gives each user their own seq, starting at 1', async () => {
    const { repo } = await open();
    const [a1] = await repo.create(['a'], msg('one'));
    const batch = await repo.create(['b', 'a', 'b'], { ...msg('two'), data: { link: '/x', n: [1, 2] } });
    expect(a1).toMatchObject({ userId: 'a', seq: 1, read: false, title: 'one' });
    expect(a1!.data).toBeUndefined();
    expect(batch.map((n) => [n.userId, n.seq]).sort()).toEqual([
      ['a', 2],
      ['b', 1],
    ]);
    expect(batch[0]!.data).toEqual({ link: '/x', n: [1, 2] });
    expect(new Set(batch.map((n) => n.id)).size).toBe(2);
    expect(await repo.lastSeq('a')).toBe(2);
    expect(await repo.lastSeq('nobody')).toBe(0);
  });

  it('hands out distinct consecutive seqs under concurrency, also from a second connection to the same store', async () => {
    const first = await open();
    // A second store on the same database stands in for a second server process.
    const second = target.name === 'postgres' ? await open(first.env) : first;
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        (i % 2 ? first.repo : second.repo).create(['racer', `other-${i % 3}`], msg(`n${i}`)),
      ),
    );
    const seqs = results
      .flat()
      .filter((n) => n.userId === 'racer')
      .map((n) => n.seq)
      .sort((x, y) => x - y);
    expect(seqs).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
  });

  it('pages the feed newest first without duplicates or gaps, and filters unread', async () => {
    const { repo } = await open();
    for (let i = 0; i < 45; i++) await repo.create(['pager'], msg(`#${i + 1}`));
    const seen: number[] = [];
    let beforeSeq: number | undefined;
    for (;;) {
      const page = await repo.page('pager', { limit: 20, beforeSeq });
      seen.push(...page.items.map((n) => n.seq));
      if (!page.hasMore) break;
      beforeSeq = page.items.at(-1)!.seq;
    }
    expect(seen).toEqual(Array.from({ length: 45 }, (_, i) => 45 - i));
    const [newest] = (await repo.page('pager', { limit: 1 })).items;
    await repo.markRead('pager', newest!.id);
    const unread = await repo.page('pager', { limit: 100, unread: true });
    expect(unread.items).toHaveLength(44);
    expect(unread.items.every((n) => !n.read)).toBe(true);
  });

  it('marks read idempotently, counts exactly, and never touches another user', async () => {
    const { repo } = await open();
    const [n1, n2] = [(await repo.create(['reader'], msg('1')))[0]!, (await repo.create(['reader'], msg('2')))[0]!];
    const [theirs] = await repo.create(['stranger'], msg('x'));
    expect(await repo.unreadCount('reader')).toBe(2);
    expect(await repo.markRead('reader', n1.id)).toBe(n1.id);
    expect(await repo.markRead('reader', n1.id.toUpperCase())).toBe(n1.id);
    expect(await repo.unreadCount('reader')).toBe(1);
    expect(await repo.markRead('reader', theirs!.id)).toBeNull();
    expect(await repo.markRead('reader', 'not-a-uuid')).toBeNull();
    expect(await repo.unreadCount('stranger')).toBe(1);
    expect(await repo.markAllRead('reader')).toEqual([n2.id]);
    expect(await repo.markAllRead('reader')).toEqual([]);
    expect(Object.fromEntries(await repo.unreadCounts(['reader', 'stranger', 'ghost']))).toEqual({
      reader: 0,
      stranger: 1,
      ghost: 0,
    });
  });

  it('deletes only the owner notification, and replays what is left after a seq', async () => {
    const { repo } = await open();
    const made = [];
    for (let i = 0; i < 5; i++) made.push((await repo.create(['del'], msg(`${i}`)))[0]!);
    expect(await repo.delete('intruder', made[1]!.id)).toBeNull();
    expect(await repo.delete('del', made[1]!.id)).toBe(made[1]!.id);
    expect(await repo.delete('del', made[1]!.id)).toBeNull();
    expect((await repo.since('del', 0, 10)).map((n) => n.seq)).toEqual([1, 3, 4, 5]);
    expect((await repo.since('del', 3, 1)).map((n) => n.seq)).toEqual([4]);
  });

  it('applies migrations once: reopening the same store keeps its data', async () => {
    if (target.name !== 'postgres') return;
    const first = await open();
    await first.repo.create(['keeper'], msg('kept'));
    const again = await open(first.env);
    expect(await again.repo.lastSeq('keeper')).toBe(1);
  });
});
