import { z } from 'zod';
import { userIdSchema } from './auth.js';

/** The body of `POST /api/sessions/revoke` (service, admin). */
export const revokeSessionsBodySchema = z.object({
  /** Whose tokens, issued until now, are refused from now on; their sockets are disconnected. */
  userId: userIdSchema,
});

export type RevokeSessionsBody = z.infer<typeof revokeSessionsBodySchema>;

/** `POST /api/sessions/revoke` answers 200 with what it did. */
export const revokeSessionsResponseSchema = z.object({
  userId: userIdSchema,
  /** Tokens of the user with `iat` at or before this (epoch seconds) are refused. */
  revokedBefore: z.number().int().nonnegative(),
  /** How many sockets of the user were disconnected, across the cluster. */
  disconnected: z.number().int().nonnegative(),
});

export type RevokeSessionsResponse = z.infer<typeof revokeSessionsResponseSchema>;
