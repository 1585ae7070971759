import type { Notification, NotificationPage } from '@realtime/contracts';
import { describe, expect, it } from 'vitest';
import type { RealtimeEvents } from './client-types.js';
import { Emitter } from './emitter.js';
import { createFeedStore, type FeedSource } from './feed-store.js';

const note = (seq: number, read = false): Notification => ({
  id: `id-${seq}`,
  userId: 'ada',
  seq,
  type: 'info',
  title: `#${seq}`,
  message: '',
  read,
  createdAt: new Date(0).toISOString(),
});

type Answer = Awaited<ReturnType<FeedSource['http']['listNotifications']>>;

/** A source whose pages are answered by the test, in any order. */
function source() {
  const events = new Emitter<RealtimeEvents>();
  const pending: { query: unknown; answer: (page: NotificationPage) => void }[] = [];
  const src: FeedSource = {
    on: (event, listener) => events.on(event, listener),
    unreadCount: null,
    http: {
      listNotifications: (request) =>
        new Promise<Answer>((resolve) =>
          pending.push({ query: request?.query, answer: (body) => resolve({ ok: true, status: 200, body }) }),
        ),
    },
  };
  return { src, events, pending };
}

const page = (items: Notification[], nextCursor: string | null = null): NotificationPage => ({
  items,
  nextCursor,
  unreadCount: 0,
  version: 0,
});

describe('createFeedStore', () => {
  it('drops a page answered for a filter it no longer shows', async () => {
    const { src, pending } = source();
    const feed = createFeedStore(src);
    const all = feed.load();
    const unread = feed.setUnreadOnly(true);
    expect(pending.map((p) => p.query)).toEqual([{ limit: 20 }, { limit: 20, unread: 'true' }]);
    pending[1]!.answer(page([note(2)]));
    pending[0]!.answer(page([note(2), note(1, true)]));
    await Promise.all([all, unread]);
    expect(feed.getSnapshot().items.map((n) => n.seq)).toEqual([2]);
    expect(feed.getSnapshot().unreadOnly).toBe(true);
  });

  it('publishes a new snapshot per change, and starts over on resync', async () => {
    const { src, events, pending } = source();
    const feed = createFeedStore(src, { pageSize: 2 });
    const first = feed.load();
    pending[0]!.answer(page([note(2), note(1)], 'c'));
    await first;
    const before = feed.getSnapshot();
    let calls = 0;
    feed.subscribe(() => calls++);
    events.emit('notification', { notification: note(3), replayed: false });
    expect(feed.getSnapshot()).not.toBe(before);
    expect(feed.getSnapshot().items.map((n) => n.seq)).toEqual([3, 2, 1]);
    events.emit('resync', { fromSeq: 4, toSeq: 300 });
    expect(feed.getSnapshot().status).toBe('loading');
    pending[1]!.answer(page([note(300), note(299)], 'd'));
    await Promise.resolve();
    await Promise.resolve();
    expect(feed.getSnapshot().items.map((n) => n.seq)).toEqual([300, 299]);
    expect(calls).toBeGreaterThanOrEqual(3);
    feed.destroy();
    events.emit('notification', { notification: note(301), replayed: false });
    expect(feed.getSnapshot().items[0]!.seq).toBe(300);
  });
});
