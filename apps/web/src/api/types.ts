import type { Profile, Role } from '@realtime/contracts';

export type {
  AwardXpBody,
  CreateNotificationBody,
  LeaderboardEntry,
  NotificationPage,
  Profile,
} from '@realtime/contracts';

/** `POST /api/dev/token` (development servers only). */
export interface DevToken {
  token: string;
  userId: string;
  email: string;
  role: Role;
  displayName: string;
  /** ISO-8601. */
  expiresAt: string;
}

export type Achievement = Profile['achievements'][number];
