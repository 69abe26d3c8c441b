import { describe, expect, it } from 'vitest';
import { median, percentile, percentiles } from '../../../src/core/stats/descriptive.rules.ts';

describe('median and percentiles (linear interpolation between closest ranks)', () => {
  it('median of odd and even counts, input untouched', () => {
    const values = [3, 1, 2];
    expect(median(values)).toBe(2);
    expect(values).toEqual([3, 1, 2]);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(median([])).toBeNull();
  });

  it('p90 interpolates: 1..10 → h = 9 × 0.9 = 8.1 → 9 + 0.1 × (10 − 9) = 9.1 (NumPy default)', () => {
    expect(percentile([10, 9, 8, 7, 6, 5, 4, 3, 2, 1], 90)).toBeCloseTo(9.1, 12);
    // Durations: [1, 2, 4, 8, 100] hours → h = 4 × 0.9 = 3.6 → 8 + 0.6 × 92 = 63.2.
    expect(percentile([1, 2, 4, 8, 100], 90)).toBeCloseTo(63.2, 12);
    expect(percentiles([5, 1, 3], [0, 50, 100])).toEqual([1, 3, 5]);
    expect(percentile(Float64Array.of(2, 2, 2), 90)).toBe(2);
  });

  it('refuses bad percentiles and values', () => {
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(() => percentile([1], Number.NaN)).toThrow(RangeError);
    expect(() => median([1, Number.NaN])).toThrow(RangeError);
  });
});
