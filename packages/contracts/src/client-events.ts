import { z } from 'zod';
import type { ClientEventName } from './events.js';

const notificationRef = z.object({
  /** The notification's id. */
  notificationId: z.string().min(1).max(200),
});

/** The payload schema of every client-to-server event. */
export const clientToServerSchemas = {
  'notification:mark_read': notificationRef,
  'notification:mark_all_read': z.object({}),
  'notification:delete': notificationRef,
  'auth:refresh': z.object({
    /** A newer token for the same `sub`. */
    token: z.string().min(1).max(8192),
  }),
} satisfies Record<ClientEventName, z.ZodType>;

const unreadCount = z.number().int().nonnegative();
/** The version of `unreadCount` (see `notification:unread_count`). */
const version = z.number().int().nonnegative();

/** What a successful acknowledgement carries besides `ok: true`, per client event. */
export const clientAckSchemas = {
  'notification:mark_read': z.object({
    /** The notification now read. */
    notificationId: z.string(),
    /** The user's unread count afterwards. */
    unreadCount,
    version,
  }),
  'notification:mark_all_read': z.object({
    /** How many notifications changed from unread to read. */
    updated: z.number().int().nonnegative(),
    /** The user's unread count afterwards. */
    unreadCount,
    version,
  }),
  'notification:delete': z.object({
    /** The notification now gone. */
    notificationId: z.string(),
    /** The user's unread count afterwards. */
    unreadCount,
    version,
  }),
  'auth:refresh': z.object({
    /** When the new token expires, ISO-8601. */
    expiresAt: z.iso.datetime({ offset: true }),
  }),
} satisfies Record<ClientEventName, z.ZodType>;

/** The data of a successful acknowledgement of client event `E`. */
export type ClientAckData<E extends ClientEventName> = z.infer<(typeof clientAckSchemas)[E]>;

/** The payload a client sends with event `E`. */
export type ClientPayload<E extends ClientEventName> = z.input<(typeof clientToServerSchemas)[E]>;
