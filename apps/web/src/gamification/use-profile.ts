import type { Profile } from '@realtime/contracts';
import { useRealtimeClient, useRealtimeEvent } from '@realtime/react';
import { useCallback, useEffect, useState } from 'react';
import { describeFailure } from '../gateway/failures.js';
import { useToasts } from '../toasts/toast-context.js';

export interface XpGain {
  amount: number;
  /** Distinguishes two equal gains in a row, so each one animates. */
  key: number;
}

export type Achievement = Profile['achievements'][number];

/** The user's XP, rank and achievements: fetched once, then kept live by socket events. */
export function useProfile() {
  const client = useRealtimeClient();
  const { notify } = useToasts();
  const [profile, setProfile] = useState<Profile | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [lastGain, setLastGain] = useState<XpGain | null>(null);

  const load = useCallback(
    (signal?: AbortSignal) =>
      client.http.getProfile(signal ? { signal } : {}).then((res) => {
        if (res.ok) {
          setProfile(res.body);
          setError(null);
        } else if (res.error.code !== 'ABORTED') setError(describeFailure(res.error));
      }),
    [client],
  );

  useEffect(() => {
    const controller = new AbortController();
    void load(controller.signal);
    return () => controller.abort();
  }, [load]);

  useRealtimeEvent('xp:gained', ({ amount, totalXp }) => {
    setProfile((p) => (p ? { ...p, xp: totalXp } : p));
    setLastGain((g) => ({ amount, key: (g?.key ?? 0) + 1 }));
  });

  useRealtimeEvent('rank:updated', ({ newRank }) => {
    notify({ tone: 'success', title: `Rank up: ${newRank}`, message: 'Your progress bar starts a new rank.' });
    // The event has no floor for the new rank; the profile does.
    void load();
  });

  useRealtimeEvent('achievement:unlocked', ({ achievementId, title, description, icon }) => {
    notify({ tone: 'achievement', title: `Achievement unlocked: ${title}`, message: description, icon });
    setProfile((p) =>
      p && !p.achievements.some((a) => a.achievementId === achievementId)
        ? {
            ...p,
            achievements: [
              ...p.achievements,
              {
                achievementId,
                title,
                description: description ?? '',
                icon: icon ?? '🏅',
                unlockedAt: new Date().toISOString(),
              },
            ],
          }
        : p,
    );
  });

  return { profile, error, lastGain, retry: () => void load() };
}
