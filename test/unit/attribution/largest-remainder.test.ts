import { describe, expect, it } from 'vitest';
import { apportion } from '../../../src/core/attribution/largest-remainder.rules.ts';

describe('largest-remainder apportionment', () => {
  it('gives leftover cents to the largest remainders', () => {
    // 1000 × [0.25, 0.375, 0.375] + 1: exact 250.25, 375.375, 375.375; one cent left → tie → earliest of the two.
    expect(apportion(1001, [0.25, 0.375, 0.375])).toEqual([250, 376, 375]);
    // 10 × [0.14, 0.36, 0.5] = 1.4, 3.6, 5 → floors 1, 3, 5; one cent to the .6 remainder.
    expect(apportion(10, [0.14, 0.36, 0.5])).toEqual([1, 4, 5]);
  });

  it('breaks equal remainders by order, earliest first', () => {
    expect(apportion(100, [1, 1, 1])).toEqual([34, 33, 33]);
    expect(apportion(1, [1, 1, 1, 1])).toEqual([1, 0, 0, 0]);
    expect(apportion(2, [1, 1, 1])).toEqual([1, 1, 0]);
  });

  it('breaks ties the same way for long lists (sorted natively past 48 items)', () => {
    // 100 / 60 = 1.67 each: floors give 60, the 40 leftover cents go to the 40 earliest.
    const parts = apportion(100, new Array<number>(60).fill(1));
    expect(parts.slice(0, 40).every((c) => c === 2) && parts.slice(40).every((c) => c === 1)).toBe(true);
  });

  it('treats remainders equal up to floating-point noise as ties', () => {
    // 0.1 + 0.2 !== 0.3 in doubles; the two halves must still tie.
    expect(apportion(1, [0.1 + 0.2, 0.3])).toEqual([1, 0]);
    expect(apportion(1, [0.3, 0.1 + 0.2])).toEqual([1, 0]);
  });

  it('gives zero-weight items nothing, negates for negative amounts, handles 0', () => {
    expect(apportion(5, [0, 1, 0, 1])).toEqual([0, 3, 0, 2]);
    expect(apportion(-100, [1, 1, 1])).toEqual([-34, -33, -33]);
    expect(apportion(0, [1, 2])).toEqual([0, 0]);
  });

  it('is exact for huge amounts', () => {
    const parts = apportion(Number.MAX_SAFE_INTEGER, [1, 3, 7, 11]);
    expect(parts.reduce((a, b) => a + b, 0)).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('refuses non-integer amounts and weights that cannot be split', () => {
    expect(() => apportion(1.5, [1])).toThrow(RangeError);
    expect(() => apportion(1, [0, 0])).toThrow(RangeError);
    expect(() => apportion(1, [-1, 2])).toThrow(RangeError);
    expect(() => apportion(1, [Number.NaN])).toThrow(RangeError);
  });
});
