import { z } from 'zod';
import { handshakeAuthSchema } from './auth.js';
import { ErrorCode, HANDSHAKE_ERROR_MESSAGE, type HandshakeErrorCode } from './errors.js';

/** Every code a refused handshake carries in `connect_error`'s `data.code`. */
export const handshakeErrorCodes = [
  ErrorCode.TokenMissing,
  ErrorCode.TokenInvalid,
  ErrorCode.TokenExpired,
  ErrorCode.TokenRevoked,
  ErrorCode.TooManyConnections,
] as const satisfies readonly HandshakeErrorCode[];

/** The Socket.IO handshake as data: what a client sends, and what a refused one gets. */
export const handshake = {
  /** `io(url, { path: WS_PATH, auth: { token, lastSeq } })`. */
  auth: handshakeAuthSchema.meta({
    description:
      "The Socket.IO handshake's `auth`. The token may come as `Authorization: Bearer <token>` instead (non-browser clients). " +
      'A valid token joins the socket to `user:{sub}`; the server then emits `authenticated`, `notification:unread_count`, ' +
      'the replay of what came after `lastSeq` (or `notification:resync`), and `notification:synced`.',
  }),
  /** What `connect_error` carries when the handshake is refused; the client never gets `authenticated`. */
  refusal: z
    .object({
      /** Always `Unauthorized`. */
      message: z.literal(HANDSHAKE_ERROR_MESSAGE),
      data: z.object({
        /** Why: no token, a bad or expired or revoked one, or a connection cap reached. */
        code: z.enum(handshakeErrorCodes),
      }),
    })
    .meta({
      description:
        'The handshake was refused: the client gets `connect_error` with `err.message` `Unauthorized` and ' +
        '`err.data.code` one of `TOKEN_MISSING`, `TOKEN_INVALID`, `TOKEN_EXPIRED`, `TOKEN_REVOKED`, or ' +
        '`TOO_MANY_CONNECTIONS` (a cap on sockets per user, per address or per process).',
    }),
} as const;

/** What `connect_error` carries when the handshake is refused. */
export type HandshakeRefusal = z.infer<typeof handshake.refusal>;
