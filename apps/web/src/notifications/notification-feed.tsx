import type { Notifications } from '@realtime/react';
import { useEffect } from 'react';
import { describeFailure, type Failure } from '../gateway/failures.js';
import { useToasts } from '../toasts/toast-context.js';
import { FEED_ID } from './notification-bell.js';
import { NotificationItem } from './notification-item.js';
import { useNow } from './use-now.js';

/** The feed panel: newest first, an unread filter, mark read / delete, and "load more". */
export function NotificationFeed({ feed }: { feed: Notifications }) {
  const now = useNow(30_000);
  const { notify } = useToasts();
  const { items, unreadCount, unreadOnly, status, error } = feed;

  // Each failed page is a new error object: one toast per failure, "load more" included.
  useEffect(() => {
    if (error) notify({ tone: 'error', title: 'Could not load notifications', message: describeFailure(error) });
  }, [error, notify]);

  const act = async (label: string, run: () => Promise<{ ok: boolean; error?: Failure }>) => {
    const res = await run();
    if (!res.ok && res.error)
      notify({ tone: 'error', title: `Could not ${label}`, message: describeFailure(res.error) });
  };

  return (
    <section className="card feed" id={FEED_ID} tabIndex={-1} aria-labelledby="feed-title">
      <div className="card__header">
        <div>
          <h2 className="card__title" id="feed-title">
            Notifications
          </h2>
          <p className="card__subtitle" data-testid="feed-unread">
            {unreadCount === null ? 'Counting…' : unreadCount === 0 ? 'All caught up' : `${unreadCount} unread`}
          </p>
        </div>
        <div className="feed__tools">
          <label className="switch">
            <input type="checkbox" checked={unreadOnly} onChange={(e) => void feed.setUnreadOnly(e.target.checked)} />
            <span className="switch__track" aria-hidden="true" />
            <span>Unread only</span>
          </label>
          <button
            type="button"
            className="button button--ghost button--small"
            onClick={() => void act('mark all read', feed.markAllRead)}
            disabled={!unreadCount}
          >
            Mark all read
          </button>
        </div>
      </div>

      {(status === 'idle' || status === 'loading') && items.length === 0 && (
        <p className="feed__empty">Loading notifications…</p>
      )}
      {status === 'error' && items.length === 0 && (
        <div className="feed__empty">
          <p>The feed could not be loaded.</p>
          <button type="button" className="button button--small" onClick={() => void feed.reload()}>
            Try again
          </button>
        </div>
      )}
      {status === 'ready' && items.length === 0 && (
        <div className="feed__empty">
          <p className="feed__empty-title">{unreadOnly ? 'Nothing unread' : 'No notifications yet'}</p>
          <p>Press “Send me a notification” above and watch it arrive here, in every tab you have open.</p>
        </div>
      )}

      {items.length > 0 && (
        <ul className="feed__list" data-testid="feed-list">
          {items.map((n) => (
            <NotificationItem
              key={n.id}
              notification={n}
              now={now}
              onMarkRead={(id) => void act('mark it read', () => feed.markRead(id))}
              onDelete={(id) => void act('delete it', () => feed.delete(id))}
            />
          ))}
        </ul>
      )}

      {feed.hasMore && (
        <div className="feed__more">
          <button
            type="button"
            className="button button--ghost"
            onClick={() => void feed.loadMore()}
            disabled={feed.loadingMore}
          >
            {feed.loadingMore ? 'Loading…' : 'Load more'}
          </button>
        </div>
      )}
    </section>
  );
}
