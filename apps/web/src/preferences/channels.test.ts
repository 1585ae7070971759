import { describe, expect, it } from 'vitest';
import { channelEffective, channelOn, withChannel } from './channels.js';

const allOn = { inApp: true, offline: true, push: true, email: true };

describe('channelOn', () => {
  it('is on for a type never set, and before anything is loaded', () => {
    expect(channelOn({}, 'info', 'inApp')).toBe(true);
    expect(channelOn(null, 'info', 'offline')).toBe(true);
    expect(channelOn({}, 'info', 'push')).toBe(true);
    expect(channelOn(null, 'info', 'email')).toBe(true);
  });

  it('reads the channel of a type that was set', () => {
    const preferences = { rank: { inApp: false, offline: true, push: false, email: true } };
    expect(channelOn(preferences, 'rank', 'inApp')).toBe(false);
    expect(channelOn(preferences, 'rank', 'offline')).toBe(true);
    expect(channelOn(preferences, 'rank', 'push')).toBe(false);
    expect(channelOn(preferences, 'rank', 'email')).toBe(true);
  });
});

describe('channelEffective', () => {
  it('turns push and email off with offline, whatever they say, and leaves in-app alone', () => {
    const preferences = { rank: { inApp: true, offline: false, push: true, email: true } };
    expect(channelEffective(preferences, 'rank', 'push')).toBe(false);
    expect(channelEffective(preferences, 'rank', 'email')).toBe(false);
    expect(channelEffective(preferences, 'rank', 'inApp')).toBe(true);
    expect(channelEffective(preferences, 'rank', 'offline')).toBe(false);
  });

  it('follows each channel while offline is on', () => {
    const preferences = { rank: { ...allOn, push: false } };
    expect(channelEffective(preferences, 'rank', 'push')).toBe(false);
    expect(channelEffective(preferences, 'rank', 'email')).toBe(true);
    expect(channelEffective({}, 'info', 'push')).toBe(true);
  });
});

describe('withChannel', () => {
  it('sets one channel and keeps the others on for a type never set', () => {
    expect(withChannel({}, 'info', 'offline', false)).toEqual({ info: { ...allOn, offline: false } });
    expect(withChannel({}, 'info', 'push', false)).toEqual({ info: { ...allOn, push: false } });
  });

  it('keeps the other channels and the other types as they were', () => {
    const before = {
      info: { inApp: false, offline: false, push: true, email: false },
      rank: { inApp: false, offline: true, push: false, email: true },
    };
    expect(withChannel(before, 'info', 'offline', true)).toEqual({
      info: { inApp: false, offline: true, push: true, email: false },
      rank: { inApp: false, offline: true, push: false, email: true },
    });
    expect(withChannel(before, 'info', 'email', true).info).toEqual({
      inApp: false,
      offline: false,
      push: true,
      email: true,
    });
    expect(before.info.offline).toBe(false);
  });

  it('keeps push and email as set when offline goes off and on again', () => {
    const off = withChannel({ info: { ...allOn, email: false } }, 'info', 'offline', false);
    expect(withChannel(off, 'info', 'offline', true).info).toEqual({ ...allOn, email: false });
  });
});
