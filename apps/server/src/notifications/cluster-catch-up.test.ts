import { describe, expect, it } from 'vitest';
import { SentPosition } from './cluster-catch-up.js';
import { REPLAY_LIMIT } from './notifications.service.js';

describe('SentPosition', () => {
  it('a later seq does not close a gap: the catch-up still sends what is missing', () => {
    const position = new SentPosition(9);
    position.sent(73); // a live emit through Redis, back before the catch-up ran
    expect(position.upTo).toBe(9);
    expect(position.has(10)).toBe(false);
    expect(position.has(73)).toBe(true);
  });

  it('filling the gap moves the position past what was sent above it', () => {
    const position = new SentPosition(4);
    position.sent(6);
    position.sent(7);
    position.sent(5);
    expect(position.upTo).toBe(7);
    position.sentUpTo(10); // a resync
    position.sent(12);
    position.sent(11);
    expect(position.upTo).toBe(12);
  });

  it('a resync that reaches a gap joins what was sent above it', () => {
    const position = new SentPosition(4);
    position.sent(6);
    position.sent(7);
    position.sentUpTo(5);
    expect(position.upTo).toBe(7);
  });

  it('gives up on a gap no catch-up fills instead of tracking it forever', () => {
    const position = new SentPosition(0);
    for (let seq = 2; seq <= REPLAY_LIMIT + 2; seq++) position.sent(seq);
    expect(position.upTo).toBe(REPLAY_LIMIT + 2);
  });
});
