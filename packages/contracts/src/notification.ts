import { z } from 'zod';

/** Bounds of a notification's `data`: its JSON at most 16 KB (UTF-8), and objects or arrays at most 8 deep. */
export const NOTIFICATION_DATA_LIMITS = { maxBytes: 16 * 1024, maxDepth: 8 } as const;

/** Whether `value` nests objects or arrays deeper than `max` (itself counting as 1); iterative, so any depth is safe. */
function deeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > max) return true;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

/** Publisher-defined JSON, bounded so that storing, serialising and fanning it out stay cheap. */
export const notificationDataSchema = z.record(z.string(), z.unknown()).superRefine((data, ctx) => {
  const { maxBytes, maxDepth } = NOTIFICATION_DATA_LIMITS;
  if (deeperThan(data, maxDepth)) {
    ctx.addIssue({ code: 'custom', message: `must not nest objects or arrays more than ${maxDepth} deep` });
  } else if (new TextEncoder().encode(JSON.stringify(data)).length > maxBytes) {
    ctx.addIssue({ code: 'custom', message: `must be at most ${maxBytes} bytes of JSON` });
  }
});

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
  /** Publisher-defined JSON attached to the notification: at most 16 KB, nested at most 8 deep. */
  data: notificationDataSchema.optional(),
  /** Whether the user has read it on any device. */
  read: z.boolean(),
  /** When it was created, ISO-8601. */
  createdAt: z.iso.datetime({ offset: true }),
});

export type Notification = z.infer<typeof notificationSchema>;
