import type { ServerPayload } from '@realtime/contracts';

// Live notifications are emitted within milliseconds of being stored; replays can be hours old.
const REPLAY_AGE_MS = 5_000;

/** Whether a `notification:new` is a replay of one missed while away (both dates are the server's). */
export function isReplay({ notification, timestamp }: ServerPayload<'notification:new'>): boolean {
  const age = Date.parse(timestamp) - Date.parse(notification.createdAt);
  return Number.isFinite(age) && age > REPLAY_AGE_MS;
}

export function replaySummary(count: number): string {
  return count === 1
    ? '1 notification arrived while you were away'
    : `${count} notifications arrived while you were away`;
}
