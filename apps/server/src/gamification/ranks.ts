/** Ranks by total XP, lowest first. */
export const RANKS = [
  { name: 'Novato', minXp: 0 },
  { name: 'Aprendiz', minXp: 100 },
  { name: 'Intermedio', minXp: 300 },
  { name: 'Avanzado', minXp: 600 },
  { name: 'Experto', minXp: 1000 },
  { name: 'Maestro', minXp: 2000 },
  { name: 'Leyenda', minXp: 5000 },
] as const;

export interface RankInfo {
  rank: string;
  /** XP at which this rank starts. */
  rankFloor: number;
  nextRank: string | null;
  /** Total XP needed for the next rank, null at the top. */
  xpRequired: number | null;
}

export function rankFor(xp: number): RankInfo {
  let i = 0;
  while (i + 1 < RANKS.length && xp >= RANKS[i + 1]!.minXp) i++;
  const next = RANKS[i + 1];
  return {
    rank: RANKS[i]!.name,
    rankFloor: RANKS[i]!.minXp,
    nextRank: next?.name ?? null,
    xpRequired: next?.minXp ?? null,
  };
}
