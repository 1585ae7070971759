import { z } from 'zod';
import { userIdSchema } from './auth.js';
import { groupIdSchema } from './groups-http.js';
import { userIdsSchema } from './http.js';
import { notificationSchema } from './notification.js';
import { offlineOptionsSchema } from './offline-http.js';

/** The body of `POST /api/notifications`: exactly one of `userId`, `userIds` and `groupId`. */
export const createNotificationBodySchema = z
  .object({
    /** One recipient. */
    userId: userIdSchema.optional(),
    /** Several recipients; each gets their own notification (own id and `seq`). */
    userIds: userIdsSchema.max(1000).optional(),
    /** Every member of the group, each with their own notification. */
    groupId: groupIdSchema.optional(),
    /** Delivered even to users whose preferences turn this `type` off (e.g. security alerts). */
    critical: z.boolean().optional(),
    /** A category of your choosing; `info` when absent. */
    type: notificationSchema.shape.type.default('info'),
    /** A short headline. */
    title: notificationSchema.shape.title,
    /** The body text. */
    message: notificationSchema.shape.message,
    /** JSON you want back on the client. */
    data: notificationSchema.shape.data,
    /** Which offline channels to try for users who are not looking, and after how long. */
    offline: offlineOptionsSchema.optional(),
  })
  .refine((b) => [b.userId, b.userIds, b.groupId].filter((r) => r !== undefined).length === 1, {
    message: 'give exactly one of userId, userIds and groupId',
    path: ['userId'],
  });

export type CreateNotificationBody = z.input<typeof createNotificationBodySchema>;

/** The query of `GET /api/notifications`. */
export const listNotificationsQuerySchema = z.object({
  /** Page size, 1 to 100; 20 when absent. */
  limit: z.coerce.number().int().min(1).max(100).default(20),
  /** The `nextCursor` of the previous page. */
  cursor: z.string().min(1).max(200).optional(),
  /** `true` for unread notifications only. */
  unread: z
    .enum(['true', 'false', '1', '0'])
    .transform((v) => v === 'true' || v === '1')
    .optional(),
});

/** One page of a user's feed, newest first. */
export const notificationPageSchema = z.object({
  items: z.array(notificationSchema),
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: z.string().nullable(),
  /** The user's unread count, whatever the filter. */
  unreadCount: z.number().int().nonnegative(),
  /** The version of that count (see `notification:unread_count`). */
  version: z.number().int().nonnegative(),
});

export type NotificationPage = z.infer<typeof notificationPageSchema>;

/** `POST /api/notifications` answers 201 with the stored notifications, one per recipient. */
export const createNotificationResponseSchema = z.object({ notifications: z.array(notificationSchema) });

/** The path of `POST /api/notifications/:id/read` and `DELETE /api/notifications/:id`. */
export const notificationParamsSchema = z.object({
  /** The notification's id; anything that is not one of the caller's notifications is 404. */
  id: z.string(),
});

/** `POST /api/notifications/:id/read` answers 200. */
export const markReadResponseSchema = z.object({
  /** The notification now read. */
  notificationId: z.string(),
  success: z.literal(true),
});

/** `POST /api/notifications/read-all` answers 200. */
export const markAllReadResponseSchema = z.object({
  /** How many notifications changed from unread to read. */
  updated: z.number().int().nonnegative(),
});
