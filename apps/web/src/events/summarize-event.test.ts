import { describe, expect, it } from 'vitest';
import { summarizeEvent } from './summarize-event.js';

describe('summarizeEvent', () => {
  it('names a new notification by seq and title', () => {
    expect(summarizeEvent('notification:new', { notification: { seq: 4, title: 'Hi' }, timestamp: 'x' })).toBe(
      'seq 4 · “Hi”',
    );
  });

  it('summarises the leaderboard by its leader', () => {
    const leaderboard = [{ userId: 'grace', displayName: 'Grace', xp: 90, position: 1 }];
    expect(summarizeEvent('leaderboard:updated', { leaderboard })).toBe('1 entries · top Grace (90 XP)');
  });

  it("names a group's board", () => {
    const leaderboard = [{ userId: 'ada', xp: 0, position: 1 }];
    expect(summarizeEvent('leaderboard:updated', { leaderboard, groupId: 'class-a' })).toBe(
      'class-a · 1 entries · top ada (0 XP)',
    );
  });

  it('lists other payloads as key: value and never shows a token', () => {
    expect(summarizeEvent('xp:gained', { amount: 50, source: 'mission', totalXp: 50 })).toBe(
      'amount: 50, source: mission, totalXp: 50',
    );
    expect(summarizeEvent('auth:refresh', { token: 'secret' })).toBe('');
  });

  it('cuts long payloads short', () => {
    const line = summarizeEvent('error', { message: 'x'.repeat(300) });
    expect(line.length).toBeLessThanOrEqual(90);
    expect(line.endsWith('…')).toBe(true);
  });
});
