import { useEffect, useRef } from 'react';
import { useSocketEvent } from '../socket/use-socket.js';
import { useToasts } from '../toasts/toast-context.js';
import { isReplay, replaySummary } from './replay.js';

// These come with their own events (rank:updated, achievement:unlocked), which toast already.
const TOASTED_ELSEWHERE = new Set(['achievement', 'rank']);
// Replays arrive as a burst right after the handshake; one summary toast says it better than many.
const REPLAY_BATCH_MS = 400;

/** A toast per live notification, and one summary for those replayed after a reconnect. */
export function useNotificationToasts(): void {
  const { notify } = useToasts();
  const seen = useRef(new Set<string>());
  const replayed = useRef({ count: 0, timer: 0 });

  useEffect(() => () => clearTimeout(replayed.current.timer), []);

  useSocketEvent('notification:new', (payload) => {
    const { notification } = payload;
    if (seen.current.has(notification.id)) return;
    seen.current.add(notification.id);

    if (TOASTED_ELSEWHERE.has(notification.type)) return;
    if (!isReplay(payload)) {
      notify({ title: notification.title, message: notification.message });
      return;
    }
    const batch = replayed.current;
    batch.count += 1;
    clearTimeout(batch.timer);
    batch.timer = window.setTimeout(() => {
      notify({ title: replaySummary(batch.count), message: 'Replayed by the gateway from the last seq this tab saw.' });
      batch.count = 0;
    }, REPLAY_BATCH_MS);
  });
}
