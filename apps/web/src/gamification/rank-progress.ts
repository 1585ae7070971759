export interface RankProgressInput {
  xp: number;
  rankFloor: number;
  xpRequired: number | null;
}

export interface RankProgress {
  /** 0 to 100, for the bar. */
  percent: number;
  /** XP still needed for the next rank; 0 at the top rank. */
  remaining: number;
  /** XP earned within the current rank. */
  earned: number;
  /** XP the current rank spans; null at the top rank. */
  span: number | null;
}

/** Where the user stands between the floor of their rank and the next one. */
export function rankProgress({ xp, rankFloor, xpRequired }: RankProgressInput): RankProgress {
  const earned = Math.max(0, xp - rankFloor);
  if (xpRequired === null || xpRequired <= rankFloor) return { percent: 100, remaining: 0, earned, span: null };
  const span = xpRequired - rankFloor;
  const percent = Math.min(100, Math.max(0, (earned / span) * 100));
  return { percent, remaining: Math.max(0, xpRequired - xp), earned, span };
}
