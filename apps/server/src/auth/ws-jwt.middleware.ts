import {
  HANDSHAKE_ERROR_MESSAGE,
  type HandshakeErrorCode,
  handshakeAuthSchema,
  type SocketData,
} from '@realtime/contracts';
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
  const decide = (
    socket: AppSocket,
    next: (err?: ExtendedError) => void,
    result: VerifyResult,
    resumeFrom: SocketData['resumeFrom'],
  ) => {
    if (!result.ok) {
      metrics.handshakeFailures.inc({ code: result.code });
      return next(handshakeError(result.code));
    }
    socket.data = { ...result.principal, resumeFrom };
    next();
  };
  return (socket: AppSocket, next: (err?: ExtendedError) => void): void => {
    // The handshake's auth, parsed once: a token that is not a string refuses the handshake; a lastSeq
    // that is not a seq does not (the socket is told so, and nothing is replayed).
    const auth = handshakeAuthSchema.safeParse(socket.handshake.auth ?? {});
    const issues = auth.success ? [] : auth.error.issues;
    if (issues.some((i) => i.path[0] === 'token') || (!auth.success && issues.every((i) => i.path.length === 0))) {
      metrics.handshakeFailures.inc({ code: 'TOKEN_INVALID' });
      return next(handshakeError('TOKEN_INVALID'));
    }
    const raw = socket.handshake.auth as { token?: string } | undefined;
    const token = (auth.success ? auth.data.token : raw?.token) || bearerToken(socket.handshake.headers.authorization);
    const resumeFrom = auth.success ? (auth.data.lastSeq ?? null) : 'invalid';
    const result = verifier.verify(token);
    if (result instanceof Promise)
      result.then(
        (r) => decide(socket, next, r, resumeFrom),
        () => next(handshakeError('TOKEN_INVALID')),
      );
    else decide(socket, next, result, resumeFrom);
  };
}
