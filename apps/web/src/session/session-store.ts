import type { DevToken } from '../gateway/dev-tokens.js';

/** A signed-in tab: the dev token plus what was asked for, so the token can be minted again. */
export interface Session extends DevToken {
  requestedName: string;
  requestedUserId?: string;
}

const SESSION_KEY = 'realtime-demo:session';

// sessionStorage keeps each tab its own user, so two tabs can be two people side by side.
const defaultStorage = (): Storage | undefined => (typeof sessionStorage === 'undefined' ? undefined : sessionStorage);

export function loadSession(storage = defaultStorage()): Session | null {
  try {
    const raw = storage?.getItem(SESSION_KEY);
    if (!raw) return null;
    const value = JSON.parse(raw) as Partial<Session>;
    if (typeof value.token !== 'string' || typeof value.userId !== 'string' || typeof value.requestedName !== 'string')
      return null;
    return value as Session;
  } catch {
    return null;
  }
}

export function saveSession(session: Session, storage = defaultStorage()): void {
  storage?.setItem(SESSION_KEY, JSON.stringify(session));
}

export function clearSession(storage = defaultStorage()): void {
  storage?.removeItem(SESSION_KEY);
}
