/** The notification types this demo sends (the gateway itself sends `achievement` and `rank`), as settings list them. */
export const NOTIFICATION_TYPES = [
  { type: 'info', label: 'Updates' },
  { type: 'message', label: 'Messages' },
  { type: 'announcement', label: 'Class announcements' },
  { type: 'achievement', label: 'Achievements' },
  { type: 'rank', label: 'Rank changes' },
] as const;

export type NotificationTypeInfo = (typeof NOTIFICATION_TYPES)[number];
