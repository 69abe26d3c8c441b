import { minuteOfDay, type BusinessCalendar } from './business-calendar.schema.ts';

/** A date on the wall calendar of some time zone. */
export type LocalDate = { year: number; month: number; day: number };
export type ZonedParts = LocalDate & { hour: number; minute: number; second: number };

const MINUTE = 60_000;
const DAY = 86_400_000;

// Building a DateTimeFormat is slow; it is immutable, so memoising per zone keeps this pure.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The wall-clock fields of an instant in a time zone. */
export function zonedParts(at: Date | number, timeZone: string): ZonedParts {
  const parts = formatterFor(timeZone).formatToParts(at);
  const get = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((p) => p.type === type)?.value ?? NaN);
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour') % 24, minute: get('minute'), second: get('second') };
}

/** The zone's offset from UTC at an instant, in ms (Berlin in summer: +7,200,000). */
function offsetAt(ms: number, timeZone: string): number {
  const p = zonedParts(ms, timeZone);
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return wall - (ms - (((ms % 1000) + 1000) % 1000));
}

/**
 * The instant at which the wall clock of `timeZone` shows `date` + `minutes` past midnight.
 * Like Temporal's 'compatible' disambiguation: an ambiguous time (clocks go back) takes the
 * earlier instant; a skipped time (clocks go forward) moves forward by the gap.
 */
export function zonedTimeToUtc(date: LocalDate, minutes: number, timeZone: string): Date {
  const wall = Date.UTC(date.year, date.month - 1, date.day, 0, minutes);
  const before = wall - offsetAt(wall - DAY, timeZone);
  const after = wall - offsetAt(wall + DAY, timeZone);
  const valid = [before, after].filter((candidate) => candidate + offsetAt(candidate, timeZone) === wall);
  return new Date(valid.length > 0 ? Math.min(...valid) : before);
}

export function localDateOf(at: Date | number, timeZone: string): LocalDate {
  const { year, month, day } = zonedParts(at, timeZone);
  return { year, month, day };
}

export function localDateKey(date: LocalDate): string {
  return `${String(date.year).padStart(4, '0')}-${pad(date.month)}-${pad(date.day)}`;
}

/** '2026-11-30 12:00' as the wall clock of `timeZone` shows it. */
export function formatZoned(at: Date, timeZone: string): string {
  const p = zonedParts(at, timeZone);
  return `${localDateKey(p)} ${pad(p.hour)}:${pad(p.minute)}`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function nextDay(date: LocalDate): LocalDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + 1));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** 1 = Monday … 7 = Sunday. */
export function isoWeekday(date: LocalDate): number {
  return new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay() || 7;
}

/** The business window of one local day as UTC ms, or null on weekends and holidays. */
function windowOf(date: LocalDate, calendar: BusinessCalendar): { start: number; end: number } | null {
  if (!calendar.days.includes(isoWeekday(date))) return null;
  if (calendar.holidays.includes(localDateKey(date))) return null;
  return {
    start: zonedTimeToUtc(date, minuteOfDay(calendar.start), calendar.timeZone).getTime(),
    end: zonedTimeToUtc(date, minuteOfDay(calendar.end), calendar.timeZone).getTime(),
  };
}

/** Length of one business day in minutes (the daily window), e.g. 480 for 09:00–17:00. */
export function businessDayMinutes(calendar: BusinessCalendar): number {
  return minuteOfDay(calendar.end) - minuteOfDay(calendar.start);
}

export function isBusinessTime(at: Date, calendar: BusinessCalendar): boolean {
  const window = windowOf(localDateOf(at, calendar.timeZone), calendar);
  return window !== null && at.getTime() >= window.start && at.getTime() < window.end;
}

// A valid calendar has business time in every week that is not all holidays, so the day walks
// below end; the guard turns a pathological calendar into an error instead of a hang.
const MAX_DAYS = 100_000;

/**
 * The instant `minutes` of business time after `start`. Time outside business hours does not
 * count; a start outside hours begins at the next window. Ending exactly at a window's close
 * gives the close (Friday 17:00), not the next opening.
 * @example addBusinessMinutes(Fri 16:00 Berlin, 240, mon–fri 09–17) → Mon 12:00 Berlin
 */
export function addBusinessMinutes(start: Date, minutes: number, calendar: BusinessCalendar): Date {
  if (!(minutes >= 0)) throw new RangeError(`addBusinessMinutes needs minutes ≥ 0, got ${minutes}`);
  if (minutes === 0) return new Date(start.getTime());
  let remaining = Math.round(minutes * MINUTE);
  const from = start.getTime();
  let date = localDateOf(start, calendar.timeZone);
  for (let i = 0; i < MAX_DAYS; i++, date = nextDay(date)) {
    const window = windowOf(date, calendar);
    if (!window) continue;
    const begin = Math.max(from, window.start);
    if (begin >= window.end) continue;
    const available = window.end - begin;
    if (remaining <= available) return new Date(begin + remaining);
    remaining -= available;
  }
  throw new RangeError('the business calendar has no business time ahead');
}

/**
 * Business minutes between two instants (negative when `b` is before `a`), possibly fractional.
 * @example businessMinutesBetween(Fri 16:00, Mon 10:00, mon–fri 09–17 Berlin) → 120
 */
export function businessMinutesBetween(a: Date, b: Date, calendar: BusinessCalendar): number {
  if (b.getTime() < a.getTime()) return -businessMinutesBetween(b, a, calendar);
  const from = a.getTime();
  const to = b.getTime();
  const lastKey = localDateKey(localDateOf(b, calendar.timeZone));
  let total = 0;
  for (let date = localDateOf(a, calendar.timeZone); localDateKey(date) <= lastKey; date = nextDay(date)) {
    const window = windowOf(date, calendar);
    if (!window) continue;
    const overlap = Math.min(to, window.end) - Math.max(from, window.start);
    if (overlap > 0) total += overlap;
  }
  return total / MINUTE;
}
