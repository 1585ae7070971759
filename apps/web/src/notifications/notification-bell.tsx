import { useUnreadCount } from '@realtime/react';

export const FEED_ID = 'notification-feed';

const badgeText = (count: number) => (count > 99 ? '99+' : String(count));

/** The bell: its label carries the unread count; pressing it brings the feed into view. */
export function NotificationBell() {
  const unreadCount = useUnreadCount() ?? 0;
  const label = unreadCount === 0 ? 'Notifications, none unread' : `Notifications, ${unreadCount} unread`;
  const showFeed = () => {
    const feed = document.getElementById(FEED_ID);
    feed?.scrollIntoView({ behavior: 'smooth', block: 'start' });
    feed?.focus({ preventScroll: true });
  };
  return (
    <button type="button" className="bell" aria-label={label} aria-controls={FEED_ID} onClick={showFeed}>
      <svg className="bell__icon" viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
        <path
          d="M12 3a6 6 0 0 0-6 6v3.6l-1.6 2.7A1 1 0 0 0 5.3 17h13.4a1 1 0 0 0 .9-1.7L18 12.6V9a6 6 0 0 0-6-6Zm-2.5 15.5a2.5 2.5 0 0 0 5 0"
          fill="none"
          stroke="currentColor"
          strokeWidth="1.8"
          strokeLinecap="round"
          strokeLinejoin="round"
        />
      </svg>
      {unreadCount > 0 && (
        <span key={unreadCount} className="bell__badge" data-testid="unread-badge" aria-hidden="true">
          {badgeText(unreadCount)}
        </span>
      )}
    </button>
  );
}
