import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import { fetchDevToken } from '../api/auth.js';
import { ApiError } from '../api/http.js';
import { clearSession, loadSession, refreshDelay, saveSession, type Session } from './session-store.js';

export interface SessionContextValue {
  session: Session | null;
  signIn: (name: string, userId?: string) => Promise<void>;
  signOut: () => void;
  /** Mints a new token for the same user; concurrent callers share one request. */
  refresh: () => Promise<Session>;
  /** The current token, read at call time (for socket handshakes). */
  getToken: () => string | null;
  /** Runs an HTTP call with the current token; a 401 renews the token once and retries. */
  authed: <T>(run: (token: string) => Promise<T>) => Promise<T>;
}

const SessionContext = createContext<SessionContextValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null>(() => loadSession());
  const sessionRef = useRef(session);
  const inFlight = useRef<Promise<Session> | null>(null);

  const apply = useCallback((next: Session | null) => {
    sessionRef.current = next;
    if (next) saveSession(next);
    else clearSession();
    setSession(next);
  }, []);

  const signIn = useCallback(
    async (name: string, userId?: string) => {
      const token = await fetchDevToken({ name, userId });
      apply({ ...token, requestedName: name, requestedUserId: userId });
    },
    [apply],
  );

  const signOut = useCallback(() => apply(null), [apply]);

  const refresh = useCallback(() => {
    const current = sessionRef.current;
    if (!current) return Promise.reject(new Error('Not signed in.'));
    inFlight.current ??= fetchDevToken({ name: current.requestedName, userId: current.requestedUserId })
      .then((token) => {
        const next = { ...current, ...token };
        // A sign-out while the request was in flight wins.
        if (sessionRef.current?.userId === current.userId) apply(next);
        return next;
      })
      .finally(() => {
        inFlight.current = null;
      });
    return inFlight.current;
  }, [apply]);

  const getToken = useCallback(() => sessionRef.current?.token ?? null, []);

  const authed = useCallback(
    async <T,>(run: (token: string) => Promise<T>): Promise<T> => {
      const token = sessionRef.current?.token;
      if (!token) throw new Error('Not signed in.');
      try {
        return await run(token);
      } catch (err) {
        // A tab woken from sleep may hold an expired token the timer had no chance to renew.
        if (!(err instanceof ApiError && err.status === 401)) throw err;
        return run((await refresh()).token);
      }
    },
    [refresh],
  );

  const expiresAt = session?.expiresAt;
  useEffect(() => {
    if (!expiresAt) return;
    const delay = refreshDelay(expiresAt);
    // setTimeout fires at once for delays past 2^31 ms; such a token needs no timer this week.
    if (delay > 2 ** 31 - 1) return;
    // A failed refresh is retried by the socket when the server refuses the expired token.
    const timer = setTimeout(() => void refresh().catch(() => undefined), delay);
    return () => clearTimeout(timer);
  }, [expiresAt, refresh]);

  const value = useMemo(
    () => ({ session, signIn, signOut, refresh, getToken, authed }),
    [session, signIn, signOut, refresh, getToken, authed],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession must be used inside <SessionProvider>');
  return value;
}

/** The signed-in session; only for components rendered behind the sign-in gate. */
export function useSignedIn(): Session & Omit<SessionContextValue, 'session'> {
  const { session, ...rest } = useSession();
  if (!session) throw new Error('useSignedIn needs a signed-in session');
  return { ...session, ...rest };
}
