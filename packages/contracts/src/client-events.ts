import { z } from 'zod';
import { errorCodes } from './errors.js';
import type { ClientEventName } from './events.js';
import { validationIssueSchema } from './server-events.js';

const notificationRef = z.object({
  /** The notification's id. */
  notificationId: z.string().min(1).max(200),
});

/** The payload schema of every client-to-server event. */
export const clientToServerSchemas = {
  'notification:mark_read': notificationRef.meta({
    description:
      'Mark one notification read on every device of the user: each gets `notification:read` and `notification:unread_count`.',
  }),
  'notification:mark_all_read': z.object({}).meta({
    description: 'Mark every unread notification read on every device of the user.',
  }),
  'notification:delete': notificationRef.meta({
    description:
      'Delete one notification on every device of the user: each gets `notification:deleted` and `notification:unread_count`.',
  }),
  'auth:refresh': z
    .object({
      /** A newer token for the same `sub`. */
      token: z.string().min(1).max(8192),
    })
    .meta({
      description:
        "Extend this socket's session with a newer token for the same user (one that expires sooner than the current one is refused).",
    }),
} satisfies Record<ClientEventName, z.ZodType>;

const unreadCount = z.number().int().nonnegative();
/** The version of `unreadCount` (see `notification:unread_count`). */
const version = z.number().int().nonnegative();

/** What a successful acknowledgement carries besides `ok: true`, per client event. */
export const clientAckSchemas = {
  'notification:mark_read': z
    .object({
      /** The notification now read. */
      notificationId: z.string(),
      /** The user's unread count afterwards. */
      unreadCount,
      version,
    })
    .meta({ description: 'The notification is read; the unread count as of `version`.' }),
  'notification:mark_all_read': z
    .object({
      /** How many notifications changed from unread to read. */
      updated: z.number().int().nonnegative(),
      /** The user's unread count afterwards. */
      unreadCount,
      version,
    })
    .meta({ description: 'How many were marked read; the unread count as of `version`.' }),
  'notification:delete': z
    .object({
      /** The notification now gone. */
      notificationId: z.string(),
      /** The user's unread count afterwards. */
      unreadCount,
      version,
    })
    .meta({ description: 'The notification is gone; the unread count as of `version`.' }),
  'auth:refresh': z
    .object({
      /** When the new token expires, ISO-8601. */
      expiresAt: z.iso.datetime({ offset: true }),
    })
    .meta({ description: 'The session now lasts until `expiresAt`.' }),
} satisfies Record<ClientEventName, z.ZodType>;

/** A failed acknowledgement: `{ ok: false, error: { code, message, issues? } }`. */
export const ackErrorSchema = z
  .object({
    ok: z.literal(false),
    error: z.object({
      /** Machine-readable reason, e.g. `VALIDATION_ERROR`, `NOT_FOUND`, `RATE_LIMITED`. */
      code: z.enum(errorCodes),
      /** Human-readable reason. */
      message: z.string(),
      /** The fields that failed, for `VALIDATION_ERROR`. */
      issues: z.array(validationIssueSchema).optional(),
    }),
  })
  .meta({ description: 'The event was refused; nothing changed.' });

const ackOf = <S extends z.ZodObject>(data: S) =>
  z.discriminatedUnion('ok', [data.extend({ ok: z.literal(true) }), ackErrorSchema]);

/** The whole acknowledgement of each client event: `{ ok: true, ...data }` or {@link ackErrorSchema}. */
export const clientAckResponseSchemas = {
  'notification:mark_read': ackOf(clientAckSchemas['notification:mark_read']),
  'notification:mark_all_read': ackOf(clientAckSchemas['notification:mark_all_read']),
  'notification:delete': ackOf(clientAckSchemas['notification:delete']),
  'auth:refresh': ackOf(clientAckSchemas['auth:refresh']),
} satisfies Record<ClientEventName, z.ZodType>;

/** The data of a successful acknowledgement of client event `E`. */
export type ClientAckData<E extends ClientEventName> = z.infer<(typeof clientAckSchemas)[E]>;

/** The payload a client sends with event `E`. */
export type ClientPayload<E extends ClientEventName> = z.input<(typeof clientToServerSchemas)[E]>;
