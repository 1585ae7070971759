import type { LeaderboardEntry } from '@realtime/contracts';
import { useEffect, useState } from 'react';
import { fetchLeaderboard } from '../api/gamification.js';
import { describeError, isAbort } from '../api/http.js';
import { useSignedIn } from '../session/session-context.js';
import { useSocketEvent } from '../socket/use-socket.js';

/** The global leaderboard: fetched once, then replaced by every `leaderboard:updated` (sent to everyone). */
export function useLeaderboard() {
  const { authed } = useSignedIn();
  const [entries, setEntries] = useState<LeaderboardEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    authed((token) => fetchLeaderboard(token, controller.signal))
      // A live update that landed first is newer than this answer.
      .then(({ leaderboard }) => setEntries((current) => current ?? leaderboard))
      .catch((err: unknown) => {
        if (!isAbort(err)) setError(describeError(err));
      });
    return () => controller.abort();
  }, [authed]);

  useSocketEvent('leaderboard:updated', ({ leaderboard }) => {
    setEntries(leaderboard);
    setError(null);
  });

  return { entries, error };
}
