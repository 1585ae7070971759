import type { Preferences } from '@realtime/contracts';
import { useRealtimeClient, useRealtimeEvent } from '@realtime/react';
import { useCallback, useEffect, useRef, useState } from 'react';
import { describeFailure } from '../gateway/failures.js';
import { useToasts } from '../toasts/toast-context.js';
import { type Channel, withChannel } from './channels.js';

/**
 * The user's notification preferences: fetched once, kept live by `preferences:updated` (a change in
 * another tab or device), and changed one channel at a time, shown at once and undone if the gateway refuses.
 */
export function usePreferences() {
  const client = useRealtimeClient();
  const { notify } = useToasts();
  const [preferences, setPreferences] = useState<Preferences | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Only the latest change's answer is applied: an earlier one answered late would undo a later toggle.
  const latestChange = useRef(0);

  const load = useCallback(
    (signal?: AbortSignal) =>
      client.http.getPreferences(signal ? { signal } : {}).then((res) => {
        // A live update that landed first is newer than this answer.
        if (res.ok) {
          setPreferences((current) => current ?? res.body.preferences);
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

  useRealtimeEvent('preferences:updated', (update) => {
    setPreferences(update.preferences);
    setError(null);
  });

  const change = async (type: string, channel: Channel, on: boolean) => {
    const id = ++latestChange.current;
    setPreferences((p) => p && withChannel(p, type, channel, on));
    // Only the one field: the gateway merges it, so a change made meanwhile in another tab is kept.
    const res = await client.http.updatePreferences({ body: { preferences: { [type]: { [channel]: on } } } });
    if (res.ok) {
      if (id === latestChange.current) setPreferences(res.body.preferences);
      return;
    }
    setPreferences((p) => p && withChannel(p, type, channel, !on));
    notify({ tone: 'error', title: 'Could not save the setting', message: describeFailure(res.error) });
  };

  return { preferences, error, change, retry: () => void load() };
}
