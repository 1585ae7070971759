import { createContext, type ReactNode, useContext, useState, useSyncExternalStore } from 'react';
import { createSessionManager, type SessionManager } from './session-manager.js';
import type { Session } from './session-store.js';

export type SessionContextValue = Pick<SessionManager, 'signIn' | 'signOut' | 'getToken'> & {
  session: Session | null;
};

const SessionContext = createContext<SessionContextValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [manager] = useState(createSessionManager);
  const session = useSyncExternalStore(manager.subscribe, manager.current);
  const value: SessionContextValue = {
    session,
    signIn: manager.signIn,
    signOut: manager.signOut,
    getToken: manager.getToken,
  };
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
