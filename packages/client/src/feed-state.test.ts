import type { Notification } from '@realtime/contracts';
import { describe, expect, it } from 'vitest';
import { feedReducer, type FeedState, initialFeedState } from './feed-state.js';

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
const page = (items: Notification[], nextCursor: string | null = null) => ({
  type: 'pageLoaded' as const,
  page: { items, nextCursor, unreadCount: 0, version: 0 },
});
const seqs = (s: FeedState) => s.items.map((n) => n.seq);

describe('feedReducer', () => {
  it('merges pages and live inserts by id, newest first', () => {
    let s = feedReducer(initialFeedState(), { type: 'reset', unreadOnly: false });
    s = feedReducer(s, { type: 'received', notification: note(5) });
    s = feedReducer(s, page([note(5), note(4), note(3)], 'c'));
    s = feedReducer(s, page([note(3), note(2)]));
    expect(seqs(s)).toEqual([5, 4, 3, 2]);
    expect(s.status).toBe('ready');
    expect(s.nextCursor).toBeNull();
  });

  it('keeps a notification read or deleted even when an older page brings it back', () => {
    let s = feedReducer(initialFeedState(), { type: 'reset', unreadOnly: false });
    s = feedReducer(s, { type: 'read', notificationId: 'id-2' });
    s = feedReducer(s, { type: 'deleted', notificationId: 'id-3' });
    s = feedReducer(s, page([note(3), note(2), note(1)]));
    expect(seqs(s)).toEqual([2, 1]);
    expect(s.items[0]!.read).toBe(true);
  });

  it('never turns a read notification unread', () => {
    let s = feedReducer(initialFeedState(), page([note(1, true)]));
    s = feedReducer(s, { type: 'received', notification: note(1, false) });
    expect(s.items[0]!.read).toBe(true);
  });

  it('hides read notifications arriving in an unread-only feed', () => {
    let s = feedReducer(initialFeedState(), { type: 'reset', unreadOnly: true });
    s = feedReducer(s, { type: 'received', notification: note(1, true) });
    expect(s.items).toEqual([]);
  });

  it('reports a failed first page as an error, a failed later page as still ready', () => {
    const error = { statusCode: 503, code: 'UNAVAILABLE', message: 'down' };
    const first = feedReducer(feedReducer(initialFeedState(), { type: 'reset', unreadOnly: false }), {
      type: 'pageFailed',
      error,
    });
    expect(first.status).toBe('error');
    const later = feedReducer(feedReducer(initialFeedState(), page([note(1)], 'c')), { type: 'pageFailed', error });
    expect(later.status).toBe('ready');
    expect(later.error).toEqual(error);
  });
});
