/** Cohorts by calendar month in UTC, whatever the process time zone. */

const monthPattern = /^(\d{4})-(0[1-9]|1[0-2])$/;

/**
 * The UTC month a moment falls in, as `YYYY-MM` (sorts chronologically as text).
 * @example monthKey(new Date('2017-12-31T23:30:00-02:00')) // '2018-01'
 */
export function monthKey(date: Date): string {
  const t = date.getTime();
  if (Number.isNaN(t)) throw new RangeError('monthKey: invalid date');
  const year = date.getUTCFullYear();
  if (year < 0 || year > 9999) throw new RangeError(`monthKey: year ${year} outside 0000–9999`);
  const month = date.getUTCMonth() + 1;
  return `${String(year).padStart(4, '0')}-${month < 10 ? '0' : ''}${month}`;
}

/** First instant (UTC) of the month a moment falls in. */
export function monthStart(date: Date): Date {
  if (Number.isNaN(date.getTime())) throw new RangeError('monthStart: invalid date');
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1));
}

/** First instant (UTC) of a `YYYY-MM` month key; null when the key is malformed. */
export function monthKeyStart(key: string): Date | null {
  const m = monthPattern.exec(key);
  if (!m) return null;
  const d = new Date(0);
  d.setUTCFullYear(Number(m[1]), Number(m[2]) - 1, 1);
  return d;
}

/**
 * Every month key from `from`'s month to `to`'s month inclusive (empty when to < from), so that
 * reports show months with no rows as zeros instead of leaving them out.
 * @example monthKeysBetween(new Date('2017-11-20Z'), new Date('2018-02-01Z')) // ['2017-11', '2017-12', '2018-01', '2018-02']
 */
export function monthKeysBetween(from: Date, to: Date): string[] {
  const keys: string[] = [];
  let year = from.getUTCFullYear();
  let month = from.getUTCMonth();
  const endYear = to.getUTCFullYear();
  const endMonth = to.getUTCMonth();
  if (Number.isNaN(year) || Number.isNaN(endYear)) throw new RangeError('monthKeysBetween: invalid date');
  while (year < endYear || (year === endYear && month <= endMonth)) {
    keys.push(`${String(year).padStart(4, '0')}-${month < 9 ? '0' : ''}${month + 1}`);
    month++;
    if (month === 12) {
      month = 0;
      year++;
    }
  }
  return keys;
}
