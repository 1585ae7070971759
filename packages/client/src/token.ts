/** What the SDK reads from a JWT: who it is for and when it ends. Nothing is verified: the server does that. */
export interface TokenInfo {
  /** The user id (`sub`). */
  sub: string;
  /** Expiry, ms since the epoch. */
  expiresAt: number;
  /** Issued at, ms since the epoch, when the token says. */
  issuedAt: number | null;
}

// Tokens of a minute or more are renewed a minute early; shorter ones a third of their lifetime early.
const MAX_MARGIN_MS = 60_000;
// setTimeout fires at once for delays past 2^31 ms.
export const MAX_TIMER_MS = 2 ** 31 - 1;

function base64UrlDecode(segment: string): string {
  const base64 = segment
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .padEnd(Math.ceil(segment.length / 4) * 4, '=');
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

/** Reads `sub`, `exp` and `iat` from a JWT's payload; null for anything that is not a JWT with both. */
export function readToken(token: string): TokenInfo | null {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    const claims = JSON.parse(base64UrlDecode(payload)) as { sub?: unknown; exp?: unknown; iat?: unknown };
    if (typeof claims.sub !== 'string' || typeof claims.exp !== 'number') return null;
    return {
      sub: claims.sub,
      expiresAt: claims.exp * 1000,
      issuedAt: typeof claims.iat === 'number' ? claims.iat * 1000 : null,
    };
  } catch {
    return null;
  }
}

/** Milliseconds from `now` until a token should be replaced: before it expires, by a margin that suits its lifetime. */
export function refreshDelay(token: TokenInfo, now = Date.now()): number {
  const remaining = token.expiresAt - now;
  if (remaining <= 0) return 0;
  const lifetime = token.issuedAt === null ? remaining : Math.max(remaining, token.expiresAt - token.issuedAt);
  return Math.min(MAX_TIMER_MS, Math.max(0, remaining - Math.min(MAX_MARGIN_MS, lifetime / 3)));
}
