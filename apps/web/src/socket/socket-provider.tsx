import type { HandshakeErrorCode } from '@realtime/contracts';
import { type ReactNode, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useSignedIn } from '../session/session-context.js';
import { readLastSeq } from '../session/session-store.js';
import { useToasts } from '../toasts/toast-context.js';
import { createSocket } from './create-socket.js';
import { type ConnectionStatus, SocketContext } from './use-socket.js';

// Consecutive handshakes refused for the token before the socket stops trying on its own.
const MAX_TOKEN_RETRIES = 2;
const REFRESH_ACK_TIMEOUT_MS = 5_000;

// Codes a fresh development token can cure; a type-only import keeps zod out of the bundle.
const TOKEN_CODES: readonly string[] = ['TOKEN_EXPIRED', 'TOKEN_INVALID'] satisfies HandshakeErrorCode[];

const handshakeCode = (err: Error): string | undefined => (err as Error & { data?: { code?: string } }).data?.code;

/** Owns the app's one socket for the signed-in user: connects it, keeps its token fresh, reports its status. */
export function SocketProvider({ children }: { children: ReactNode }) {
  const { userId, token, getToken, refresh } = useSignedIn();
  const { notify } = useToasts();
  const [socket] = useState(() => {
    // The first handshake replays from what this tab had seen when it loaded: the feed's HTTP load runs at
    // the same time and would otherwise advance lastSeq past what the server is about to replay.
    let seenAtLoad: number | null | undefined = readLastSeq(userId);
    return createSocket(() => {
      const lastSeq = seenAtLoad !== undefined ? seenAtLoad : readLastSeq(userId);
      seenAtLoad = undefined;
      return lastSeq === null ? { token: getToken() } : { token: getToken(), lastSeq };
    });
  });
  const [status, setStatus] = useState<ConnectionStatus>('connecting');
  const [error, setError] = useState<string | null>(null);
  const tokenRetries = useRef(0);
  const everConnected = useRef(false);

  const connectWithFreshToken = useCallback(() => {
    if (tokenRetries.current >= MAX_TOKEN_RETRIES) {
      setStatus('offline');
      setError('The server keeps refusing the session token. Sign in again.');
      return;
    }
    tokenRetries.current += 1;
    setStatus('reconnecting');
    refresh()
      .then(() => socket.connect())
      .catch(() => {
        setStatus('offline');
        setError('Could not renew the session token.');
      });
  }, [refresh, socket]);

  useEffect(() => {
    const onConnect = () => {
      everConnected.current = true;
      tokenRetries.current = 0;
      setStatus('connected');
      setError(null);
    };
    const onDisconnect = (reason: string) => {
      if (socket.active) setStatus('reconnecting');
      // The server ends sockets whose token expired; anything else that stops the socket is ours.
      else if (reason === 'io server disconnect') connectWithFreshToken();
      else setStatus('offline');
    };
    const onConnectError = (err: Error) => {
      // Still active: a transport failure the manager retries with backoff.
      if (socket.active) return setStatus(everConnected.current ? 'reconnecting' : 'connecting');
      const code = handshakeCode(err);
      if (code && TOKEN_CODES.includes(code)) return connectWithFreshToken();
      setStatus('offline');
      setError(code ? `Connection refused (${code}).` : err.message);
    };
    const onReconnectAttempt = () => setStatus('reconnecting');
    // Errors about one of our emits are shown by its failed ack, and an expired session by the reconnect.
    const onServerError = ({ message, code, event }: { message: string; code?: string; event?: string }) => {
      if (!event && code !== 'TOKEN_EXPIRED')
        notify({ tone: 'error', title: 'The gateway reported an error', message });
    };

    socket.on('connect', onConnect);
    socket.on('disconnect', onDisconnect);
    socket.on('connect_error', onConnectError);
    socket.io.on('reconnect_attempt', onReconnectAttempt);
    socket.on('error', onServerError);
    socket.connect();
    return () => {
      socket.off('connect', onConnect);
      socket.off('disconnect', onDisconnect);
      socket.off('connect_error', onConnectError);
      socket.io.off('reconnect_attempt', onReconnectAttempt);
      socket.off('error', onServerError);
      socket.disconnect();
    };
  }, [socket, connectWithFreshToken, notify]);

  // A token renewed while connected extends this socket's session instead of reconnecting.
  const sentToken = useRef(token);
  useEffect(() => {
    if (sentToken.current === token) return;
    sentToken.current = token;
    if (!socket.connected) return;
    socket
      .timeout(REFRESH_ACK_TIMEOUT_MS)
      .emitWithAck('auth:refresh', { token })
      .then((res) => {
        if (!res.ok) setError(`Session refresh refused: ${res.error.message}`);
      })
      .catch(() => undefined);
  }, [socket, token]);

  const reconnect = useCallback(() => {
    tokenRetries.current = 0;
    setError(null);
    setStatus('connecting');
    socket.connect();
  }, [socket]);

  const value = useMemo(() => ({ socket, status, error, reconnect }), [socket, status, error, reconnect]);
  return <SocketContext.Provider value={value}>{children}</SocketContext.Provider>;
}
