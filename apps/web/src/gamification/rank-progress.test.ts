import { describe, expect, it } from 'vitest';
import { rankProgress } from './rank-progress.js';

describe('rankProgress', () => {
  it('measures progress from the floor of the current rank', () => {
    expect(rankProgress({ xp: 175, rankFloor: 100, xpRequired: 250 })).toEqual({
      percent: 50,
      remaining: 75,
      earned: 75,
      span: 150,
    });
  });

  it('starts empty at the floor', () => {
    expect(rankProgress({ xp: 0, rankFloor: 0, xpRequired: 100 })).toMatchObject({ percent: 0, remaining: 100 });
  });

  it('fills the bar at the top rank', () => {
    expect(rankProgress({ xp: 5000, rankFloor: 2500, xpRequired: null })).toEqual({
      percent: 100,
      remaining: 0,
      earned: 2500,
      span: null,
    });
  });

  it('clamps when XP ran ahead of a profile not yet refetched', () => {
    expect(rankProgress({ xp: 300, rankFloor: 100, xpRequired: 250 })).toMatchObject({ percent: 100, remaining: 0 });
  });
});
