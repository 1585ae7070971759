import type { DevToken } from '../api/types.js';

/** A signed-in tab: the dev token plus what was asked for, so the token can be minted again. */
export interface Session extends DevToken {
  requestedName: string;
  requestedUserId?: string;
}

const SESSION_KEY = 'realtime-demo:session';
const lastSeqKey = (userId: string) => `realtime-demo:last-seq:${userId}`;

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

/** The highest notification `seq` this tab has seen for the user; null before the first feed load. */
export function readLastSeq(userId: string, storage = defaultStorage()): number | null {
  const raw = storage?.getItem(lastSeqKey(userId));
  if (raw == null) return null;
  const seq = Number(raw);
  return Number.isInteger(seq) && seq >= 0 ? seq : null;
}

/** Stores `seq` unless a higher one is already stored: lastSeq only moves forward. */
export function writeLastSeq(userId: string, seq: number, storage = defaultStorage()): void {
  const current = readLastSeq(userId, storage);
  if (current === null || seq > current) storage?.setItem(lastSeqKey(userId), String(seq));
}

/** Milliseconds until the token should be replaced: a minute before it expires, sooner for short-lived tokens. */
export function refreshDelay(expiresAt: string, now = Date.now()): number {
  const remaining = Date.parse(expiresAt) - now;
  if (Number.isNaN(remaining)) return Number.POSITIVE_INFINITY;
  if (remaining <= 0) return 0;
  return remaining - Math.min(60_000, remaining * 0.2);
}
