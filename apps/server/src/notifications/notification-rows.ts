import { type Notification } from '@realtime/contracts';
import { type Selectable } from 'kysely';
import { type NotificationsTable } from '../store/schema.js';

/** A stored row as the contract's notification. */
/** A notification id as the store makes them (checked before a query, which would fail on another). */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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
