import { z } from 'zod';
import { userIdSchema } from './auth.js';
import { groupIdSchema } from './groups-http.js';
import { isProtocolEvent, type PublishableEventName, publishableEventNames } from './events.js';
import { type ServerPayload, serverToClientSchemas } from './server-events.js';

/** Recipients of a publish: absent means everyone. */
export const userIdsSchema = z.array(userIdSchema).min(1).max(10_000);

/** The body of `POST /api/events`; check `payload` with {@link parsePublishedPayload}. */
export const publishEventBodySchema = z.object({
  /** A server-to-client event that carries no store position; protocol events are refused by name. */
  event: z.enum(publishableEventNames as [PublishableEventName, ...PublishableEventName[]], {
    error: (issue) =>
      typeof issue.input === 'string' && isProtocolEvent(issue.input)
        ? `${issue.input} is a protocol event: only the server sends it`
        : undefined,
  }),
  /** The event's payload, checked against that event's schema. */
  payload: z.unknown(),
  /** Users whose sockets get it. */
  userIds: userIdsSchema.optional(),
  /** Groups whose members' sockets get it (a socket in several of the rooms gets it once). */
  groupIds: z.array(groupIdSchema).min(1).max(1000).optional(),
});

/** A typed `POST /api/events` body, for services that publish. */
export type PublishEventBody<E extends PublishableEventName = PublishableEventName> = {
  [K in E]: { event: K; payload: ServerPayload<K>; userIds?: string[]; groupIds?: string[] };
}[E];

/** Checks a published payload against its event's schema. */
export function parsePublishedPayload<E extends PublishableEventName>(event: E, payload: unknown) {
  return serverToClientSchemas[event].safeParse(payload) as z.ZodSafeParseResult<ServerPayload<E>>;
}

/** `GET /api/presence/:userId`. */
export const presenceResponseSchema = z.object({
  userId: userIdSchema,
  /** Whether any socket of the user is connected anywhere in the cluster. */
  online: z.boolean(),
  /** How many sockets of the user are connected across the cluster. */
  connections: z.number().int().nonnegative(),
});

export type PresenceResponse = z.infer<typeof presenceResponseSchema>;

/** The body of every HTTP error. */
export const httpErrorSchema = z.object({
  statusCode: z.number().int(),
  code: z.string(),
  message: z.string(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});

export type HttpError = z.infer<typeof httpErrorSchema>;

/** The optional header that makes a publish exactly-once under retries. */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';

/** An `Idempotency-Key`: 1-255 printable ASCII characters, scoped to the caller (`sub`) and the route. */
export const idempotencyKeySchema = z
  .string()
  .regex(/^[\x20-\x7e]{1,255}$/, 'must be 1-255 printable ASCII characters');

/** The headers of a publish route: an optional {@link idempotencyKeySchema} `Idempotency-Key`. */
export const idempotencyHeadersSchema = z.object({
  /** Makes the publish exactly-once: a repeat within 24 h answers the first answer and does nothing again. */
  [IDEMPOTENCY_KEY_HEADER]: idempotencyKeySchema.optional(),
});

/** `POST /api/events` answers 202 with what it accepted. */
export const publishEventResponseSchema = z.object({
  accepted: z.literal(true),
  /** The event published. */
  event: publishEventBodySchema.shape.event,
  /** How many distinct users it was addressed to by `userIds`, or `all` for a broadcast. */
  recipients: z.union([z.number().int().nonnegative(), z.literal('all')]),
  /** How many distinct groups it was addressed to by `groupIds`, when there were any. */
  groups: z.number().int().positive().optional(),
});

/** The path of `GET /api/presence/:userId`. */
export const presenceParamsSchema = z.object({
  /** Any user id; one with no socket is simply offline. */
  userId: z.string(),
});
