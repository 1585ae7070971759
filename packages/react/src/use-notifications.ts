import {
  type ActionResult,
  createFeedStore,
  type FeedSnapshot,
  type FeedStore,
  type FeedStoreOptions,
  type RealtimeClient,
} from '@realtime/client';
import { useMemo, useSyncExternalStore } from 'react';
import { useRealtimeClient } from './realtime-provider.js';

/** The feed as rendered, with what can be done to it. */
export interface Notifications extends FeedSnapshot {
  loadMore(): Promise<void>;
  /** Reloads the feed with or without the read ones. */
  setUnreadOnly(unreadOnly: boolean): Promise<void>;
  /** Loads the first page again (e.g. after an error). */
  reload(): Promise<void>;
  markRead(notificationId: string): Promise<ActionResult<'notification:mark_read'>>;
  markAllRead(): Promise<ActionResult<'notification:mark_all_read'>>;
  delete(notificationId: string): Promise<ActionResult<'notification:delete'>>;
}

/**
 * The SDK's feed store for one component: created and loaded when the component subscribes, destroyed a tick
 * after its last subscriber leaves, so StrictMode's unmount-and-mount keeps the same store and one load.
 */
class FeedHolder {
  private store: FeedStore | null = null;
  private subscribers = 0;
  private release: ReturnType<typeof setTimeout> | null = null;
  private readonly idle: FeedSnapshot;

  constructor(
    private readonly client: RealtimeClient,
    private readonly options: FeedStoreOptions,
  ) {
    this.idle = {
      items: [],
      status: 'idle',
      hasMore: false,
      loadingMore: false,
      error: null,
      unreadOnly: options.unreadOnly ?? false,
      unreadCount: client.unreadCount?.unreadCount ?? null,
    };
  }

  subscribe = (changed: () => void): (() => void) => {
    if (this.release !== null) clearTimeout(this.release);
    this.release = null;
    if (!this.store) {
      this.store = createFeedStore(this.client, this.options);
      void this.store.load();
    }
    const unsubscribe = this.store.subscribe(changed);
    this.subscribers += 1;
    return () => {
      unsubscribe();
      this.subscribers -= 1;
      if (this.subscribers > 0) return;
      this.release = setTimeout(() => {
        this.release = null;
        this.store?.destroy();
        this.store = null;
      }, 0);
    };
  };

  getSnapshot = (): FeedSnapshot => this.store?.getSnapshot() ?? this.idle;

  getServerSnapshot = (): FeedSnapshot => this.idle;

  // Before the first subscription there is no store yet, and nothing to load.
  loadMore = (): Promise<void> => this.store?.loadMore() ?? Promise.resolve();
  setUnreadOnly = (unreadOnly: boolean): Promise<void> => this.store?.setUnreadOnly(unreadOnly) ?? Promise.resolve();
  reload = (): Promise<void> => this.store?.load() ?? Promise.resolve();
}

/**
 * The signed-in user's feed, newest first: the first page over HTTP, then kept live (new, read, deleted,
 * replayed after a reconnect, refetched after a resync) by the SDK's feed store. `options` are read when the
 * component mounts (`pageSize` again when it changes); `unreadOnly` is the filter it starts with.
 */
export function useNotifications(options: FeedStoreOptions = {}): Notifications {
  const client = useRealtimeClient();
  const { pageSize, unreadOnly } = options;
  const holder = useMemo(
    () =>
      new FeedHolder(client, {
        ...(pageSize === undefined ? {} : { pageSize }),
        ...(unreadOnly === undefined ? {} : { unreadOnly }),
      }),
    // The filter is the store's once it exists; only another client or page size needs another store.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [client, pageSize],
  );
  const snapshot = useSyncExternalStore(holder.subscribe, holder.getSnapshot, holder.getServerSnapshot);
  const actions = useMemo(
    () => ({
      loadMore: holder.loadMore,
      setUnreadOnly: holder.setUnreadOnly,
      reload: holder.reload,
      markRead: (notificationId: string) => client.markRead(notificationId),
      markAllRead: () => client.markAllRead(),
      delete: (notificationId: string) => client.delete(notificationId),
    }),
    [holder, client],
  );
  return useMemo(() => ({ ...snapshot, ...actions }), [snapshot, actions]);
}
