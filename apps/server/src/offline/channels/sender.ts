import { type DeliveryChannel, type SkipReason } from '@realtime/contracts';
import { type ClaimedDelivery, type DueNotification } from '../outbox.repository.js';

/** What one send came to. */
export type SendResult =
  | { status: 'sent'; detail?: string }
  /** Nothing to send to (no subscription left, no address); `tried`: false when nothing was sent at all. */
  | { status: 'skipped'; reason: SkipReason; tried?: boolean }
  /** Sending again cannot help (a refused request, a configuration problem). */
  | { status: 'failed'; error: string }
  /** It may work later: after `retryAfterMs` when the other side said so (`Retry-After`). */
  | { status: 'retry'; error: string; retryAfterMs?: number };

/** One offline channel: how a due delivery is sent. */
export interface OfflineSender {
  readonly channel: DeliveryChannel;
  /** Skipped while the user has a socket open (the user sees it in the app). */
  readonly skipWhenOnline: boolean;
  /** Seconds after the notification its delivery is due, unless the publisher says otherwise. */
  readonly delaySeconds: number;
  /** The longest one send may take, when not the worker's default (inside the claim's lease either way). */
  readonly sendLimitMs?: number;
  /** The delay for one notification type, when the channel has its own per type. */
  delayFor?(type: string): number;
  /** Before a batch is sent: loads what its sends need in one go (the users' subscriptions). */
  prepare?(userIds: readonly string[]): Promise<void>;
  /** Never throws for a failed send: it answers what became of it. */
  send(delivery: ClaimedDelivery, due: DueNotification): Promise<SendResult>;
}

/** The injection token of the channels this server has (none configured: an empty list). */
export const OFFLINE_SENDERS = Symbol('OFFLINE_SENDERS');

/** `Retry-After` as milliseconds: seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: string | string[] | null | undefined, now = Date.now()): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
