import { HANDSHAKE_ERROR_MESSAGE, type HandshakeErrorCode } from '@realtime/contracts';
import { type ExtendedError } from 'socket.io';
import { type MetricsService } from '../metrics/metrics.service.js';
import { type AppSocket } from '../realtime/socket-types.js';
import { bearerToken, type TokenVerifier } from './token-verifier.js';

/** The error a refused handshake passes to `next`: the client sees `connect_error` `Unauthorized` with `data.code`. */
export function handshakeError(code: HandshakeErrorCode): ExtendedError {
  const err: ExtendedError = new Error(HANDSHAKE_ERROR_MESSAGE);
  err.data = { code };
  return err;
}

/** Socket.IO middleware: authenticates in the handshake, so a refused client never connects. */
export function wsJwtMiddleware(verifier: TokenVerifier, metrics: MetricsService) {
  return (socket: AppSocket, next: (err?: ExtendedError) => void): void => {
    const given = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    const result =
      given !== undefined && given !== null && typeof given !== 'string'
        ? ({ ok: false, code: 'TOKEN_INVALID' } as const)
        : verifier.verify(given || bearerToken(socket.handshake.headers.authorization));
    if (!result.ok) {
      metrics.handshakeFailures.inc({ code: result.code });
      return next(handshakeError(result.code));
    }
    socket.data = { ...result.principal };
    next();
  };
}
