import { type SendResult } from './channels/sender.js';
import { type ClaimedDelivery, type DueNotification, type Outcome } from './outbox.repository.js';
import { quietUntil } from './quiet-hours.js';

/** The longest one send may take (every push of it, a 413's second try, one SMTP exchange): well inside a lease. */
export const SEND_LIMIT_MS = 20_000;
/** Back-off: never more than this between two tries. */
const BACKOFF_CAP_MS = 3600_000;

/** What is known of a delivery (or a digest) when deciding it: its tries so far and its deadline. */
type Tried = Pick<ClaimedDelivery, 'attempts' | 'deadline'>;

/**
 * How long after a failed try of a delivery tried `attempts` times before it the next comes: `baseMs`
 * doubling with each try, capped, spread over its upper half at random (so a cluster's retries of one
 * outage do not all come back at once).
 */
export function backoffMs(attempts: number, baseMs: number, random = Math.random): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, baseMs * 2 ** Math.min(attempts, 20));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * Why a due delivery is not sent at all (null: it is wanted): the notification was deleted or read, a
 * preference turns the channel off (not for critical ones), it is past its deadline, or its user is
 * online and the channel skips online users.
 */
export function skipReason(
  d: Pick<ClaimedDelivery, 'channel' | 'critical' | 'attempts' | 'deadline' | 'userId'>,
  due: DueNotification | undefined,
  online: { skips: boolean; users: ReadonlySet<string> | null },
  now = Date.now(),
): Outcome | null {
  if (!due) return { status: 'skipped', reason: 'deleted' };
  if (due.notification.read) return { status: 'skipped', reason: 'read' };
  const channelOn = d.channel === 'webhook' ? true : due[d.channel];
  if (!d.critical && (!due.offline || !channelOn)) return { status: 'skipped', reason: 'preference' };
  if (now > d.deadline.getTime()) {
    return d.attempts === 0
      ? { status: 'skipped', reason: 'expired' }
      : { status: 'failed', error: 'not sent before its deadline (gave up)' };
  }
  if (online.skips && online.users?.has(d.userId)) return { status: 'skipped', reason: 'online' };
  if (d.channel === 'email' && !due.address) return { status: 'skipped', reason: 'no_address' };
  return null;
}

/**
 * Push and email due inside the user's quiet hours wait until they end, critical ones excepted; their
 * deadline moves with them (at least `maxAgeMs` after the end), so a long night does not expire them.
 */
export function quietOutcome(
  d: Pick<ClaimedDelivery, 'channel' | 'critical'>,
  due: DueNotification,
  maxAgeMs: number,
  now = new Date(),
): Outcome | null {
  if (d.critical || d.channel === 'webhook' || !due.quietHours) return null;
  const until = quietUntil(due.quietHours, now);
  return until ? { status: 'deferred', at: until, deadline: new Date(until.getTime() + maxAgeMs) } : null;
}

/** A send's result as what is recorded: a retry that would come after the deadline is a failure. */
export function outcomeOf(d: Tried, result: SendResult, retryBaseMs: number): Outcome {
  if (result.status === 'sent') return { status: 'sent' };
  if (result.status === 'skipped') return { status: 'skipped', reason: result.reason };
  if (result.status === 'failed') return result;
  const at = Date.now() + (result.retryAfterMs ?? backoffMs(d.attempts, retryBaseMs));
  if (at > d.deadline.getTime()) return { status: 'failed', error: `${result.error} (gave up: past its deadline)` };
  return { status: 'retry', error: result.error, at: new Date(at) };
}

/** Sends, never throwing: a throw or no answer within `limitMs` is a retry. */
export async function sendWithin(send: () => Promise<SendResult>, limitMs = SEND_LIMIT_MS): Promise<SendResult> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${limitMs / 1000} s`)), limitMs);
  });
  try {
    // What it was doing after the limit goes on, unrecorded.
    return await Promise.race([send(), limit]);
  } catch (err) {
    return { status: 'retry', error: errorMessage(err) };
  } finally {
    clearTimeout(timer);
  }
}

export const errorMessage = (err: unknown) => (err instanceof Error ? err.message : String(err));
