import { describe, expect, it } from 'vitest';
import { channelOn, withChannel } from './channels.js';

describe('channelOn', () => {
  it('is on for a type never set, and before anything is loaded', () => {
    expect(channelOn({}, 'info', 'inApp')).toBe(true);
    expect(channelOn(null, 'info', 'offline')).toBe(true);
  });

  it('reads the channel of a type that was set', () => {
    const preferences = { rank: { inApp: false, offline: true } };
    expect(channelOn(preferences, 'rank', 'inApp')).toBe(false);
    expect(channelOn(preferences, 'rank', 'offline')).toBe(true);
  });
});

describe('withChannel', () => {
  it('sets one channel and keeps the other on for a type never set', () => {
    expect(withChannel({}, 'info', 'offline', false)).toEqual({ info: { inApp: true, offline: false } });
  });

  it('keeps the other channel and the other types as they were', () => {
    const before = { info: { inApp: false, offline: false }, rank: { inApp: false, offline: true } };
    expect(withChannel(before, 'info', 'offline', true)).toEqual({
      info: { inApp: false, offline: true },
      rank: { inApp: false, offline: true },
    });
    expect(before.info.offline).toBe(false);
  });
});
