import { hypergeometricLowerTail, normalCdf } from './distributions.rules.ts';

export type SignificanceTest = 'two_proportion_z' | 'fisher_exact' | 'none';

export type SignificanceResult = {
  test: SignificanceTest;
  /** One-sided p-value for "the group's rate is below the rest's"; null when a group is empty. */
  pValue: number | null;
  significant: boolean;
  groupRate: number | null;
  restRate: number | null;
  /** The z statistic when the z-test was used. */
  z: number | null;
};

/**
 * Is a group's success rate (a source's MQL or win rate, say) significantly below the rest of the
 * population's (everyone outside the group, so the group is not compared with itself)?
 *
 * H0: p_group = p_rest; H1: p_group < p_rest (one-sided). When every expected cell count of the
 * 2×2 table under H0 (pooled rate × each total, for successes and failures) is at least 5, a pooled
 * two-proportion z-test: z = (p̂_g − p̂_r) / √(p̂(1 − p̂)(1/n_g + 1/n_r)), p = Φ(z). Otherwise the
 * normal approximation is poor and Fisher's exact test decides: p = P(X ≤ group successes) for X
 * hypergeometric with the table's margins (the rest is treated as a sample too, not as a known rate).
 * Significant when p < alpha. An empty group or an empty rest gives test 'none', p null, not significant.
 * @example isSignificantlyBelow(10, 100, 30, 100) // { test: 'two_proportion_z', pValue: 0.000203…, significant: true, … }
 */
export function isSignificantlyBelow(
  groupSuccesses: number, groupTotal: number, restSuccesses: number, restTotal: number, alpha = 0.05,
): SignificanceResult {
  checkCounts('group', groupSuccesses, groupTotal);
  checkCounts('rest', restSuccesses, restTotal);
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be within (0, 1), got ${alpha}`);
  const groupRate = groupTotal > 0 ? groupSuccesses / groupTotal : null;
  const restRate = restTotal > 0 ? restSuccesses / restTotal : null;
  if (groupRate === null || restRate === null) {
    return { test: 'none', pValue: null, significant: false, groupRate, restRate, z: null };
  }
  const total = groupTotal + restTotal;
  const successes = groupSuccesses + restSuccesses;
  const pooled = successes / total;
  const smallestExpected = Math.min(groupTotal, restTotal) * Math.min(pooled, 1 - pooled);
  if (smallestExpected >= 5) {
    const z = (groupRate - restRate) / Math.sqrt(pooled * (1 - pooled) * (1 / groupTotal + 1 / restTotal));
    const pValue = normalCdf(z);
    return { test: 'two_proportion_z', pValue, significant: pValue < alpha, groupRate, restRate, z };
  }
  const pValue = hypergeometricLowerTail(groupSuccesses, total, successes, groupTotal);
  return { test: 'fisher_exact', pValue, significant: pValue < alpha, groupRate, restRate, z: null };
}

function checkCounts(what: string, successes: number, total: number): void {
  if (!Number.isSafeInteger(successes) || !Number.isSafeInteger(total) || successes < 0 || successes > total) {
    throw new RangeError(`${what}: need integers 0 ≤ successes ≤ total, got ${successes}/${total}`);
  }
}
