import type { LeaderboardEntry } from '@realtime/contracts';
import { useRealtimeClient, useRealtimeEvent } from '@realtime/react';
import { useEffect, useState } from 'react';
import { describeFailure } from '../gateway/failures.js';

/** The global leaderboard: fetched once, then replaced by every `leaderboard:updated` (sent to everyone). */
export function useLeaderboard() {
  const client = useRealtimeClient();
  const [entries, setEntries] = useState<LeaderboardEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    void client.http.getLeaderboard({ signal: controller.signal }).then((res) => {
      // A live update that landed first is newer than this answer.
      if (res.ok) setEntries((current) => current ?? res.body.leaderboard);
      else if (res.error.code !== 'ABORTED') setError(describeFailure(res.error));
    });
    return () => controller.abort();
  }, [client]);

  useRealtimeEvent('leaderboard:updated', ({ leaderboard }) => {
    setEntries(leaderboard);
    setError(null);
  });

  return { entries, error };
}
