/**
 * Order statistics for velocity and similar figures.
 *
 * Interpolation: linear between closest ranks (Hyndman & Fan type 7; NumPy's default,
 * Excel's PERCENTILE.INC): for n sorted values and p in [0, 100], h = (n − 1)·p/100 and the
 * result is x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋ + 1] − x[⌊h⌋]). So p0 is the minimum, p100 the maximum and
 * p50 the usual median. Empty input gives null; NaN or infinite values are refused (RangeError).
 */

/** Percentile of already ascending-sorted values (no copy, no check of the order). */
export function percentileOfSorted(sorted: ArrayLike<number>, p: number): number | null {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within [0, 100], got ${p}`);
  const n = sorted.length;
  if (n === 0) return null;
  const h = ((n - 1) * p) / 100;
  const lo = Math.floor(h);
  const below = sorted[lo]!;
  if (lo + 1 >= n) return below;
  return below + (h - lo) * (sorted[lo + 1]! - below);
}

/** Copies and sorts numerically (the input is left untouched). */
export function sortedCopy(values: ArrayLike<number>): Float64Array {
  const sorted = Float64Array.from(values);
  for (let i = 0; i < sorted.length; i++) {
    if (!Number.isFinite(sorted[i]!)) throw new RangeError(`values must be finite numbers, got ${sorted[i]} at ${i}`);
  }
  return sorted.sort();
}

/**
 * The p-th percentile (p in [0, 100]) with linear interpolation between closest ranks.
 * @example percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90) // 9.1
 */
export function percentile(values: ArrayLike<number>, p: number): number | null {
  return percentileOfSorted(sortedCopy(values), p);
}

/** Several percentiles from one sort. */
export function percentiles(values: ArrayLike<number>, ps: readonly number[]): (number | null)[] {
  const sorted = sortedCopy(values);
  return ps.map((p) => percentileOfSorted(sorted, p));
}

/** @example median([4, 1, 3, 2]) // 2.5 */
export function median(values: ArrayLike<number>): number | null {
  return percentile(values, 50);
}
