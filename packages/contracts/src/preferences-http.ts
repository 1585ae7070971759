import { z } from 'zod';
import { notificationSchema } from './notification.js';
import { channelPreferenceSchema, preferencesSchema, quietHoursSchema } from './preferences.js';

/** `GET /api/preferences`, `PUT /api/preferences` (and the payload of `preferences:updated`). */
export const preferencesResponseSchema = z.object({
  preferences: preferencesSchema,
  /** The user's quiet hours; absent when they have none. */
  quietHours: quietHoursSchema.optional(),
});

export type PreferencesResponse = z.infer<typeof preferencesResponseSchema>;

/**
 * The body of `PUT /api/preferences`: `preferences` merged by type (a field left out stays as it
 * was); `quietHours` replaced when given (`null` removes them), kept when left out.
 */
export const updatePreferencesBodySchema = z
  .object({
    preferences: z
      .record(notificationSchema.shape.type, channelPreferenceSchema.partial())
      .refine((p) => Object.keys(p).length <= 100, 'at most 100 types at once')
      .optional(),
    quietHours: quietHoursSchema.nullable().optional(),
  })
  .refine((b) => b.preferences !== undefined || b.quietHours !== undefined, 'give preferences, quietHours or both');

export type UpdatePreferencesBody = z.infer<typeof updatePreferencesBodySchema>;
