import { type Notification } from '@realtime/contracts';
import { type Selectable } from 'kysely';
import { type NotificationsTable } from '../store/schema.js';
import { type UserState } from './notifications.repository.js';

/** The state of a user who never had a notification. */
export const NO_STATE: UserState = Object.freeze({ lastSeq: 0, unreadCount: 0, version: 0, groups: Object.freeze([]) });

/** The columns of a `user_state` row that make a {@link UserState}. */
export type StateRow = { last_seq: number; unread_count: number; version: number; groups: string[] };

/** The columns to select or return for a {@link StateRow}. */
export const STATE_COLUMNS = ['last_seq', 'unread_count', 'version', 'groups'] as const;

export const toState = (r: StateRow): UserState => ({
  lastSeq: r.last_seq,
  unreadCount: r.unread_count,
  version: r.version,
  groups: r.groups,
});

/** A stored row as the contract's notification. */
export function toNotification(row: Selectable<NotificationsTable>): Notification {
  return {
    id: row.id,
    userId: row.user_id,
    seq: row.seq,
    type: row.type,
    title: row.title,
    message: row.message,
    ...(row.data !== null ? { data: row.data } : {}),
    read: row.read_at !== null,
    createdAt: new Date(row.created_at).toISOString(),
  };
}
