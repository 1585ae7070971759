import type { Notification } from '@realtime/contracts';
import type { NotificationPage } from '../api/types.js';

export interface FeedState {
  /** Newest first (highest `seq` first), each id once. */
  items: Notification[];
  nextCursor: string | null;
  unreadCount: number;
  /** The version of `unreadCount`: a count with a lower one is older and ignored. */
  unreadVersion: number;
  unreadOnly: boolean;
  /** The highest `seq` seen, from live events and fetched pages; 0 before anything was seen. */
  lastSeq: number;
  status: 'loading' | 'ready' | 'error';
  loadingMore: boolean;
  /** Ids deleted while a page was in flight, so that page cannot bring them back. */
  deletedIds: ReadonlySet<string>;
}

export type FeedAction =
  | { type: 'reset'; unreadOnly?: boolean }
  | { type: 'loadingMore' }
  | { type: 'pageLoaded'; page: NotificationPage; append: boolean }
  | { type: 'pageFailed' }
  | { type: 'received'; notification: Notification }
  | { type: 'read'; notificationId: string }
  | { type: 'allRead' }
  | { type: 'deleted'; notificationId: string }
  | { type: 'unreadCount'; unreadCount: number; version: number };

export const initialFeedState = (unreadOnly = false, lastSeq = 0): FeedState => ({
  items: [],
  nextCursor: null,
  unreadCount: 0,
  unreadVersion: -1,
  unreadOnly,
  lastSeq,
  status: 'loading',
  loadingMore: false,
  deletedIds: new Set(),
});

/** The count to keep: the given one unless a newer version is already shown (counts can arrive out of order). */
const newerCount = (state: FeedState, unreadCount: number, version: number) =>
  version >= state.unreadVersion
    ? { unreadCount, unreadVersion: version }
    : { unreadCount: state.unreadCount, unreadVersion: state.unreadVersion };

const maxSeq = (items: readonly Notification[], floor: number) => items.reduce((max, n) => Math.max(max, n.seq), floor);

/** Unites two lists by id, newest first; `read` only ever goes from false to true. */
function merge(current: readonly Notification[], incoming: readonly Notification[], deleted: ReadonlySet<string>) {
  const byId = new Map(current.map((n) => [n.id, n]));
  for (const n of incoming) {
    if (deleted.has(n.id)) continue;
    const known = byId.get(n.id);
    byId.set(n.id, known ? { ...n, read: n.read || known.read } : n);
  }
  return [...byId.values()].sort((a, b) => b.seq - a.seq);
}

export function feedReducer(state: FeedState, action: FeedAction): FeedState {
  switch (action.type) {
    case 'reset':
      return {
        ...initialFeedState(action.unreadOnly ?? state.unreadOnly, state.lastSeq),
        unreadCount: state.unreadCount,
        unreadVersion: state.unreadVersion,
      };
    case 'loadingMore':
      return { ...state, loadingMore: true };
    case 'pageLoaded': {
      const { page } = action;
      return {
        ...state,
        // A first page is merged rather than swapped in: live notifications may have arrived while it loaded.
        items: merge(state.items, page.items, state.deletedIds),
        nextCursor: page.nextCursor,
        ...newerCount(state, page.unreadCount, page.version),
        lastSeq: maxSeq(page.items, state.lastSeq),
        status: 'ready',
        loadingMore: false,
      };
    }
    case 'pageFailed':
      return { ...state, status: state.status === 'loading' ? 'error' : state.status, loadingMore: false };
    case 'received': {
      const { notification } = action;
      const lastSeq = Math.max(state.lastSeq, notification.seq);
      // A replay after reconnecting may repeat a notification already shown.
      const hidden = state.deletedIds.has(notification.id) || (state.unreadOnly && notification.read);
      if (hidden) return { ...state, lastSeq };
      return { ...state, items: merge(state.items, [notification], state.deletedIds), lastSeq };
    }
    case 'read':
      return {
        ...state,
        items: state.items.map((n) => (n.id === action.notificationId && !n.read ? { ...n, read: true } : n)),
      };
    case 'allRead':
      return { ...state, items: state.items.map((n) => (n.read ? n : { ...n, read: true })) };
    case 'deleted': {
      const deletedIds = new Set(state.deletedIds).add(action.notificationId);
      return { ...state, items: state.items.filter((n) => n.id !== action.notificationId), deletedIds };
    }
    case 'unreadCount':
      return { ...state, ...newerCount(state, action.unreadCount, action.version) };
  }
}
