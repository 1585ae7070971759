import { afterAll, describe, expect, it } from 'vitest';
import { dropTestDatabases, storeTargets } from '../../test/services.js';
import { openStore, type Store } from '../store/database.js';
import { UserStateRepository } from '../user-state/user-state.repository.js';
import { NotificationsRepository } from './notifications.repository.js';

afterAll(() => dropTestDatabases());

const msg = (title: string) => ({ type: 'info', title, message: `${title} body` });

describe.each(storeTargets)('NotificationsRepository on the $name store', (target) => {
  const stores: Store[] = [];
  const open = async (env?: Record<string, string>) => {
    const e = env ?? (await target.env());
    const store = await openStore({ databaseUrl: e.DATABASE_URL, dataDir: e.DATA_DIR });
    stores.push(store);
    const userStates = new UserStateRepository(store);
    return { repo: new NotificationsRepository(store, userStates), userStates, env: e, store };
  };
  const make = async (repo: NotificationsRepository, userIds: string[], title: string) =>
    (await repo.create(userIds, msg(title))).notifications;
  /** The unread count straight from the rows, to hold the state row to. */
  const counted = async (store: Store, userId: string) =>
    Number(
      (
        await store.db
          .selectFrom('notifications')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('user_id', '=', userId)
          .where('read_at', 'is', null)
          .executeTakeFirstOrThrow()
      ).n,
    );
  afterAll(async () => {
    for (const s of stores.splice(0)) await s.close();
  });

  it('gives each user their own seq, starting at 1', async () => {
    const { repo, userStates } = await open();
    const [a1] = await make(repo, ['a'], 'one');
    const { notifications: batch, states } = await repo.create(['b', 'a', 'b'], {
      ...msg('two'),
      data: { link: '/x', n: [1, 2] },
    });
    expect(a1).toMatchObject({ userId: 'a', seq: 1, read: false, title: 'one' });
    expect(a1!.data).toBeUndefined();
    expect(batch.map((n) => [n.userId, n.seq]).sort()).toEqual([
      ['a', 2],
      ['b', 1],
    ]);
    expect(batch[0]!.data).toEqual({ link: '/x', n: [1, 2] });
    expect(new Set(batch.map((n) => n.id)).size).toBe(2);
    expect(Object.fromEntries(states)).toEqual({
      a: { lastSeq: 2, unreadCount: 2, version: 2, groups: [] },
      b: { lastSeq: 1, unreadCount: 1, version: 1, groups: [] },
    });
    expect(await userStates.state('a')).toEqual({ lastSeq: 2, unreadCount: 2, version: 2, groups: [] });
    expect(await userStates.state('nobody')).toEqual({ lastSeq: 0, unreadCount: 0, version: 0, groups: [] });
    // Read together (one query for a burst of handshakes), each still gets its own.
    expect(await Promise.all(['b', 'nobody', 'a', 'b'].map((u) => userStates.state(u)))).toEqual([
      { lastSeq: 1, unreadCount: 1, version: 1, groups: [] },
      { lastSeq: 0, unreadCount: 0, version: 0, groups: [] },
      { lastSeq: 2, unreadCount: 2, version: 2, groups: [] },
      { lastSeq: 1, unreadCount: 1, version: 1, groups: [] },
    ]);
  });

  it('hands out distinct consecutive seqs under concurrency, also from a second connection to the same store', async () => {
    const first = await open();
    // A second store on the same database stands in for a second server process.
    const second = target.name === 'postgres' ? await open(first.env) : first;
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        make(i % 2 ? first.repo : second.repo, ['racer', `other-${i % 3}`], `n${i}`),
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
    for (let i = 0; i < 45; i++) await make(repo, ['pager'], `#${i + 1}`);
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

  it('marks read idempotently, counts exactly with a version per change, and never touches another user', async () => {
    const { repo, userStates } = await open();
    const [n1, n2] = [(await make(repo, ['reader'], '1'))[0]!, (await make(repo, ['reader'], '2'))[0]!];
    const [theirs] = await make(repo, ['stranger'], 'x');
    expect(await userStates.state('reader')).toEqual({ lastSeq: 2, unreadCount: 2, version: 2, groups: [] });
    expect(await repo.markRead('reader', n1.id)).toEqual({
      value: n1.id,
      state: { lastSeq: 2, unreadCount: 1, version: 3, groups: [] },
    });
    // Reading twice changes nothing, so the version stays.
    expect(await repo.markRead('reader', n1.id.toUpperCase())).toEqual({
      value: n1.id,
      state: { lastSeq: 2, unreadCount: 1, version: 3, groups: [] },
    });
    expect(await repo.markRead('reader', theirs!.id)).toBeNull();
    expect(await repo.markRead('reader', 'not-a-uuid')).toBeNull();
    expect(await userStates.state('stranger')).toMatchObject({ unreadCount: 1 });
    expect(await repo.markAllRead('reader')).toEqual({
      value: [n2.id],
      state: { lastSeq: 2, unreadCount: 0, version: 4, groups: [] },
    });
    expect(await repo.markAllRead('reader')).toEqual({
      value: [],
      state: { lastSeq: 2, unreadCount: 0, version: 4, groups: [] },
    });
  });

  it('keeps the state row equal to the rows under concurrent creates, reads and deletes', async () => {
    const first = await open();
    const second = target.name === 'postgres' ? await open(first.env) : first;
    const repos = [first.repo, second.repo];
    const made = (
      await Promise.all(Array.from({ length: 40 }, (_, i) => make(repos[i % 2]!, ['busy'], `${i}`)))
    ).flat();
    const versions: number[] = [];
    await Promise.all([
      ...made
        .slice(0, 25)
        .map(async (n, i) => versions.push((await repos[i % 2]!.markRead('busy', n.id))!.state.version)),
      ...made.slice(20, 30).map(async (n, i) => {
        const deleted = await repos[i % 2]!.delete('busy', n.id);
        if (deleted) versions.push(deleted.state.version);
      }),
      ...Array.from({ length: 10 }, async (_, i) => {
        for (const n of await make(repos[i % 2]!, ['busy'], `late ${i}`)) versions.push(n.seq);
      }),
      repos[1]!.markAllRead('busy').then(({ state }) => versions.push(state.version)),
    ]);
    const state = await second.userStates.state('busy');
    expect(state.unreadCount).toBe(await counted(second.store, 'busy'));
    expect(state.lastSeq).toBe(50);
    // 50 creates, then one version per change that changed something: never more than the changes made.
    expect(state.version).toBeGreaterThanOrEqual(51);
    expect(state.version).toBeLessThanOrEqual(50 + 25 + 10 + 1);
  });

  it('deletes only the owner notification, and replays what is left after a seq', async () => {
    const { repo } = await open();
    const made = [];
    for (let i = 0; i < 5; i++) made.push((await make(repo, ['del'], `${i}`))[0]!);
    expect(await repo.delete('intruder', made[1]!.id)).toBeNull();
    expect(await repo.delete('del', made[1]!.id)).toEqual({
      value: made[1]!.id,
      state: { lastSeq: 5, unreadCount: 4, version: 6, groups: [] },
    });
    expect(await repo.delete('del', made[1]!.id)).toBeNull();
    expect((await repo.since('del', 0, 10)).map((n) => n.seq)).toEqual([1, 3, 4, 5]);
    expect((await repo.since('del', 3, 1)).map((n) => n.seq)).toEqual([4]);
    // Deleting a read notification leaves the unread count as it was.
    await repo.markRead('del', made[2]!.id);
    expect((await repo.delete('del', made[2]!.id))!.state).toEqual({
      lastSeq: 5,
      unreadCount: 3,
      version: 8,
      groups: [],
    });
  });

  it.runIf(target.name === 'postgres')('applies migrations once: reopening the same store keeps its data', async () => {
    const first = await open();
    await make(first.repo, ['keeper'], 'kept');
    const again = await open(first.env);
    expect(await again.userStates.state('keeper')).toEqual({ lastSeq: 1, unreadCount: 1, version: 1, groups: [] });
  });
});
