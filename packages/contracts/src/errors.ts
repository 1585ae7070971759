/** Every error code the gateway answers with, over the socket and over HTTP. */
export const ErrorCode = {
  /** The handshake or request carried no token. */
  TokenMissing: 'TOKEN_MISSING',
  /** The token is malformed, badly signed, uses another algorithm or lacks `sub`. */
  TokenInvalid: 'TOKEN_INVALID',
  /** The token's `exp` is in the past. */
  TokenExpired: 'TOKEN_EXPIRED',
  /** The user's sessions were revoked after the token was issued (`POST /api/sessions/revoke`). */
  TokenRevoked: 'TOKEN_REVOKED',
  /** Over a budget: too many events or requests; retry later (HTTP: after `Retry-After` seconds). */
  RateLimited: 'RATE_LIMITED',
  /** A connection refused by a cap: sockets per user, per IP address, or for the whole process. */
  TooManyConnections: 'TOO_MANY_CONNECTIONS',
  /** An `Idempotency-Key` already used by this caller on this route with a different body. */
  IdempotencyKeyReused: 'IDEMPOTENCY_KEY_REUSED',
  /** A payload or body failed its schema. */
  ValidationError: 'VALIDATION_ERROR',
  /** The resource does not exist, or belongs to another user. */
  NotFound: 'NOT_FOUND',
  /** The token's role may not do this. */
  Forbidden: 'FORBIDDEN',
  /** The HTTP body is larger than the server accepts. */
  PayloadTooLarge: 'PAYLOAD_TOO_LARGE',
  /** A dependency (database, Redis, another cluster node) did not answer in time; retry later. */
  Unavailable: 'UNAVAILABLE',
  /** The server failed; the message carries no internals. */
  InternalError: 'INTERNAL_ERROR',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export const errorCodes = Object.values(ErrorCode) as [ErrorCode, ...ErrorCode[]];

/** Codes a refused handshake carries in `connect_error`'s `data.code`. */
export type HandshakeErrorCode =
  | typeof ErrorCode.TokenMissing
  | typeof ErrorCode.TokenInvalid
  | typeof ErrorCode.TokenExpired
  | typeof ErrorCode.TokenRevoked
  | typeof ErrorCode.TooManyConnections;

/** The message of every refused handshake's `connect_error`. */
export const HANDSHAKE_ERROR_MESSAGE = 'Unauthorized';
