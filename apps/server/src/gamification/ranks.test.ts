import { describe, expect, it } from 'vitest';
import { RANKS, rankFor } from './ranks.js';

describe('rankFor', () => {
  it('starts at Novato with the next threshold as xpRequired', () => {
    expect(rankFor(0)).toEqual({ rank: 'Novato', rankFloor: 0, nextRank: 'Aprendiz', xpRequired: 100 });
    expect(rankFor(99).rank).toBe('Novato');
  });

  it('moves up exactly at each threshold', () => {
    for (const [i, r] of RANKS.entries()) {
      expect(rankFor(r.minXp).rank).toBe(r.name);
      if (i > 0) expect(rankFor(r.minXp - 1).rank).toBe(RANKS[i - 1]!.name);
    }
  });

  it('has no next rank at the top', () => {
    expect(rankFor(1_000_000)).toEqual({ rank: 'Leyenda', rankFloor: 5000, nextRank: null, xpRequired: null });
  });
});
