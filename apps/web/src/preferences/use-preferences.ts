import type { Preferences, PreferencesResponse, QuietHours } from '@realtime/contracts';
import { useRealtimeClient, useRealtimeEvent } from '@realtime/react';
import { useCallback, useEffect, useRef, useState } from 'react';
import { describeFailure } from '../gateway/failures.js';
import { useToasts } from '../toasts/toast-context.js';
import { type Channel, withChannel } from './channels.js';
import { sameQuietHours } from './quiet-hours.js';

/** What the gateway answers and `preferences:updated` carries, with "no quiet hours" as null. */
interface Settings {
  preferences: Preferences;
  quietHours: QuietHours | null;
}

const settingsOf = ({ preferences, quietHours }: PreferencesResponse): Settings => ({
  preferences,
  quietHours: quietHours ?? null,
});

/**
 * The user's notification preferences and quiet hours: fetched once, kept live by `preferences:updated` (a change
 * in another tab or device), and changed one channel (or the quiet hours) at a time, shown at once and undone if
 * the gateway refuses.
 */
export function usePreferences() {
  const client = useRealtimeClient();
  const { notify } = useToasts();
  const [settings, setSettings] = useState<Settings | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Only the latest change's answer is applied: an earlier one answered late would undo a later change.
  const latestChange = useRef(0);

  const load = useCallback(
    (signal?: AbortSignal) =>
      client.http.getPreferences(signal ? { signal } : {}).then((res) => {
        // A live update that landed first is newer than this answer.
        if (res.ok) {
          setSettings((current) => current ?? settingsOf(res.body));
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
    setSettings(settingsOf(update));
    setError(null);
  });

  const change = async (type: string, channel: Channel, on: boolean) => {
    const id = ++latestChange.current;
    setSettings((s) => s && { ...s, preferences: withChannel(s.preferences, type, channel, on) });
    // Only the one field: the gateway merges it, so a change made meanwhile in another tab is kept.
    const res = await client.http.updatePreferences({ body: { preferences: { [type]: { [channel]: on } } } });
    if (res.ok) {
      if (id === latestChange.current) setSettings(settingsOf(res.body));
      return;
    }
    setSettings((s) => s && { ...s, preferences: withChannel(s.preferences, type, channel, !on) });
    notify({ tone: 'error', title: 'Could not save the setting', message: describeFailure(res.error) });
  };

  /** Sets the quiet hours (null: none); resolves whether the gateway saved them. */
  const changeQuietHours = async (quietHours: QuietHours | null): Promise<boolean> => {
    const id = ++latestChange.current;
    const before = settings?.quietHours ?? null;
    setSettings((s) => s && { ...s, quietHours });
    // Quiet hours alone: the gateway keeps the per-type preferences as they are.
    const res = await client.http.updatePreferences({ body: { quietHours } });
    if (res.ok) {
      if (id === latestChange.current) setSettings(settingsOf(res.body));
      return true;
    }
    // Undone unless something newer (another tab, a later change) has replaced them meanwhile.
    setSettings((s) => s && (sameQuietHours(s.quietHours, quietHours) ? { ...s, quietHours: before } : s));
    notify({ tone: 'error', title: 'Could not save the quiet hours', message: describeFailure(res.error) });
    return false;
  };

  return {
    preferences: settings?.preferences ?? null,
    quietHours: settings?.quietHours ?? null,
    error,
    change,
    changeQuietHours,
    retry: () => void load(),
  };
}
