import { describe, expect, it } from 'vitest';
import { businessCalendarSchema, type BusinessCalendar } from '../../../src/core/sla/business-calendar.schema.ts';
import {
  addBusinessMinutes, businessMinutesBetween, formatZoned, isBusinessTime, zonedTimeToUtc,
} from '../../../src/core/sla/business-time.rules.ts';

// Fixtures are written with explicit offsets so they do not depend on the code under test.
const at = (iso: string) => new Date(iso);

const berlin: BusinessCalendar = businessCalendarSchema.parse({
  timeZone: 'Europe/Berlin', days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00', holidays: ['2026-12-25'],
});
const newYork: BusinessCalendar = businessCalendarSchema.parse({
  timeZone: 'America/New_York', days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00',
});

describe('addBusinessMinutes', () => {
  const cases: [string, BusinessCalendar, string, number, string][] = [
    ['within one day', berlin, '2026-11-23T10:00:00+01:00', 90, '2026-11-23T11:30:00+01:00'],
    ['ending exactly at close stays on that day', berlin, '2026-11-27T09:00:00+01:00', 480, '2026-11-27T17:00:00+01:00'],
    ['over the weekend', berlin, '2026-11-27T16:00:00+01:00', 240, '2026-11-30T12:00:00+01:00'],
    ['start on Saturday begins Monday 09:00', berlin, '2026-11-28T10:00:00+01:00', 30, '2026-11-30T09:30:00+01:00'],
    ['start before opening', berlin, '2026-11-23T07:00:00+01:00', 60, '2026-11-23T10:00:00+01:00'],
    ['start after closing', berlin, '2026-11-23T18:00:00+01:00', 60, '2026-11-24T10:00:00+01:00'],
    ['skips a holiday and the weekend', berlin, '2026-12-24T16:00:00+01:00', 120, '2026-12-28T10:00:00+01:00'],
    ['several business days', berlin, '2026-11-23T09:00:00+01:00', 24 * 60, '2026-11-25T17:00:00+01:00'],
    // Berlin: clocks jump 02:00 → 03:00 on Sunday 2026-03-29 (CET +01 → CEST +02).
    ['Berlin spring-forward weekend', berlin, '2026-03-27T16:00:00+01:00', 240, '2026-03-30T12:00:00+02:00'],
    // Berlin: clocks go back 03:00 → 02:00 on Sunday 2026-10-25 (CEST +02 → CET +01).
    ['Berlin fall-back weekend', berlin, '2026-10-23T16:00:00+02:00', 240, '2026-10-26T12:00:00+01:00'],
    // New York: 2026-03-08 EST −05 → EDT −04; 2026-11-01 EDT −04 → EST −05.
    ['New York spring-forward weekend', newYork, '2026-03-06T15:00:00-05:00', 180, '2026-03-09T10:00:00-04:00'],
    ['New York fall-back weekend', newYork, '2026-10-30T16:30:00-04:00', 60, '2026-11-02T09:30:00-05:00'],
    ['zero minutes is the start itself, even off-hours', berlin, '2026-11-28T10:00:00+01:00', 0, '2026-11-28T10:00:00+01:00'],
  ];
  for (const [name, calendar, start, minutes, due] of cases) {
    it(name, () => {
      expect(addBusinessMinutes(at(start), minutes, calendar).toISOString()).toBe(at(due).toISOString());
    });
  }

  it('refuses negative minutes', () => {
    expect(() => addBusinessMinutes(at('2026-11-23T10:00:00Z'), -1, berlin)).toThrow(RangeError);
  });
});

