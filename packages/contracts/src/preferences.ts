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

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM, 00:00 to 23:59');

/** Whether `zone` is an IANA time zone this runtime knows (`Europe/Berlin`, `UTC`). */
const isTimeZone = (zone: string) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

/**
 * Hours in which push and email wait (critical ones excepted): from `start` to `end`, wall-clock time
 * in `timeZone`; past midnight when `end` is earlier than `start` (22:00 to 07:00). Deliveries due
 * inside them are sent when they end, daylight-saving changes included.
 */
export const quietHoursSchema = z
  .object({
    /** When they begin, `HH:MM` local time. */
    start: clockTime,
    /** When they end, `HH:MM` local time. */
    end: clockTime,
    /** An IANA time zone, e.g. `Europe/Berlin`. */
    timeZone: z.string().min(1).max(64).refine(isTimeZone, 'must be an IANA time zone, e.g. Europe/Berlin'),
  })
  .refine((q) => q.start !== q.end, { message: 'start and end must differ', path: ['end'] });

export type QuietHours = z.infer<typeof quietHoursSchema>;
