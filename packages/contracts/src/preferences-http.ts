import { z } from 'zod';
import { notificationSchema } from './notification.js';
import { channelPreferenceSchema, preferencesSchema } from './preferences.js';

/** `GET /api/preferences`, `PUT /api/preferences` (and the payload of `preferences:updated`). */
export const preferencesResponseSchema = z.object({ preferences: preferencesSchema });

/** The body of `PUT /api/preferences`: merged by type, a field left out stays as it was. */
export const updatePreferencesBodySchema = z.object({
  preferences: z
    .record(notificationSchema.shape.type, channelPreferenceSchema.partial())
    .refine((p) => Object.keys(p).length <= 100, 'at most 100 types at once'),
});

export type UpdatePreferencesBody = z.infer<typeof updatePreferencesBodySchema>;
