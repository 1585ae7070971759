import type { ChannelPreference, Preferences } from '@realtime/contracts';

export type Channel = keyof ChannelPreference;

/** Every channel, in the order the settings show them. */
export const CHANNELS = ['inApp', 'offline', 'push', 'email'] as const satisfies readonly Channel[];

/** The channels `offline: false` turns off whatever they say. */
const OFFLINE_CHANNELS: ReadonlySet<Channel> = new Set(['push', 'email']);

/** Whether `channel` is set on for `type`; a type never set is on for every channel, as the gateway treats it. */
export const channelOn = (preferences: Preferences | null, type: string, channel: Channel): boolean =>
  preferences?.[type]?.[channel] ?? true;

/** Whether the gateway uses `channel` for `type`: push and email also need `offline` on. */
export const channelEffective = (preferences: Preferences | null, type: string, channel: Channel): boolean =>
  channelOn(preferences, type, channel) && (!OFFLINE_CHANNELS.has(channel) || channelOn(preferences, type, 'offline'));

/** `preferences` with one channel of one type changed, the other channels as they were (or on). */
export function withChannel(preferences: Preferences, type: string, channel: Channel, on: boolean): Preferences {
  const current = Object.fromEntries(CHANNELS.map((c) => [c, channelOn(preferences, type, c)])) as ChannelPreference;
  return { ...preferences, [type]: { ...current, [channel]: on } };
}
