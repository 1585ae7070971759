import { z } from 'zod';
import { userIdSchema } from './auth.js';
import { groupIdSchema } from './groups-http.js';
import { leaderboardEntrySchema } from './server-events.js';

/** The body of `POST /api/xp` (service, admin). */
export const awardXpBodySchema = z.object({
  /** Who gains the XP. */
  userId: userIdSchema,
  /** How much, 1 to 100000. */
  amount: z.number().int().min(1).max(100_000),
  /** What it is for, e.g. `mission`; shown to the user in `xp:gained`. */
  source: z.string().min(1).max(100),
  /** The name to show on the leaderboard, when you know it. */
  displayName: z.string().min(1).max(100).optional(),
});

export type AwardXpBody = z.infer<typeof awardXpBodySchema>;

/** An unlocked achievement. */
export const unlockedAchievementSchema = z.object({
  achievementId: z.string(),
  title: z.string(),
  description: z.string(),
  icon: z.string(),
  /** ISO-8601. */
  unlockedAt: z.string(),
});

/** `GET /api/profile` and the answer of `POST /api/xp`: a user's XP, rank and achievements. */
export const profileSchema = z.object({
  userId: z.string(),
  displayName: z.string().nullable(),
  /** Total XP. */
  xp: z.number().int().nonnegative(),
  /** Current rank. */
  rank: z.string(),
  /** XP at which the current rank starts. */
  rankFloor: z.number().int().nonnegative(),
  /** The next rank, null at the top. */
  nextRank: z.string().nullable(),
  /** Total XP needed for `nextRank`, null at the top. */
  xpRequired: z.number().int().nullable(),
  achievements: z.array(unlockedAchievementSchema),
});

export type Profile = z.infer<typeof profileSchema>;

/** The query of `GET /api/leaderboard`. */
export const leaderboardQuerySchema = z.object({
  /** A group's board (its members only); the global board when absent. */
  groupId: groupIdSchema.optional(),
});

/** `GET /api/leaderboard`: the top of the board, the same shape as `leaderboard:updated`. */
export const leaderboardResponseSchema = z.object({
  leaderboard: z.array(leaderboardEntrySchema),
  /** The group whose board this is; absent for the global board. */
  groupId: groupIdSchema.optional(),
});
