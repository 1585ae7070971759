import { z } from 'zod';
import { notificationSchema } from './notification.js';

/** Whether notifications of one type reach the user. */
export const channelPreferenceSchema = z.object({
  /** Stored and delivered to the user's devices; false: neither (unless the publisher marks it critical). */
  inApp: z.boolean(),
  /** Handed to the offline channel when the user has no socket; false: skipped. */
  offline: z.boolean(),
});

export type ChannelPreference = z.infer<typeof channelPreferenceSchema>;

/** A user's preferences by notification `type`; a type never set is on for both. */
export const preferencesSchema = z.record(notificationSchema.shape.type, channelPreferenceSchema);

export type Preferences = z.infer<typeof preferencesSchema>;
