import type { GetToken } from '@realtime/client';
import { mintDevToken } from '../gateway/dev-tokens.js';
import { clearSession, loadSession, saveSession, type Session } from './session-store.js';

/** This tab's sign-in, outside React: what the page renders from, and where the SDK gets its tokens. */
export interface SessionManager {
  current(): Session | null;
  /** Calls `listener` after every change; returns the unsubscribe (fits `useSyncExternalStore`). */
  subscribe(listener: () => void): () => void;
  signIn(name: string, userId?: string): Promise<void>;
  signOut(): void;
  /**
   * The SDK's `getToken`: the session's token, or a new one for the same user when the SDK says the current one
   * is about to expire (`refresh`) or was refused as expired (`rejected`). Concurrent renewals share one request.
   */
  getToken: GetToken;
}

export interface SessionManagerOptions {
  storage?: Storage;
  mint?: typeof mintDevToken;
}

export function createSessionManager({ storage, mint = mintDevToken }: SessionManagerOptions = {}): SessionManager {
  let session = loadSession(storage);
  let renewing: Promise<Session> | null = null;
  const listeners = new Set<() => void>();

  const apply = (next: Session | null) => {
    session = next;
    if (next) saveSession(next, storage);
    else clearSession(storage);
    for (const listener of [...listeners]) listener();
  };

  const renew = (from: Session) =>
    (renewing ??= mint({ name: from.requestedName, userId: from.requestedUserId })
      .then((token) => {
        const next = { ...from, ...token };
        // A sign-out (or another user) while the request was in flight wins.
        if (session?.userId === from.userId) apply(next);
        return next;
      })
      .finally(() => {
        renewing = null;
      }));

  return {
    current: () => session,
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    async signIn(name, userId) {
      const token = await mint({ name, userId });
      apply({ ...token, requestedName: name, requestedUserId: userId });
    },
    signOut: () => apply(null),
    async getToken({ reason }) {
      const from = session;
      if (!from) throw new Error('Not signed in.');
      if (reason !== 'refresh' && reason !== 'rejected') return from.token;
      return (await renew(from)).token;
    },
  };
}
