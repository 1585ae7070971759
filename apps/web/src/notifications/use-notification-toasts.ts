import { useRealtimeEvent } from '@realtime/react';
import { useEffect, useRef } from 'react';
import { useToasts } from '../toasts/toast-context.js';

// These come with their own events (rank:updated, achievement:unlocked), which toast already.
const TOASTED_ELSEWHERE = new Set(['achievement', 'rank']);
// Replays arrive as a burst right after the handshake; one summary toast says it better than many.
const REPLAY_BATCH_MS = 400;

const replaySummary = (count: number): string =>
  count === 1 ? '1 notification arrived while you were away' : `${count} notifications arrived while you were away`;

/** A toast per live notification, and one summary for those missed while away (the SDK delivers each once). */
export function useNotificationToasts(): void {
  const { notify } = useToasts();
  const missed = useRef({ count: 0, timer: 0 });

  useEffect(() => () => clearTimeout(missed.current.timer), []);

  useRealtimeEvent('notification', ({ notification, replayed }) => {
    if (TOASTED_ELSEWHERE.has(notification.type)) return;
    if (!replayed) {
      notify({ title: notification.title, message: notification.message });
      return;
    }
    const batch = missed.current;
    batch.count += 1;
    clearTimeout(batch.timer);
    batch.timer = window.setTimeout(() => {
      notify({ title: replaySummary(batch.count), message: 'Replayed by the gateway from the last seq this tab saw.' });
      batch.count = 0;
    }, REPLAY_BATCH_MS);
  });
}
