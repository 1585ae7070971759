import { useCallback, useEffect, useState } from 'react';
import { fetchProfile } from '../api/gamification.js';
import { describeError, isAbort } from '../api/http.js';
import type { Profile } from '../api/types.js';
import { useSignedIn } from '../session/session-context.js';
import { useSocketEvent } from '../socket/use-socket.js';
import { useToasts } from '../toasts/toast-context.js';

export interface XpGain {
  amount: number;
  /** Distinguishes two equal gains in a row, so each one animates. */
  key: number;
}

/** The user's XP, rank and achievements: fetched once, then kept live by socket events. */
export function useProfile() {
  const { authed } = useSignedIn();
  const { notify } = useToasts();
  const [profile, setProfile] = useState<Profile | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [lastGain, setLastGain] = useState<XpGain | null>(null);

  const load = useCallback(
    (signal?: AbortSignal) =>
      authed((token) => fetchProfile(token, signal))
        .then((next) => {
          setProfile(next);
          setError(null);
        })
        .catch((err: unknown) => {
          if (!isAbort(err)) setError(describeError(err));
        }),
    [authed],
  );

  useEffect(() => {
    const controller = new AbortController();
    void load(controller.signal);
    return () => controller.abort();
  }, [load]);

  useSocketEvent('xp:gained', ({ amount, totalXp }) => {
    setProfile((p) => (p ? { ...p, xp: totalXp } : p));
    setLastGain((g) => ({ amount, key: (g?.key ?? 0) + 1 }));
  });

  useSocketEvent('rank:updated', ({ newRank }) => {
    notify({ tone: 'success', title: `Rank up: ${newRank}`, message: 'Your progress bar starts a new rank.' });
    // The event has no floor for the new rank; the profile does.
    void load();
  });

  useSocketEvent('achievement:unlocked', ({ achievementId, title, description, icon }) => {
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
