import { describe, expect, it } from 'vitest';
import { monthKey, monthKeyStart, monthKeysBetween, monthStart } from '../../../src/core/stats/cohort.rules.ts';

describe('month cohorts in UTC', () => {
  it('keys by the UTC month, not the local one', () => {
    expect(monthKey(new Date('2017-12-31T23:59:59.999Z'))).toBe('2017-12');
    expect(monthKey(new Date('2017-12-31T23:30:00-02:00'))).toBe('2018-01');
    expect(monthKey(new Date('0099-03-01T00:00:00Z'))).toBe('0099-03');
    expect(() => monthKey(new Date('nope'))).toThrow(RangeError);
  });

  it('month starts and key round trips', () => {
    expect(monthStart(new Date('2018-02-28T10:00:00Z')).toISOString()).toBe('2018-02-01T00:00:00.000Z');
    expect(monthKeyStart('2018-02')!.toISOString()).toBe('2018-02-01T00:00:00.000Z');
    expect(monthKeyStart('0099-03')!.toISOString()).toBe('0099-03-01T00:00:00.000Z');
    expect(monthKeyStart('2018-13')).toBeNull();
  });

  it('lists every month between two dates, inclusive', () => {
    expect(monthKeysBetween(new Date('2017-11-20Z'), new Date('2018-02-01Z'))).toEqual(['2017-11', '2017-12', '2018-01', '2018-02']);
    expect(monthKeysBetween(new Date('2018-02-01Z'), new Date('2018-02-28Z'))).toEqual(['2018-02']);
    expect(monthKeysBetween(new Date('2018-03-01Z'), new Date('2018-02-28Z'))).toEqual([]);
  });
});
