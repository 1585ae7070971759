import type { Notification } from '@realtime/contracts';
import { feedReducer, type FeedAction, type FeedState, initialFeedState } from './feed-state.js';
import type { HttpClient, HttpErrorBody } from './http-types.js';
import type { RealtimeClient } from './client-types.js';
import type { UnreadCount } from './unread-count.js';

/** What a view renders; a new object after every change, so `useSyncExternalStore` can compare by identity. */
export interface FeedSnapshot {
  /** Newest first, each id once. */
  items: readonly Notification[];
  status: 'idle' | 'loading' | 'ready' | 'error';
  hasMore: boolean;
  loadingMore: boolean;
  error: HttpErrorBody | null;
  unreadOnly: boolean;
  unreadCount: number | null;
}

export interface FeedStore {
  getSnapshot(): FeedSnapshot;
  /** Calls `listener` after every change; returns the unsubscribe. */
  subscribe(listener: () => void): () => void;
  /** Loads the first page again, keeping the filter. */
  load(): Promise<void>;
  loadMore(): Promise<void>;
  setUnreadOnly(unreadOnly: boolean): Promise<void>;
  /** Stops listening to the client. */
  destroy(): void;
}

/** The parts of the realtime client the store uses. */
export type FeedSource = Pick<RealtimeClient, 'on' | 'unreadCount'> & { http: Pick<HttpClient, 'listNotifications'> };

export interface FeedStoreOptions {
  /** Page size, 1 to 100 (default 20). */
  pageSize?: number;
  unreadOnly?: boolean;
}

/** A feed kept live by the realtime client: pages over HTTP, then inserts, reads and deletes as they happen. */
export function createFeedStore(source: FeedSource, options: FeedStoreOptions = {}): FeedStore {
  const pageSize = options.pageSize ?? 20;
  const listeners = new Set<() => void>();
  let state: FeedState = initialFeedState(options.unreadOnly ?? false);
  let unreadCount = source.unreadCount?.unreadCount ?? null;
  let snapshot = toSnapshot();
  // Grows with every reset: a page answered for an older one is dropped.
  let generation = 0;
  let controller: AbortController | null = null;
  let userId: string | null = null;

  function toSnapshot(): FeedSnapshot {
    return {
      items: state.items,
      status: state.status,
      hasMore: state.nextCursor !== null,
      loadingMore: state.loadingMore,
      error: state.error,
      unreadOnly: state.unreadOnly,
      unreadCount,
    };
  }

  function publish(): void {
    snapshot = toSnapshot();
    for (const listener of [...listeners]) listener();
  }

  function dispatch(action: FeedAction): void {
    const next = feedReducer(state, action);
    if (next === state) return;
    state = next;
    publish();
  }

  async function fetchPage(cursor: string | null): Promise<void> {
    const current = generation;
    const query = {
      limit: pageSize,
      ...(cursor ? { cursor } : {}),
      ...(state.unreadOnly ? { unread: 'true' as const } : {}),
    };
    const res = await source.http.listNotifications({ query, ...(controller ? { signal: controller.signal } : {}) });
    if (current !== generation) return;
    if (res.ok) dispatch({ type: 'pageLoaded', page: res.body });
    else if (res.error) dispatch({ type: 'pageFailed', error: res.error });
  }

  function load(unreadOnly = state.unreadOnly): Promise<void> {
    generation += 1;
    controller?.abort();
    controller = typeof AbortController === 'undefined' ? null : new AbortController();
    dispatch({ type: 'reset', unreadOnly });
    return fetchPage(null);
  }

  const unsubscribe = [
    source.on('notification', ({ notification }) => dispatch({ type: 'received', notification })),
    source.on('notification:read', ({ notificationId }) => dispatch({ type: 'read', notificationId })),
    source.on('notification:deleted', ({ notificationId }) => dispatch({ type: 'deleted', notificationId })),
    // Too much was missed to trust the list: start again from the newest page.
    source.on('resync', () => void (state.status === 'idle' ? undefined : load())),
    source.on('authenticated', (auth) => {
      const previous = userId;
      userId = auth.userId;
      if (previous !== null && previous !== auth.userId && state.status !== 'idle') void load();
    }),
    source.on('unreadCount', (count: UnreadCount) => {
      unreadCount = count.unreadCount;
      publish();
    }),
  ];

  return {
    getSnapshot: () => snapshot,
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    load: () => load(),
    async loadMore() {
      if (state.status !== 'ready' || state.loadingMore || state.nextCursor === null) return;
      dispatch({ type: 'loadingMore' });
      await fetchPage(state.nextCursor);
    },
    setUnreadOnly: (unreadOnly) => load(unreadOnly),
    destroy() {
      generation += 1;
      controller?.abort();
      for (const off of unsubscribe) off();
      listeners.clear();
    },
  };
}
