import { describe, expect, it } from 'vitest';
import { hypergeometricLowerTail, logGamma, normalCdf } from '../../../src/core/stats/distributions.rules.ts';
import { isSignificantlyBelow } from '../../../src/core/stats/significance.rules.ts';

// Reference values from SciPy 1.17 (scipy.stats.norm.cdf, hypergeom.cdf, special.gammaln).
describe('distributions', () => {
  it('normal CDF: absolute error < 1e-15, relative < 1e-8 even at x = −10', () => {
    const cases: [number, number][] = [
      [-10, 7.61985302416047e-24], [-5, 2.866515718791933e-7], [-1.96, 0.024997895148220435],
      [-1, 0.15865525393145707], [0, 0.5], [0.5, 0.6914624612740131], [2, 0.9772498680518208],
    ];
    for (const [x, p] of cases) {
      expect(Math.abs(normalCdf(x) - p), String(x)).toBeLessThan(1e-15);
      expect(Math.abs(normalCdf(x) - p) / p, String(x)).toBeLessThan(1e-8);
    }
  });

  it('log-gamma and the hypergeometric lower tail', () => {
    expect(logGamma(0.3)).toBeCloseTo(1.0957979948180756, 12);
    expect(logGamma(10.5)).toBeCloseTo(13.940625219403763, 12);
    expect(Math.abs(logGamma(1e6) - 12815504.569147611) / 12815504.569147611).toBeLessThan(1e-14);
    expect(hypergeometricLowerTail(0, 25, 10, 5)).toBeCloseTo(0.05652173913043478, 14);
    expect(hypergeometricLowerTail(3, 1_000_000, 40, 50_000)).toBeCloseTo(0.8618540097136386, 8);
    expect(hypergeometricLowerTail(-1, 10, 5, 5)).toBe(0);
    expect(hypergeometricLowerTail(5, 10, 5, 5)).toBe(1);
  });
});

describe('isSignificantlyBelow', () => {
  it('two-proportion z-test when expected counts are large enough', () => {
    // 10/100 vs 30/100: pooled 0.2, se = √(0.2 × 0.8 × 0.02) = 0.0565685, z = −0.2 / se = −3.5355, p = Φ(z) = 0.000203476.
    const r = isSignificantlyBelow(10, 100, 30, 100);
    expect(r.test).toBe('two_proportion_z');
    expect(r.z).toBeCloseTo(-3.5355339059327373, 12);
    expect(r.pValue).toBeCloseTo(0.00020347600872247943, 15);
    expect(r).toMatchObject({ significant: true, groupRate: 0.1, restRate: 0.3 });
    // Above the rest is never "significantly below".
    expect(isSignificantlyBelow(30, 100, 10, 100)).toMatchObject({ significant: false });
    // 25/100 vs 30/100: z = −0.7868, p ≈ 0.2157: not significant.
    expect(isSignificantlyBelow(25, 100, 30, 100)).toMatchObject({ test: 'two_proportion_z', significant: false });
  });

  it('Fisher exact when an expected count is below 5', () => {
    // 0/5 vs 10/20: expected group successes 5 × 10/25 = 2 < 5. p = C(15,5)/C(25,5) = 3003/53130 = 0.0565 → not significant.
    expect(isSignificantlyBelow(0, 5, 10, 20)).toMatchObject({ test: 'fisher_exact', significant: false, z: null });
    expect(isSignificantlyBelow(0, 5, 10, 20).pValue).toBeCloseTo(3003 / 53130, 14);
    // 0/6 vs 10/20: p = C(16,6)/C(26,6) = 8008/230230 = 0.0348 → significant at 0.05, not at 0.01.
    expect(isSignificantlyBelow(0, 6, 10, 20).pValue).toBeCloseTo(8008 / 230230, 14);
    expect(isSignificantlyBelow(0, 6, 10, 20)).toMatchObject({ significant: true });
    expect(isSignificantlyBelow(0, 6, 10, 20, 0.01)).toMatchObject({ significant: false });
    // Everyone or no one succeeds: nothing can be below.
    expect(isSignificantlyBelow(0, 50, 0, 5000)).toMatchObject({ test: 'fisher_exact', pValue: 1, significant: false });
  });

  it('no test on an empty side; refuses impossible counts', () => {
    expect(isSignificantlyBelow(0, 0, 3, 10)).toEqual({ test: 'none', pValue: null, significant: false, groupRate: null, restRate: 0.3, z: null });
    expect(() => isSignificantlyBelow(5, 4, 1, 10)).toThrow(RangeError);
    expect(() => isSignificantlyBelow(1.5, 4, 1, 10)).toThrow(RangeError);
    expect(() => isSignificantlyBelow(1, 4, 1, 10, 1)).toThrow(RangeError);
  });
});
