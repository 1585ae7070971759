import type { Notification } from '@realtime/contracts';
import { request, send } from './http.js';
import type { CreateNotificationBody, NotificationPage } from './types.js';

export interface FeedQuery {
  cursor?: string | null;
  unreadOnly?: boolean;
  limit?: number;
}

/** One page of the signed-in user's feed, newest first. */
export function fetchNotifications(token: string, query: FeedQuery = {}, signal?: AbortSignal) {
  const params = new URLSearchParams({ limit: String(query.limit ?? 20), unread: String(query.unreadOnly ?? false) });
  if (query.cursor) params.set('cursor', query.cursor);
  return request<NotificationPage>(`/api/notifications?${params}`, { token, signal });
}

/** What a backend calls to notify a user: needs a `service` or `admin` token. */
export function publishNotification(serviceToken: string, body: CreateNotificationBody) {
  return send<{ notifications: Notification[] }>('/api/notifications', {
    method: 'POST',
    token: serviceToken,
    body,
  });
}
