import type { Notification, NotificationPage } from '@realtime/contracts';
import type { HttpErrorBody } from './http-types.js';

/** A feed as a list: newest first (highest `seq` first), each id once. */
export interface FeedState {
  items: readonly Notification[];
  nextCursor: string | null;
  status: 'idle' | 'loading' | 'ready' | 'error';
  loadingMore: boolean;
  /** The last failed page. */
  error: HttpErrorBody | null;
  unreadOnly: boolean;
  /** Ids deleted or read while a page was in flight, so that page cannot bring back what it predates. */
  deletedIds: ReadonlySet<string>;
  readIds: ReadonlySet<string>;
}

export type FeedAction =
  | { type: 'reset'; unreadOnly: boolean }
  | { type: 'loadingMore' }
  | { type: 'pageLoaded'; page: NotificationPage }
  | { type: 'pageFailed'; error: HttpErrorBody }
  | { type: 'received'; notification: Notification }
  | { type: 'read'; notificationId: string }
  | { type: 'deleted'; notificationId: string };

// Enough to cover the pages in flight; older ids are forgotten.
const REMEMBERED_IDS = 1000;

export const initialFeedState = (unreadOnly = false): FeedState => ({
  items: [],
  nextCursor: null,
  status: 'idle',
  loadingMore: false,
  error: null,
  unreadOnly,
  deletedIds: new Set(),
  readIds: new Set(),
});

function remember(ids: ReadonlySet<string>, id: string): ReadonlySet<string> {
  const next = new Set(ids).add(id);
  if (next.size > REMEMBERED_IDS) next.delete(next.values().next().value!);
  return next;
}

/** Unites two lists by id, newest first; `read` only ever goes from false to true. */
function merge(state: FeedState, incoming: readonly Notification[]): Notification[] {
  const byId = new Map(state.items.map((n) => [n.id, n]));
  for (const n of incoming) {
    if (state.deletedIds.has(n.id)) continue;
    const read = n.read || byId.get(n.id)?.read === true || state.readIds.has(n.id);
    byId.set(n.id, read === n.read ? n : { ...n, read });
  }
  return [...byId.values()].sort((a, b) => b.seq - a.seq);
}

export function feedReducer(state: FeedState, action: FeedAction): FeedState {
  switch (action.type) {
    case 'reset':
      return { ...initialFeedState(action.unreadOnly), status: 'loading' };
    case 'loadingMore':
      return { ...state, loadingMore: true };
    case 'pageLoaded':
      // Merged rather than swapped in: live notifications may have arrived while it loaded.
      return {
        ...state,
        items: merge(state, action.page.items),
        nextCursor: action.page.nextCursor,
        status: 'ready',
        loadingMore: false,
        error: null,
      };
    case 'pageFailed':
      return {
        ...state,
        status: state.status === 'loading' ? 'error' : state.status,
        loadingMore: false,
        error: action.error,
      };
    case 'received': {
      const { notification } = action;
      if (state.deletedIds.has(notification.id) || (state.unreadOnly && notification.read)) return state;
      return { ...state, items: merge(state, [notification]) };
    }
    case 'read':
      return {
        ...state,
        items: state.items.map((n) => (n.id === action.notificationId && !n.read ? { ...n, read: true } : n)),
        readIds: remember(state.readIds, action.notificationId),
      };
    case 'deleted':
      return {
        ...state,
        items: state.items.filter((n) => n.id !== action.notificationId),
        deletedIds: remember(state.deletedIds, action.notificationId),
      };
  }
}
