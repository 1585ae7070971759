import { HANDSHAKE_ERROR_MESSAGE, type HandshakeErrorCode } from '@realtime/contracts';
import { type ExtendedError } from 'socket.io';
import { type MetricsService } from '../metrics/metrics.service.js';
import { type AppSocket } from '../realtime/socket-types.js';
import { bearerToken, type TokenVerifier, type VerifyResult } from './token-verifier.js';

/** The error a refused handshake passes to `next`: the client sees `connect_error` `Unauthorized` with `data.code`. */
export function handshakeError(code: HandshakeErrorCode): ExtendedError {
  const err: ExtendedError = new Error(HANDSHAKE_ERROR_MESSAGE);
  err.data = { code };
  return err;
}

/** Socket.IO middleware: authenticates in the handshake, so a refused client never connects. */
export function wsJwtMiddleware(verifier: TokenVerifier, metrics: MetricsService) {
  const decide = (socket: AppSocket, next: (err?: ExtendedError) => void, result: VerifyResult) => {
    if (!result.ok) {
      metrics.handshakeFailures.inc({ code: result.code });
      return next(handshakeError(result.code));
    }
    socket.data = { ...result.principal };
    next();
  };
  return (socket: AppSocket, next: (err?: ExtendedError) => void): void => {
    const given = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    const result =
      given !== undefined && given !== null && typeof given !== 'string'
        ? ({ ok: false, code: 'TOKEN_INVALID', reason: 'auth.token is not a string' } as const)
        : verifier.verify(given || bearerToken(socket.handshake.headers.authorization));
    if (result instanceof Promise)
      result.then(
        (r) => decide(socket, next, r),
        () => next(handshakeError('TOKEN_INVALID')),
      );
    else decide(socket, next, result);
  };
}
