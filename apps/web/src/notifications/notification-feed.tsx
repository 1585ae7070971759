import { useEffect, useState } from 'react';
import { FEED_ID } from './notification-bell.js';
import { NotificationItem } from './notification-item.js';
import type { useNotifications } from './use-notifications.js';

type Feed = ReturnType<typeof useNotifications>;

function useNow(intervalMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

/** The feed panel: newest first, an unread filter, mark read / delete, and "load more". */
export function NotificationFeed({ feed }: { feed: Feed }) {
  const now = useNow(30_000);
  const { items, unreadCount, unreadOnly, status } = feed;

  return (
    <section className="card feed" id={FEED_ID} tabIndex={-1} aria-labelledby="feed-title">
      <div className="card__header">
        <div>
          <h2 className="card__title" id="feed-title">
            Notifications
          </h2>
          <p className="card__subtitle" data-testid="feed-unread">
            {unreadCount === 0 ? 'All caught up' : `${unreadCount} unread`}
          </p>
        </div>
        <div className="feed__tools">
          <label className="switch">
            <input type="checkbox" checked={unreadOnly} onChange={(e) => feed.setUnreadOnly(e.target.checked)} />
            <span className="switch__track" aria-hidden="true" />
            <span>Unread only</span>
          </label>
          <button
            type="button"
            className="button button--ghost button--small"
            onClick={() => void feed.markAllRead()}
            disabled={unreadCount === 0}
          >
            Mark all read
          </button>
        </div>
      </div>

      {status === 'loading' && items.length === 0 && <p className="feed__empty">Loading notifications…</p>}
      {status === 'error' && items.length === 0 && (
        <div className="feed__empty">
          <p>The feed could not be loaded.</p>
          <button type="button" className="button button--small" onClick={feed.retry}>
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
              onMarkRead={(id) => void feed.markRead(id)}
              onDelete={(id) => void feed.remove(id)}
            />
          ))}
        </ul>
      )}

      {feed.nextCursor && (
        <div className="feed__more">
          <button type="button" className="button button--ghost" onClick={feed.loadMore} disabled={feed.loadingMore}>
            {feed.loadingMore ? 'Loading…' : 'Load more'}
          </button>
        </div>
      )}
    </section>
  );
}
