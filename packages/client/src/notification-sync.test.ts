import type { Notification, NotificationPage } from '@realtime/contracts';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NotificationSync, type NotificationDelivery, type ResyncNotice } from './notification-sync.js';
import { memoryStorage, PositionStore } from './storage.js';

const note = (seq: number): Notification => ({
  id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
  userId: 'ada',
  seq,
  type: 'info',
  title: `#${seq}`,
  message: '',
  read: false,
  createdAt: new Date(0).toISOString(),
});
const live = (seq: number) => ({ notification: note(seq), timestamp: new Date(0).toISOString() });

/** A user's feed as the server pages it: newest first, `size` per page, the cursor an offset. */
function feed(seqs: number[], size = 100) {
  const items = [...seqs].sort((a, b) => b - a).map(note);
  const calls: (string | undefined)[] = [];
  let failing = 0;
  const fetchPage = async (cursor: string | undefined): Promise<NotificationPage | null> => {
    calls.push(cursor);
    if (failing > 0) return (failing--, null);
    const start = cursor ? Number(cursor) : 0;
    const page = items.slice(start, start + size);
    const next = start + size < items.length ? String(start + size) : null;
    return { items: page, nextCursor: next, unreadCount: 0, version: 0 };
  };
  return { fetchPage, calls, failNext: (n: number) => (failing = n) };
}

function setup(pages: ReturnType<typeof feed>, options = {}) {
  const delivered: NotificationDelivery[] = [];
  const resyncs: ResyncNotice[] = [];
  const storage = memoryStorage();
  const sync = new NotificationSync(
    {
      positions: new PositionStore(storage),
      fetchPage: pages.fetchPage,
      deliver: (d) => delivered.push(d),
      resync: (n) => resyncs.push(n),
      userChanged: () => undefined,
      changed: () => undefined,
    },
    { gapGraceMs: 100, ...options },
  );
  const seqs = () => delivered.map((d) => d.notification.seq);
  return { sync, delivered, resyncs, storage, seqs };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('NotificationSync', () => {
  it('delivers each id once, and marks replays', async () => {
    const { sync, delivered } = setup(feed([]));
    await sync.begin('ada');
    sync.onNew({ ...live(1), replayed: true });
    sync.onSynced({ lastSeq: 1 });
    sync.onNew(live(1));
    sync.onNew(live(2));
    expect(delivered.map((d) => [d.notification.seq, d.replayed])).toEqual([
      [1, true],
      [2, false],
    ]);
    expect(sync.caughtUp).toBe(true);
  });

  it('fills a hole in live seq from the feed after the grace period, and stores the position', async () => {
    const pages = feed([1, 2, 3, 4, 5]);
    const { sync, seqs, delivered, storage } = setup(pages);
    await sync.begin('ada');
    sync.onSynced({ lastSeq: 2 });
    sync.onNew(live(5));
    expect(sync.caughtUp).toBe(false);
    expect(sync.position).toBe(2);
    await vi.advanceTimersByTimeAsync(100);
    expect(seqs()).toEqual([5, 3, 4]);
    expect(delivered.slice(1).every((d) => d.replayed)).toBe(true);
    expect(sync.position).toBe(5);
    expect(sync.caughtUp).toBe(true);
    await sync.flush();
    expect(storage.get('realtime:last-seq:ada')).toBe('5');
  });

  it('fetches nothing when the missing one arrives within the grace period', async () => {
    const pages = feed([1, 2, 3]);
    const { sync, seqs } = setup(pages);
    await sync.begin('ada');
    sync.onSynced({ lastSeq: 1 });
    sync.onNew(live(3));
    sync.onNew(live(2));
    await vi.advanceTimersByTimeAsync(1000);
    expect(pages.calls).toEqual([]);
    expect(seqs()).toEqual([3, 2]);
    expect(sync.position).toBe(3);
  });

  it('refetches every missed notification after a resync, over several pages, oldest first', async () => {
    const all = Array.from({ length: 260 }, (_, i) => i + 1);
    const pages = feed(all);
    const { sync, seqs, resyncs } = setup(pages);
    await sync.begin('ada');
    sync.onSynced({ lastSeq: 10 });
    sync.onDisconnect();
    expect(await sync.begin('ada')).toBe(10);
    sync.onResync({ fromSeq: 11, toSeq: 260 });
    sync.onSynced({ lastSeq: 260 });
    await vi.advanceTimersByTimeAsync(0);
    expect(seqs()).toEqual(all.slice(10));
    expect(pages.calls).toEqual([undefined, '100', '200']);
    expect(resyncs).toEqual([{ fromSeq: 11, toSeq: 260 }]);
    expect(sync.position).toBe(260);
    expect(sync.caughtUp).toBe(true);
  });

  it('retries a failed fill, and keeps the position below the hole meanwhile', async () => {
    const pages = feed([1, 2, 3]);
    const { sync, seqs } = setup(pages);
    await sync.begin('ada');
    sync.onSynced({ lastSeq: 1 });
    pages.failNext(1);
    sync.onNew(live(3));
    await vi.advanceTimersByTimeAsync(100);
    expect(seqs()).toEqual([3]);
    expect(sync.position).toBe(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(seqs()).toEqual([3, 2]);
    expect(sync.position).toBe(3);
  });

  it('past the catch-up limit, delivers the newest, asks for a refetch and moves on', async () => {
    const all = Array.from({ length: 300 }, (_, i) => i + 1);
    const pages = feed(all);
    const { sync, seqs, resyncs } = setup(pages, { catchUpLimit: 150 });
    await sync.begin('ada');
    sync.onSynced({ lastSeq: 0 });
    sync.onNew(live(300));
    await vi.advanceTimersByTimeAsync(100);
    // 300 live, then two pages (299..201, 200..101) reach the limit.
    expect(seqs()).toEqual([300, ...Array.from({ length: 199 }, (_, i) => i + 101).filter((n) => n < 300)]);
    expect(resyncs).toEqual([{ fromSeq: 1, toSeq: 300 }]);
    expect(sync.position).toBe(300);
  });

  it('resumes from the stored position of the token user, and forgets the previous user', async () => {
    const { sync, storage, delivered } = setup(feed([]));
    storage.set('realtime:last-seq:grace', '40');
    expect(await sync.begin('ada')).toBeNull();
    sync.onNew(live(1));
    sync.onSynced({ lastSeq: 1 });
    sync.onDisconnect();
    expect(await sync.begin('grace')).toBe(40);
    sync.onNew({ ...live(1), replayed: true });
    expect(delivered).toHaveLength(2);
  });
});
