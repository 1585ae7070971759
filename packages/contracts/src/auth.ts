import { z } from 'zod';

/** Roles a token may carry: `user` sees its own data, `service` and `admin` may publish. */
export const Role = {
  User: 'user',
  Admin: 'admin',
  Service: 'service',
} as const;

export type Role = (typeof Role)[keyof typeof Role];

export const roleSchema = z.enum([Role.User, Role.Admin, Role.Service]);

/** The claims the gateway reads from an HS256 JWT. */
export const tokenClaimsSchema = z.object({
  /** The user id; the socket joins `user:{sub}`. */
  sub: z.string().min(1),
  /** The user's email, echoed in `authenticated`. */
  email: z.string().optional(),
  /** A display name (optional), shown on the leaderboard. */
  name: z.string().max(100).optional(),
  /** Defaults to `user` when absent. */
  role: roleSchema.optional(),
  /** Expiry, seconds since the epoch. */
  exp: z.number().optional(),
});

export type TokenClaims = z.infer<typeof tokenClaimsSchema>;
