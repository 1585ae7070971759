import type { LeaderboardEntry } from '@realtime/contracts';
import { useRealtimeClient, useRealtimeEvent } from '@realtime/react';
import { useEffect, useState } from 'react';
import { describeFailure } from '../gateway/failures.js';

export interface BoardOptions {
  /** A group's board (its members only); the global board when absent. */
  groupId?: string;
  /** False until the board may be read, e.g. until the user is a member of the group. */
  ready?: boolean;
}

/**
 * One leaderboard: fetched once, then replaced by each `leaderboard:updated` for that board. Every board
 * shares the event name, so the global one (no `groupId`, sent to everyone) is told apart by the `groupId`.
 */
export function useLeaderboard({ groupId, ready = true }: BoardOptions = {}) {
  const client = useRealtimeClient();
  const [entries, setEntries] = useState<LeaderboardEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!ready) return;
    const controller = new AbortController();
    void client.http.getLeaderboard({ query: { groupId }, signal: controller.signal }).then((res) => {
      // A live update that landed first is newer than this answer.
      if (res.ok) setEntries((current) => current ?? res.body.leaderboard);
      else if (res.error.code !== 'ABORTED') setError(describeFailure(res.error));
    });
    return () => controller.abort();
  }, [client, groupId, ready]);

  useRealtimeEvent('leaderboard:updated', (update) => {
    if (update.groupId !== groupId) return;
    setEntries(update.leaderboard);
    setError(null);
  });

  return { entries, error };
}
