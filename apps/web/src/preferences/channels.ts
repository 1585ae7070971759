import type { ChannelPreference, Preferences } from '@realtime/contracts';

export type Channel = keyof ChannelPreference;

/** Whether `channel` is on for `type`; a type never set is on for both, as the gateway treats it. */
export const channelOn = (preferences: Preferences | null, type: string, channel: Channel): boolean =>
  preferences?.[type]?.[channel] ?? true;

/** `preferences` with one channel of one type changed, the other channel as it was (or on). */
export function withChannel(preferences: Preferences, type: string, channel: Channel, on: boolean): Preferences {
  const current = { inApp: channelOn(preferences, type, 'inApp'), offline: channelOn(preferences, type, 'offline') };
  return { ...preferences, [type]: { ...current, [channel]: on } };
}
