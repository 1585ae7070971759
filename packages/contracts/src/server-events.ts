import { z } from 'zod';
import { errorCodes } from './errors.js';
import { groupIdSchema } from './groups-http.js';
import type { ServerEventName } from './events.js';
import { notificationSchema } from './notification.js';
import { preferencesSchema, quietHoursSchema } from './preferences.js';

const isoDate = z.iso.datetime({ offset: true });
const count = z.number().int().nonnegative();

/** One field that failed its schema. */
export const validationIssueSchema = z.object({
  /** Dotted path of the field, empty for the payload itself. */
  path: z.string(),
  /** What is wrong with it. */
  message: z.string(),
});

export type ValidationIssue = z.infer<typeof validationIssueSchema>;

export const leaderboardEntrySchema = z.object({
  /** The user's id. */
  userId: z.string().min(1),
  /** The name to show, when the user has one. */
  displayName: z.string().optional(),
  /** Total XP. */
  xp: count,
  /** 1-based place on the board. */
  position: z.number().int().positive(),
});

export type LeaderboardEntry = z.infer<typeof leaderboardEntrySchema>;

/** The payload schema of every server-to-client event: the one place a payload is defined. */
export const serverToClientSchemas = {
  authenticated: z
    .object({
      /** Always true: refusals arrive as `connect_error` instead. */
      success: z.literal(true),
      /** The token's `sub`. */
      userId: z.string().min(1),
      /** The token's `email`, or null when it has none. */
      email: z.string().nullable(),
    })
    .meta({ description: 'The handshake succeeded; sent once per connection, before anything else.' }),
  error: z
    .object({
      /** Human-readable reason. */
      message: z.string(),
      /** Machine-readable reason, e.g. `VALIDATION_ERROR`, `TOKEN_EXPIRED`. */
      code: z.enum(errorCodes).optional(),
      /** The client event that caused it, when one did. */
      event: z.string().optional(),
      /** The fields that failed, for `VALIDATION_ERROR`. */
      issues: z.array(validationIssueSchema).optional(),
    })
    .meta({
      description:
        'Something the client sent was refused, or its session ended (`TOKEN_EXPIRED`, `TOKEN_REVOKED`, `RATE_LIMITED`: the socket is then disconnected).',
    }),
  'notification:new': z
    .object({
      /** The notification as stored. */
      notification: notificationSchema,
      /** When it was emitted, ISO-8601. */
      timestamp: isoDate,
      /** Present (true) when it is a replay of one the socket missed, not a new one. */
      replayed: z.literal(true).optional(),
    })
    .meta({
      description:
        'A new notification for this user; with `replayed: true` when it is one the socket missed while away.',
    }),
  'notification:read': z
    .object({
      /** The notification now read. */
      notificationId: z.string().min(1),
      /** Whether it was marked read. */
      success: z.boolean(),
    })
    .meta({ description: 'A notification was marked read (on this or another device).' }),
  'notification:deleted': z
    .object({
      /** The notification now gone. */
      notificationId: z.string().min(1),
    })
    .meta({ description: 'A notification was deleted (on this or another device).' }),
  'notification:unread_count': z
    .object({
      /** Exact number of unread notifications of the user, as of `version`. */
      unreadCount: count,
      /** Grows with every change to the user's notifications: ignore a count with a lower version than one seen. */
      version: count,
    })
    .meta({ description: "The user's exact unread count after any change; keep the highest `version` seen." }),
  'notification:synced': z
    .object({
      /** The user's highest `seq` when the replay ended (0 for a user with none). */
      lastSeq: z.number().int().nonnegative(),
    })
    .meta({ description: "The handshake's replay is over: the socket has everything up to `lastSeq`." }),
  'notification:resync': z
    .object({
      /** First missed `seq` (the client's `lastSeq` + 1). */
      fromSeq: z.number().int().positive(),
      /** Latest `seq` of the user. */
      toSeq: z.number().int().positive(),
    })
    .meta({ description: 'Too many notifications were missed to replay: refetch the feed over HTTP.' }),
  'achievement:unlocked': z
    .object({
      /** Stable id of the achievement. */
      achievementId: z.string().min(1),
      /** Its name. */
      title: z.string().min(1),
      /** What it was awarded for. */
      description: z.string().optional(),
      /** An emoji or image URL. */
      icon: z.string().optional(),
    })
    .meta({ description: 'The user unlocked an achievement.' }),
  'rank:updated': z
    .object({
      /** The rank reached. */
      newRank: z.string().min(1),
      /** The rank left behind. */
      oldRank: z.string().min(1),
      /** XP needed for the rank after `newRank`, absent at the top. */
      xpRequired: count.optional(),
    })
    .meta({ description: "The user's rank changed." }),
  'xp:gained': z
    .object({
      /** XP just awarded. */
      amount: z.number().int().positive(),
      /** What awarded it, e.g. `mission`. */
      source: z.string().min(1).max(100),
      /** The user's XP after the award. */
      totalXp: count,
    })
    .meta({ description: 'The user gained XP.' }),
  'leaderboard:updated': z
    .object({
      /** The top of the board, best first. */
      leaderboard: z.array(leaderboardEntrySchema),
      /** The group whose board this is, sent to its members; absent for the global board, sent to everyone. */
      groupId: groupIdSchema.optional(),
    })
    .meta({
      description:
        "A leaderboard changed: the global one (no groupId), to everyone; a group's, to its members. Coalesced: at most one per board per 250 ms.",
    }),
  'preferences:updated': z
    .object({
      /** Every notification type the user has set, with its channels; a type not listed is on for both. */
      preferences: preferencesSchema,
      /** The user's quiet hours; absent when they have none. */
      quietHours: quietHoursSchema.optional(),
    })
    .meta({ description: "The user's notification preferences changed (on this or another device)." }),
} satisfies Record<ServerEventName, z.ZodType>;

/** The payload of server-to-client event `E`. */
export type ServerPayload<E extends ServerEventName> = z.infer<(typeof serverToClientSchemas)[E]>;
