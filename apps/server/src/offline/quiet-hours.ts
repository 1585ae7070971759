import { type QuietHours } from '@realtime/contracts';
import type * as Luxon from 'luxon';
import { type DateTime } from 'luxon';
import { createRequire } from 'node:module';

/**
 * Luxon, loaded (synchronously, as quietUntil is) by the first check of someone's quiet hours: a
 * gateway whose users set none never carries it.
 */
let luxon: typeof Luxon | undefined;
const load = () => (luxon ??= createRequire(import.meta.url)('luxon') as typeof Luxon);

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * When the user's quiet hours that hold at `now` end, or null when `now` is outside them. Wall-clock
 * time in their zone (luxon, on the runtime's IANA data): a night that spans a daylight-saving change
 * is an hour longer or shorter, and an end that falls in the hour skipped in spring is the first
 * minute after it.
 */
export function quietUntil(quiet: QuietHours, now: Date): Date | null {
  const { DateTime } = load();
  const local = DateTime.fromJSDate(now, { zone: quiet.timeZone });
  if (!local.isValid) return null;
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  const minute = local.hour * 60 + local.minute;
  const overnight = end < start;
  const inside = overnight ? minute >= start || minute < end : minute >= start && minute < end;
  if (!inside) return null;
  // The end is today, unless they began this evening and end tomorrow.
  const day = overnight && minute >= start ? local.plus({ days: 1 }) : local;
  const at = DateTime.fromObject(
    { year: day.year, month: day.month, day: day.day, hour: Math.floor(end / 60), minute: end % 60 },
    { zone: quiet.timeZone },
  );
  return firstMinuteAtOrAfter(at, end).toJSDate();
}

/**
 * Luxon moves a wall-clock time that does not exist (in the hour skipped in spring) forward by the
 * gap: 02:30 becomes 03:30. Quiet hours that end at 02:30 are over when the clocks read 03:00, the
 * moment the gap ends: found by walking back to the last minute with the later offset.
 */
function firstMinuteAtOrAfter(at: DateTime, minuteOfDay: number): DateTime {
  const shift = at.hour * 60 + at.minute - minuteOfDay;
  if (shift <= 0) return at;
  let first = at;
  for (let k = 1; k <= shift; k++) {
    const earlier = at.minus({ minutes: k });
    if (earlier.offset !== at.offset) break;
    first = earlier;
  }
  return first;
}
