import type { Notification } from '@realtime/contracts';
import { describe, expect, it } from 'vitest';
import { type FeedAction, type FeedState, feedReducer, initialFeedState } from './feed-reducer.js';

const note = (seq: number, overrides: Partial<Notification> = {}): Notification => ({
  id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
  userId: 'ada',
  seq,
  type: 'info',
  title: `Notification ${seq}`,
  message: '',
  read: false,
  createdAt: new Date(Date.UTC(2026, 0, 1, 0, seq)).toISOString(),
  ...overrides,
});

const run = (actions: FeedAction[], state: FeedState = initialFeedState()) => actions.reduce(feedReducer, state);
const page = (items: Notification[], nextCursor: string | null = null, unreadCount = 0, version = unreadCount) => ({
  type: 'pageLoaded' as const,
  page: { items, nextCursor, unreadCount, version },
  append: false,
});
const seqs = (state: FeedState) => state.items.map((n) => n.seq);

describe('feedReducer', () => {
  it('shows a first page newest first and takes lastSeq and unreadCount from it', () => {
    const state = run([page([note(3), note(2), note(1)], 'c1', 3)]);
    expect(seqs(state)).toEqual([3, 2, 1]);
    expect(state).toMatchObject({ status: 'ready', nextCursor: 'c1', unreadCount: 3, lastSeq: 3 });
  });

  it('prepends a live notification and moves lastSeq forward', () => {
    const state = run([page([note(2), note(1)]), { type: 'received', notification: note(3) }]);
    expect(seqs(state)).toEqual([3, 2, 1]);
    expect(state.lastSeq).toBe(3);
  });

  it('keeps one copy of a notification replayed after a reconnect', () => {
    const state = run([
      page([note(2), note(1)]),
      { type: 'received', notification: note(3) },
      { type: 'received', notification: note(2) },
      { type: 'received', notification: note(3) },
    ]);
    expect(seqs(state)).toEqual([3, 2, 1]);
  });

  it('keeps live notifications that arrived while the first page loaded', () => {
    const state = run([{ type: 'received', notification: note(5) }, page([note(4), note(3)], 'c')]);
    expect(seqs(state)).toEqual([5, 4, 3]);
    expect(state.lastSeq).toBe(5);
  });

  it('appends older pages without duplicates and never lowers lastSeq', () => {
    const state = run([
      page([note(6), note(5)], 'c1'),
      { type: 'loadingMore' },
      {
        type: 'pageLoaded',
        page: { items: [note(5), note(4), note(3)], nextCursor: null, unreadCount: 6, version: 6 },
        append: true,
      },
    ]);
    expect(seqs(state)).toEqual([6, 5, 4, 3]);
    expect(state).toMatchObject({ lastSeq: 6, nextCursor: null, loadingMore: false });
  });

  it('marks read from another device and never un-reads on a stale page', () => {
    const read = run([page([note(2), note(1)]), { type: 'read', notificationId: note(2).id }]);
    expect(read.items[0]!.read).toBe(true);
    const stale = feedReducer(read, page([note(2, { read: false })]));
    expect(stale.items[0]!.read).toBe(true);
  });

  it('marks everything read', () => {
    const state = run([page([note(2), note(1)]), { type: 'allRead' }]);
    expect(state.items.every((n) => n.read)).toBe(true);
  });

  it('removes a deleted notification and keeps it out of later pages and replays', () => {
    const id = note(2).id;
    const state = run([
      page([note(2), note(1)]),
      { type: 'deleted', notificationId: id },
      page([note(2), note(1)]),
      { type: 'received', notification: note(2) },
    ]);
    expect(seqs(state)).toEqual([1]);
    expect(state.lastSeq).toBe(2);
  });

  it('takes the unread count of the highest version, whatever order the counts arrive in', () => {
    const state = run([page([note(1)], null, 1), { type: 'unreadCount', unreadCount: 7, version: 9 }]);
    expect(state.unreadCount).toBe(7);
    const late = run([{ type: 'unreadCount', unreadCount: 3, version: 8 }, page([note(1)], null, 2, 5)], state);
    expect(late).toMatchObject({ unreadCount: 7, unreadVersion: 9 });
    expect(run([{ type: 'unreadCount', unreadCount: 0, version: 10 }], state).unreadCount).toBe(0);
  });

  it('does not add read replays to an unread-only feed', () => {
    const state = run([
      { type: 'reset', unreadOnly: true },
      page([note(1)]),
      { type: 'received', notification: note(2, { read: true }) },
    ]);
    expect(seqs(state)).toEqual([1]);
    expect(state.lastSeq).toBe(2);
  });

  it('reset (filter change, resync) empties the list but keeps lastSeq and the unread count', () => {
    const state = run([page([note(4)], 'c', 4), { type: 'reset', unreadOnly: true }]);
    expect(state).toMatchObject({
      items: [],
      nextCursor: null,
      unreadOnly: true,
      lastSeq: 4,
      unreadCount: 4,
      status: 'loading',
    });
  });

  it('starts from a stored lastSeq', () => {
    expect(initialFeedState(false, 9).lastSeq).toBe(9);
  });

  it('reports a failed first page, but not a failed "load more", as an error state', () => {
    expect(run([{ type: 'pageFailed' }]).status).toBe('error');
    expect(run([page([note(1)], 'c'), { type: 'loadingMore' }, { type: 'pageFailed' }])).toMatchObject({
      status: 'ready',
      loadingMore: false,
    });
  });
});
