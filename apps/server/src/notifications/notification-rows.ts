import { type Notification } from '@realtime/contracts';
import { type Selectable } from 'kysely';
import { type NotificationsTable } from '../store/schema.js';

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
