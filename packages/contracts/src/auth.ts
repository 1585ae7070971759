import { z } from 'zod';

/** Roles a token may carry: `user` sees its own data, `service` and `admin` may publish. */
export const Role = {
  User: 'user',
  Admin: 'admin',
  Service: 'service',
} as const;

export type Role = (typeof Role)[keyof typeof Role];

export const roleSchema = z.enum([Role.User, Role.Admin, Role.Service]);

/** A user id as tokens and publishers give it: 1-200 characters, none of them a control character. */
export const userIdSchema = z
  .string()
  .min(1)
  .max(200)
  // eslint-disable-next-line no-control-regex
  .regex(/^[^\u0000-\u001f\u007f]+$/, 'must not contain control characters');

/** Seconds since the epoch, as JWTs carry time. */
const numericDate = z.number().finite().nonnegative();

/** The claims the gateway reads from a JWT. */
export const tokenClaimsSchema = z.object({
  /** The user id; the socket joins `user:{sub}`. */
  sub: userIdSchema,
  /** The user's email, echoed in `authenticated`. */
  email: z.string().max(320).optional(),
  /** A display name (optional), shown on the leaderboard. */
  name: z.string().max(100).optional(),
  /** Defaults to `user` when absent. */
  role: roleSchema.optional(),
  /** Expiry, seconds since the epoch: required, and at most the server's token lifetime ahead. */
  exp: numericDate,
  /** Issued at, seconds since the epoch: never in the future. */
  iat: numericDate.optional(),
  /** Not valid before, seconds since the epoch. */
  nbf: numericDate.optional(),
  /** Issuer: must equal the server's JWT_ISSUER when that is set. */
  iss: z.string().optional(),
  /** Audience: must include the server's JWT_AUDIENCE when that is set. */
  aud: z.union([z.string(), z.array(z.string())]).optional(),
});

export type TokenClaims = z.infer<typeof tokenClaimsSchema>;

/** What a client sends in the Socket.IO handshake: `io(url, { auth: { token, lastSeq } })`. */
export const handshakeAuthSchema = z.object({
  /** The JWT; a non-browser client may send `Authorization: Bearer` instead (an empty one counts as none). */
  token: z.string().max(8192).optional(),
  /** The highest `seq` this device has seen: what came after is replayed. Absent: nothing is replayed. */
  lastSeq: z.preprocess(
    (v) => (v === null ? undefined : typeof v === 'string' && /^\d{1,10}$/.test(v) ? Number(v) : v),
    z
      .number()
      .int()
      .nonnegative()
      .max(2 ** 31 - 1)
      .optional(),
  ),
});

export type HandshakeAuth = z.input<typeof handshakeAuthSchema>;
