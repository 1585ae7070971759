import { describe, expect, it } from 'vitest';
import { quietUntil } from './quiet-hours.js';

const at = (iso: string) => new Date(iso);
const night = (timeZone: string) => ({ start: '22:00', end: '07:00', timeZone });

describe('quietUntil', () => {
  it('is null outside the hours and the end inside them, on either side of midnight', () => {
    const q = night('Europe/Berlin'); // CET, UTC+1 in January
    expect(quietUntil(q, at('2026-01-15T12:00:00Z'))).toBeNull();
    expect(quietUntil(q, at('2026-01-15T20:59:00Z'))).toBeNull(); // 21:59 local
    expect(quietUntil(q, at('2026-01-15T21:00:00Z'))).toEqual(at('2026-01-16T06:00:00Z')); // 22:00 local
    expect(quietUntil(q, at('2026-01-16T02:30:00Z'))).toEqual(at('2026-01-16T06:00:00Z')); // 03:30 local
    expect(quietUntil(q, at('2026-01-16T06:00:00Z'))).toBeNull(); // 07:00 local: over
  });

  it('holds within one day when the end is after the start', () => {
    const q = { start: '12:30', end: '14:00', timeZone: 'UTC' };
    expect(quietUntil(q, at('2026-05-01T12:29:59Z'))).toBeNull();
    expect(quietUntil(q, at('2026-05-01T12:30:00Z'))).toEqual(at('2026-05-01T14:00:00Z'));
    expect(quietUntil(q, at('2026-05-01T14:00:00Z'))).toBeNull();
  });

  it('ends at 07:00 local time through the night clocks go forward (Berlin, 29 March 2026)', () => {
    // 02:00 CET becomes 03:00 CEST: the night is 8 hours long, and 07:00 is 05:00 UTC, not 06:00.
    expect(quietUntil(night('Europe/Berlin'), at('2026-03-28T21:30:00Z'))).toEqual(at('2026-03-29T05:00:00Z'));
  });

  it('ends at 07:00 local time through the night clocks go back (Berlin, 25 October 2026)', () => {
    // 03:00 CEST becomes 02:00 CET: the night is 10 hours long, and 07:00 is 06:00 UTC, not 05:00.
    expect(quietUntil(night('Europe/Berlin'), at('2026-10-24T20:30:00Z'))).toEqual(at('2026-10-25T06:00:00Z'));
    // Inside the repeated hour (the second 02:30, CET) it still ends at 07:00 CET.
    expect(quietUntil(night('Europe/Berlin'), at('2026-10-25T01:30:00Z'))).toEqual(at('2026-10-25T06:00:00Z'));
  });

  it('an end inside the skipped hour comes at the first minute after it (New York, 8 March 2026)', () => {
    // 02:00 EST jumps to 03:00 EDT; quiet hours ending at 02:30 end at 03:00 EDT = 07:00 UTC.
    const q = { start: '23:00', end: '02:30', timeZone: 'America/New_York' };
    expect(quietUntil(q, at('2026-03-08T05:00:00Z'))).toEqual(at('2026-03-08T07:00:00Z')); // 00:00 EST
  });

  it('counts local time, not UTC, for a zone ahead of UTC by a fraction of an hour', () => {
    const q = { start: '22:00', end: '06:00', timeZone: 'Asia/Kolkata' }; // UTC+05:30
    expect(quietUntil(q, at('2026-06-01T16:29:00Z'))).toBeNull(); // 21:59
    expect(quietUntil(q, at('2026-06-01T16:30:00Z'))).toEqual(at('2026-06-02T00:30:00Z')); // 22:00 → 06:00
  });
});
