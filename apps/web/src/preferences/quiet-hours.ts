import { type QuietHours, quietHoursSchema } from '@realtime/contracts';

/** What turning quiet hours on proposes: the night, in this browser's time zone. */
export const DEFAULT_QUIET_HOURS = { start: '22:00', end: '07:00' } as const;

/** This browser's IANA time zone, e.g. `Europe/Berlin`. */
export const localTimeZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone;

export const defaultQuietHours = (timeZone: string = localTimeZone()): QuietHours => ({
  ...DEFAULT_QUIET_HOURS,
  timeZone,
});

/** Whether two settings are the same (none and none included). */
export const sameQuietHours = (a: QuietHours | null, b: QuietHours | null): boolean =>
  a === b || (a !== null && b !== null && a.start === b.start && a.end === b.end && a.timeZone === b.timeZone);

/** Why the form cannot be saved, in the page's words, or null when the gateway will take it. */
export function quietHoursProblem(draft: QuietHours): string | null {
  if (!draft.start || !draft.end) return 'Give both a start and an end time.';
  if (draft.start === draft.end) return 'Start and end must differ.';
  // The contract's own check (HH:MM, a time zone this browser knows), so the page never sends what the gateway refuses.
  const parsed = quietHoursSchema.safeParse(draft);
  return parsed.success ? null : (parsed.error.issues[0]?.message ?? 'These quiet hours are not valid.');
}

/**
 * The time zones to choose from, sorted: this runtime's list, and the ones given (the browser's own and the one
 * saved, which a runtime may list under another name, e.g. `UTC`).
 */
export function timeZoneOptions(supported: readonly string[], ...include: string[]): string[] {
  return [...new Set([...supported, ...include.filter(Boolean)])].sort((a, b) => a.localeCompare(b));
}

/** Every IANA time zone this browser knows; none where it cannot list them. */
export const supportedTimeZones = (): readonly string[] =>
  typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** The wall-clock minute of the day at `at` in `timeZone`. */
function minuteIn(timeZone: string, at: Date): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
    .formatToParts(at)
    .reduce<Record<string, string>>((all, p) => ({ ...all, [p.type]: p.value }), {});
  return Number(parts.hour) * 60 + Number(parts.minute);
}

/**
 * Whether `at` falls inside the quiet hours, as the gateway reckons it: wall-clock time in their zone, the start
 * included and the end not, past midnight when the end is earlier than the start.
 */
export function isQuietAt(quiet: QuietHours, at: Date): boolean {
  const minute = minuteIn(quiet.timeZone, at);
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  return end < start ? minute >= start || minute < end : minute >= start && minute < end;
}

/** "22:00 to 07:00 (overnight), Europe/Berlin time". */
export function describeQuietHours({ start, end, timeZone }: QuietHours): string {
  return `${start} to ${end}${minutesOf(end) < minutesOf(start) ? ' (overnight)' : ''}, ${timeZone} time`;
}
