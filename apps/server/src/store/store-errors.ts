/** The store did not answer (down, unreachable, too slow): the request may succeed if retried later. */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The protocol counts a statement's bind parameters in 16 bits: past this the count wraps. */
const MAX_PARAMETERS = 65_535;

/**
 * Refuses a statement with more bind parameters than the protocol can count, before it is sent: sent,
 * its count would wrap, and the server would answer a protocol violation (taken for a broken
 * connection). A bug in the caller, never unavailability; statements pass arrays instead.
 */
export function checkParameterCount(parameters: readonly unknown[]): void {
  if (parameters.length > MAX_PARAMETERS) {
    throw new Error(`a statement with ${parameters.length} bind parameters (at most ${MAX_PARAMETERS}): pass an array`);
  }
}

/** Socket errors of a peer that is gone, refuses or cannot be reached. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** node-postgres' own words for a connection that broke, never answered, or was dropped as broken. */
const BROKEN_MESSAGES = [
  /^Connection terminated/,
  /^timeout expired$/,
  /^Query read timeout$/,
  /is not queryable$/,
  /^Postgres connection has been discarded$/,
];

/** SQLSTATEs of a server that went away or refused to connect (class 08, shutdown, too many clients). */
const BROKEN_SQLSTATE = /^(08...|57P0[1-3]|53300)$/;
/** SQLSTATEs of a server that answers, but too late: statement or lock timeout. */
const SLOW_SQLSTATE = /^(57014|55P03)$/;

/**
 * How an error relates to the store's availability: `broken` when the connection it came from is
 * unusable (and, likely, every connection opened before it), `unavailable` when the store answered
 * too late or not at all, `other` for anything else: a bug or a refused value, never unavailability.
 */
export function storeFailure(err: unknown): 'broken' | 'unavailable' | 'other' {
  for (let e = err, hops = 0; e && typeof e === 'object' && hops < 5; e = (e as { cause?: unknown }).cause, hops++) {
    if (e instanceof StoreUnavailableError) return 'unavailable';
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || BROKEN_SQLSTATE.test(code))) return 'broken';
    if (typeof code === 'string' && SLOW_SQLSTATE.test(code)) return 'unavailable';
    if (typeof message === 'string' && BROKEN_MESSAGES.some((m) => m.test(message))) return 'broken';
    // pg-pool: every connection is busy and none came free in time.
    if (message === 'timeout exceeded when trying to connect') return 'unavailable';
  }
  return 'other';
}

/** Whether `err` says the store did not answer, as opposed to a bug or a refused value. */
export const isStoreUnavailable = (err: unknown): boolean => storeFailure(err) !== 'other';
