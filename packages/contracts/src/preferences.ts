import { z } from 'zod';
import { notificationSchema } from './notification.js';

/** Whether notifications of one type reach the user. */
export const channelPreferenceSchema = z.object({
  /** Stored and delivered to the user's devices; false: neither (unless the publisher marks it critical). */
  inApp: z.boolean(),
  /** Every offline channel (push, email, webhook); false turns them all off, whatever the two below say. */
  offline: z.boolean(),
  /** Web Push to the user's subscribed browsers. */
  push: z.boolean(),
  /** Email. */
  email: z.boolean(),
});

export type ChannelPreference = z.infer<typeof channelPreferenceSchema>;

/** A user's preferences by notification `type`; a type never set is on for every channel. */
export const preferencesSchema = z.record(notificationSchema.shape.type, channelPreferenceSchema);

export type Preferences = z.infer<typeof preferencesSchema>;
