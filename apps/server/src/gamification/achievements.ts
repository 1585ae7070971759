export interface Achievement {
  id: string;
  title: string;
  description: string;
  icon: string;
  /** Whether a user with this total XP, just awarded XP from `source`, has earned it. */
  earned(state: { xp: number; source: string }): boolean;
}

/** Every achievement; each is unlocked at most once per user. */
export const ACHIEVEMENTS: readonly Achievement[] = [
  {
    id: 'first-xp',
    title: 'First steps',
    description: 'Earned your first XP',
    icon: '👣',
    earned: ({ xp }) => xp > 0,
  },
  {
    id: 'first-mission',
    title: 'First mission',
    description: 'Completed your first mission',
    icon: '🎯',
    earned: ({ source }) => source === 'mission',
  },
  {
    id: 'xp-500',
    title: 'Rising star',
    description: 'Reached 500 XP',
    icon: '⭐',
    earned: ({ xp }) => xp >= 500,
  },
  {
    id: 'xp-1000',
    title: 'Thousand club',
    description: 'Reached 1000 XP',
    icon: '🏆',
    earned: ({ xp }) => xp >= 1000,
  },
];

export const achievementById = new Map(ACHIEVEMENTS.map((a) => [a.id, a]));
