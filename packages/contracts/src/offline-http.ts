import { z } from 'zod';

/** The offline channels a notification can also take when its user is not looking. */
export const deliveryChannelSchema = z.enum(['push', 'email', 'webhook']);

export type DeliveryChannel = z.infer<typeof deliveryChannelSchema>;

/** Where one offline delivery stands. */
export const deliveryStatusSchema = z.enum(['pending', 'sent', 'failed', 'skipped']);

export type DeliveryStatus = z.infer<typeof deliveryStatusSchema>;

/** Why a delivery was not sent. */
export const skipReasonSchema = z.enum([
  /** The notification was read on some device before it was due. */
  'read',
  /** It was deleted before it was due. */
  'deleted',
  /** The user had a socket open when it was due (push, webhook). */
  'online',
  /** The user's preferences turn that channel off for the type. */
  'preference',
  /** The user has no push subscription left (push). */
  'no_subscription',
  /** The user has no email address (no `email` claim in their tokens, none set by a service). */
  'no_address',
  /** It could not be sent before its deadline (for example the process was down for a day). */
  'expired',
]);

export type SkipReason = z.infer<typeof skipReasonSchema>;

/** The most a publisher may delay an offline delivery: 7 days. */
export const MAX_DELIVERY_DELAY_SECONDS = 7 * 24 * 3600;

/** A publisher's choice of offline delivery for one notification (`POST /api/notifications`). */
export const offlineOptionsSchema = z.object({
  /** The channels to try (of those the server has); absent: every one; `[]`: none. */
  channels: z
    .array(deliveryChannelSchema)
    .max(3)
    .refine((c) => new Set(c).size === c.length, 'each channel once')
    .optional(),
  /** Seconds after the notification before its offline deliveries are due; absent: each channel's default. */
  delaySeconds: z.number().int().min(0).max(MAX_DELIVERY_DELAY_SECONDS).optional(),
  /**
   * Emails with the same key (say, a thread) go in one digest; different keys never share one.
   * Absent: the user's digest for everything without a key.
   */
  digestKey: z.string().min(1).max(128).optional(),
});

export type OfflineOptions = z.infer<typeof offlineOptionsSchema>;

/** One offline delivery of a notification, as `GET /api/notifications/:id/deliveries` shows it. */
export const deliverySchema = z.object({
  channel: deliveryChannelSchema,
  status: deliveryStatusSchema,
  /** Why it was skipped (status `skipped` only). */
  reason: skipReasonSchema.optional(),
  /** Sends tried so far. */
  attempts: z.number().int().nonnegative(),
  /** When it is (or was) due, ISO-8601. */
  dueAt: z.string(),
  /** When it was sent, ISO-8601 (status `sent` only). */
  sentAt: z.string().optional(),
  /** What the last failed attempt answered (a status line, a push service's or mail server's reply). */
  lastError: z.string().optional(),
});

export type Delivery = z.infer<typeof deliverySchema>;

export const deliveriesResponseSchema = z.object({ deliveries: z.array(deliverySchema) });

export type DeliveriesResponse = z.infer<typeof deliveriesResponseSchema>;

const base64url = (bytes: number) =>
  z
    .string()
    .regex(/^[A-Za-z0-9_-]+={0,2}$/, 'must be base64url')
    .refine((s) => {
      const chars = s.replace(/=+$/, '').length; // 4 characters carry 3 bytes
      return chars % 4 !== 1 && Math.floor((chars * 3) / 4) === bytes;
    }, `must be ${bytes} bytes`);

/**
 * The browser's `PushSubscription.toJSON()`: the push service's `endpoint` (an `https:` URL of an
 * allowed origin) and the keys the payload is encrypted to (RFC 8291).
 */
export const pushSubscriptionSchema = z.object({
  endpoint: z.url({ protocol: /^https$/, error: 'must be an https: URL' }).max(2048),
  expirationTime: z.number().int().nonnegative().nullable().optional(),
  keys: z.object({
    /** The subscriber's P-256 public key, uncompressed (65 bytes). */
    p256dh: base64url(65),
    /** The authentication secret (16 bytes). */
    auth: base64url(16),
  }),
});

export type PushSubscriptionJson = z.infer<typeof pushSubscriptionSchema>;

/** `POST /api/push/subscriptions` answers the endpoint now registered for the caller. */
export const pushSubscriptionResponseSchema = z.object({ endpoint: z.string() });

/** The body of `DELETE /api/push/subscriptions`. */
export const deletePushSubscriptionBodySchema = z.object({ endpoint: z.string().min(1).max(2048) });

/** `GET /api/push/vapid-public-key`: the application server key for `pushManager.subscribe`. */
export const vapidPublicKeyResponseSchema = z.object({
  /** The VAPID public key, base64url (65 bytes, uncompressed P-256). */
  publicKey: z.string(),
});

/** The JSON a push message carries once decrypted (at most 3 KB): what a service worker shows. */
export const pushPayloadSchema = z.object({
  id: z.string(),
  seq: z.number().int().positive(),
  type: z.string(),
  title: z.string(),
  /** The message, cut short to fit the push service's size. */
  message: z.string(),
  /** Where a click on it leads, from the notification's `data.url`. */
  url: z.string().optional(),
});

export type PushPayload = z.infer<typeof pushPayloadSchema>;

/** `PUT /api/users/:userId/email`: the address the gateway emails, or `null` to go back to the token's. */
export const setEmailAddressBodySchema = z.object({
  email: z.email().max(254).nullable(),
});

/** Where a user's email goes, and where the address came from. */
export const emailAddressResponseSchema = z.object({
  userId: z.string(),
  /** The address emails go to; null: none (that user's emails are skipped, `no_address`). */
  email: z.string().nullable(),
  /** `api`: set through `PUT /api/users/:userId/email`; `token`: the `email` claim of their latest token. */
  source: z.enum(['api', 'token']).nullable(),
});

export type EmailAddressResponse = z.infer<typeof emailAddressResponseSchema>;

/** The signed link of an email's `List-Unsubscribe` header and footer. */
export const unsubscribeQuerySchema = z.object({
  /** The signature over the user and notification types (made by the server; a forged one is 400). */
  token: z.string().min(1).max(2048),
});

/** One message of the development mailbox (a server without `SMTP_URL` keeps its emails there). */
export const mailboxMessageSchema = z.object({
  id: z.string(),
  userId: z.string(),
  to: z.string(),
  from: z.string(),
  subject: z.string(),
  text: z.string(),
  html: z.string(),
  /** The message's `Message-ID` header: stable per delivery or digest. */
  messageId: z.string(),
  /** The `List-Unsubscribe` link (POST it to unsubscribe in one click, RFC 8058). */
  unsubscribeUrl: z.string(),
  /** How many notifications it carries (a digest: more than one). */
  notifications: z.number().int().positive(),
  /** When it was sent, ISO-8601. */
  sentAt: z.string(),
});

export type MailboxMessage = z.infer<typeof mailboxMessageSchema>;

export const mailboxQuerySchema = z.object({
  /** Whose mailbox. */
  userId: z.string().min(1).max(256),
});

/** `GET /api/dev/mailbox`: one user's messages, newest first (at most 50). */
export const mailboxResponseSchema = z.object({ messages: z.array(mailboxMessageSchema) });