describe('businessMinutesBetween', () => {
  it('counts only business time, across weekends and DST', () => {
    expect(businessMinutesBetween(at('2026-11-27T16:00:00+01:00'), at('2026-11-30T10:00:00+01:00'), berlin)).toBe(120);
    expect(businessMinutesBetween(at('2026-03-27T16:00:00+01:00'), at('2026-03-30T12:00:00+02:00'), berlin)).toBe(240);
    expect(businessMinutesBetween(at('2026-10-30T16:30:00-04:00'), at('2026-11-02T09:30:00-05:00'), newYork)).toBe(60);
    expect(businessMinutesBetween(at('2026-12-24T16:00:00+01:00'), at('2026-12-28T10:00:00+01:00'), berlin)).toBe(120);
  });

  it('is zero outside hours and negative when reversed', () => {
    expect(businessMinutesBetween(at('2026-11-28T08:00:00+01:00'), at('2026-11-29T20:00:00+01:00'), berlin)).toBe(0);
    expect(businessMinutesBetween(at('2026-11-23T11:00:00+01:00'), at('2026-11-23T10:00:00+01:00'), berlin)).toBe(-60);
  });

  it('inverts addBusinessMinutes for many starts and lengths (both zones, through both DST changes)', () => {
    for (const calendar of [berlin, newYork]) {
      for (let hour = 0; hour < 24 * 240; hour += 37) {
        const start = new Date(Date.UTC(2026, 1, 20) + hour * 3_600_000 + 13 * 60_000);
        for (const minutes of [1, 59, 480, 2000]) {
          const due = addBusinessMinutes(start, minutes, calendar);
          expect(businessMinutesBetween(start, due, calendar)).toBe(minutes);
        }
      }
    }
  });
});

describe('zoned time', () => {
  it('resolves a skipped wall time forward by the gap and an ambiguous one to the earlier instant', () => {
    expect(zonedTimeToUtc({ year: 2026, month: 3, day: 29 }, 150, 'Europe/Berlin').toISOString()).toBe('2026-03-29T01:30:00.000Z');
    expect(zonedTimeToUtc({ year: 2026, month: 10, day: 25 }, 150, 'Europe/Berlin').toISOString()).toBe('2026-10-25T00:30:00.000Z');
    expect(zonedTimeToUtc({ year: 2026, month: 11, day: 1 }, 90, 'America/New_York').toISOString()).toBe('2026-11-01T05:30:00.000Z');
  });

  it('a window in the skipped hour is only as long as the wall clock allows', () => {
    const night = businessCalendarSchema.parse({ timeZone: 'Europe/Berlin', days: [7], start: '02:00', end: '04:00' });
    expect(businessMinutesBetween(at('2026-03-29T00:00:00Z'), at('2026-03-30T00:00:00Z'), night)).toBe(60);
    expect(businessMinutesBetween(at('2026-10-25T00:00:00Z'), at('2026-10-26T00:00:00Z'), night)).toBe(180);
  });

  it('formats and classifies instants in the calendar zone', () => {
    expect(formatZoned(at('2026-11-30T11:00:00Z'), 'Europe/Berlin')).toBe('2026-11-30 12:00');
    expect(isBusinessTime(at('2026-11-30T08:00:00Z'), berlin)).toBe(true);
    expect(isBusinessTime(at('2026-11-30T16:00:00Z'), berlin)).toBe(false);
    expect(isBusinessTime(at('2026-12-25T10:00:00Z'), berlin)).toBe(false);
  });
});

describe('businessCalendarSchema', () => {
  it('rejects unknown zones, inverted windows, bad holidays and repeated days', () => {
    const base = { timeZone: 'Europe/Berlin', days: [1], start: '09:00', end: '17:00' };
    expect(businessCalendarSchema.safeParse({ ...base, timeZone: 'Mars/Olympus' }).success).toBe(false);
    expect(businessCalendarSchema.safeParse({ ...base, start: '17:00', end: '09:00' }).success).toBe(false);
    expect(businessCalendarSchema.safeParse({ ...base, holidays: ['2026-02-30'] }).success).toBe(false);
    expect(businessCalendarSchema.safeParse({ ...base, days: [1, 1] }).success).toBe(false);
    expect(businessCalendarSchema.parse(base).holidays).toEqual([]);
  });
});
