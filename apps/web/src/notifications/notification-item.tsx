import type { Notification } from '@realtime/contracts';
import { useRef } from 'react';
import { FEED_ID } from './notification-bell.js';
import { relativeTime } from './relative-time.js';

interface Props {
  notification: Notification;
  now: number;
  onMarkRead: (id: string) => void;
  onDelete: (id: string) => void;
}

export function NotificationItem({ notification: n, now, onMarkRead, onDelete }: Props) {
  const deleteButton = useRef<HTMLButtonElement>(null);
  // Both buttons remove themselves; keep keyboard focus nearby instead of dropping it on <body>.
  const markRead = () => {
    deleteButton.current?.focus();
    onMarkRead(n.id);
  };
  const remove = () => {
    if (document.activeElement === deleteButton.current) document.getElementById(FEED_ID)?.focus();
    onDelete(n.id);
  };
  return (
    <li className={`notification${n.read ? '' : ' notification--unread'}`} data-testid="notification" data-seq={n.seq}>
      <span className="notification__dot" aria-hidden="true" />
      <div className="notification__body">
        <p className="notification__title">
          {!n.read && <span className="visually-hidden">Unread: </span>}
          {n.title}
        </p>
        {n.message && <p className="notification__message">{n.message}</p>}
        <div className="notification__footer">
          <p className="notification__meta">
            <time dateTime={n.createdAt} title={new Date(n.createdAt).toLocaleString()}>
              {relativeTime(n.createdAt, now)}
            </time>
            <span aria-hidden="true"> · </span>
            <span className="notification__type">{n.type}</span>
            <span aria-hidden="true"> · </span>
            <span title="Sequence number: a gap tells the client exactly what it missed">#{n.seq}</span>
          </p>
          <div className="notification__actions">
            {!n.read && (
              <button type="button" className="button button--ghost button--small" onClick={markRead}>
                Mark read<span className="visually-hidden">: {n.title}</span>
              </button>
            )}
            <button
              ref={deleteButton}
              type="button"
              className="button button--ghost button--small button--danger"
              onClick={remove}
            >
              Delete<span className="visually-hidden">: {n.title}</span>
            </button>
          </div>
        </div>
      </div>
    </li>
  );
}
