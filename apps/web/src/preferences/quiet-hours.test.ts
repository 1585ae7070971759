import { describe, expect, it } from 'vitest';
import {
  defaultQuietHours,
  describeQuietHours,
  isQuietAt,
  quietHoursProblem,
  sameQuietHours,
  timeZoneOptions,
} from './quiet-hours.js';

const night = { start: '22:00', end: '07:00', timeZone: 'Europe/Berlin' };

describe('defaultQuietHours', () => {
  it('proposes the night in the given zone', () => {
    expect(defaultQuietHours('Asia/Tokyo')).toEqual({ start: '22:00', end: '07:00', timeZone: 'Asia/Tokyo' });
  });

  it("uses this runtime's zone when none is given", () => {
    expect(defaultQuietHours().timeZone).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
  });
});

describe('sameQuietHours', () => {
  it('compares by value, none included', () => {
    expect(sameQuietHours(night, { ...night })).toBe(true);
    expect(sameQuietHours(null, null)).toBe(true);
    expect(sameQuietHours(night, null)).toBe(false);
    expect(sameQuietHours(null, night)).toBe(false);
    expect(sameQuietHours(night, { ...night, end: '06:30' })).toBe(false);
    expect(sameQuietHours(night, { ...night, timeZone: 'UTC' })).toBe(false);
  });
});

describe('quietHoursProblem', () => {
  it('takes what the gateway takes', () => {
    expect(quietHoursProblem(night)).toBeNull();
    expect(quietHoursProblem({ start: '09:00', end: '17:30', timeZone: 'UTC' })).toBeNull();
  });

  it('says what is missing or wrong, in the words of the page', () => {
    expect(quietHoursProblem({ ...night, start: '' })).toBe('Give both a start and an end time.');
    expect(quietHoursProblem({ ...night, end: '' })).toBe('Give both a start and an end time.');
    expect(quietHoursProblem({ ...night, end: '22:00' })).toBe('Start and end must differ.');
  });

  it("falls back to the contract's message for what the form cannot produce", () => {
    expect(quietHoursProblem({ ...night, timeZone: 'Mars/Olympus_Mons' })).toMatch(/IANA time zone/);
    expect(quietHoursProblem({ ...night, start: '24:00' })).toMatch(/HH:MM/);
  });
});

describe('timeZoneOptions', () => {
  it("adds the browser's and the saved zone to the runtime's list, once each, sorted", () => {
    expect(timeZoneOptions(['Europe/Berlin', 'America/New_York'], 'UTC', 'Europe/Berlin', '')).toEqual([
      'America/New_York',
      'Europe/Berlin',
      'UTC',
    ]);
    expect(timeZoneOptions([], 'Etc/UTC')).toEqual(['Etc/UTC']);
  });
});

describe('isQuietAt', () => {
  it('holds overnight, from the start (included) to the end (not included), in its zone', () => {
    // Berlin is UTC+1 in January.
    expect(isQuietAt(night, new Date('2026-01-10T20:59:00Z'))).toBe(false);
    expect(isQuietAt(night, new Date('2026-01-10T21:00:00Z'))).toBe(true);
    expect(isQuietAt(night, new Date('2026-01-11T02:00:00Z'))).toBe(true);
    expect(isQuietAt(night, new Date('2026-01-11T05:59:00Z'))).toBe(true);
    expect(isQuietAt(night, new Date('2026-01-11T06:00:00Z'))).toBe(false);
  });

  it('holds within one day when the end is later than the start', () => {
    const office = { start: '09:00', end: '17:00', timeZone: 'America/New_York' };
    // New York is UTC-4 in July.
    expect(isQuietAt(office, new Date('2026-07-01T12:59:00Z'))).toBe(false);
    expect(isQuietAt(office, new Date('2026-07-01T13:00:00Z'))).toBe(true);
    expect(isQuietAt(office, new Date('2026-07-01T20:59:00Z'))).toBe(true);
    expect(isQuietAt(office, new Date('2026-07-01T21:00:00Z'))).toBe(false);
  });

  it('reads midnight as 00:00', () => {
    const early = { start: '00:00', end: '06:00', timeZone: 'UTC' };
    expect(isQuietAt(early, new Date('2026-01-10T00:00:00Z'))).toBe(true);
    expect(isQuietAt(early, new Date('2026-01-09T23:59:00Z'))).toBe(false);
  });
});

describe('describeQuietHours', () => {
  it('says when and where, and that it spans midnight', () => {
    expect(describeQuietHours(night)).toBe('22:00 to 07:00 (overnight), Europe/Berlin time');
    expect(describeQuietHours({ start: '09:00', end: '17:00', timeZone: 'UTC' })).toBe('09:00 to 17:00, UTC time');
  });
});
