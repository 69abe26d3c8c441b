import { z } from 'zod';

/**
 * A team's working time: weekly business days and one daily window in an IANA time zone, minus
 * holidays (local dates). Overnight windows are not supported: `end` must be after `start`.
 * @example { timeZone: 'Europe/Berlin', days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00', holidays: ['2026-12-25'] }
 */
export const businessCalendarSchema = z
  .object({
    timeZone: z.string().refine(isTimeZone, 'an IANA time zone such as Europe/Berlin'),
    /** ISO weekdays: 1 = Monday … 7 = Sunday. */
    days: z
      .array(z.number().int().min(1).max(7))
      .min(1, 'at least one business day')
      .refine((days) => new Set(days).size === days.length, 'each weekday at most once'),
    start: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM, 24-hour clock'),
    end: z.string().regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'HH:MM, 24-hour clock (24:00 allowed)'),
    holidays: z.array(z.string().refine(isLocalDate, 'a date YYYY-MM-DD')).default([]),
  })
  .refine((c) => minuteOfDay(c.start) < minuteOfDay(c.end), {
    path: ['end'],
    message: 'end must be after start (overnight windows are not supported)',
  });

export type BusinessCalendar = z.infer<typeof businessCalendarSchema>;

/** '09:30' → 570. */
export function minuteOfDay(hhmm: string): number {
  const [h, m] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
}

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

function isLocalDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [, y, m, d] = match.map(Number) as [number, number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}
