import { z } from 'zod';
import { roleSchema } from './auth.js';

/** The body of `POST /api/dev/token` (development servers only): a `userId`, a `name`, or both. */
export const devTokenBodySchema = z
  .object({
    /** The token's `sub`; derived from `name` when absent. */
    userId: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, _ . - only, at most 64')
      .optional(),
    /** The display name (the token's `name` claim). */
    name: z.string().trim().min(1).max(64).optional(),
    /** `{userId}@demo.local` when absent. */
    email: z.email().optional(),
    role: roleSchema.default('user'),
  })
  .refine((b) => b.userId ?? b.name, 'give a userId or a name');

export type DevTokenBody = z.input<typeof devTokenBodySchema>;

/** `POST /api/dev/token` answers 201 with a signed token for the demo user. */
export const devTokenResponseSchema = z.object({
  /** An HS256 JWT signed with the server's secret. */
  token: z.string(),
  userId: z.string(),
  email: z.string(),
  role: roleSchema,
  displayName: z.string(),
  /** When the token expires, ISO-8601. */
  expiresAt: z.iso.datetime({ offset: true }),
});
