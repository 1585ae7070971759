import { z } from 'zod';

/** One stored notification of one user. */
export const notificationSchema = z.object({
  /** A UUID, stable across devices. */
  id: z.uuid(),
  /** The user the notification belongs to. */
  userId: z.string().min(1),
  /** Starts at 1 and grows by one per notification of this user: a gap means something was missed. */
  seq: z.number().int().positive(),
  /** A free-form category chosen by the publisher, e.g. `info`, `achievement`, `message`. */
  type: z.string().min(1).max(64),
  /** A short headline. */
  title: z.string().min(1).max(200),
  /** The body text. */
  message: z.string().max(2000),
  /** Publisher-defined JSON attached to the notification. */
  data: z.record(z.string(), z.unknown()).optional(),
  /** Whether the user has read it on any device. */
  read: z.boolean(),
  /** When it was created, ISO-8601. */
  createdAt: z.iso.datetime({ offset: true }),
});

export type Notification = z.infer<typeof notificationSchema>;
