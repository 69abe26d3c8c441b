import { mulberry32 } from '../stats/prng.rules.ts';

/**
 * Shapley-value attribution over channels (or any dimension: sources, campaigns, content).
 *
 * Players are the channels; a coalition S is a set of channels. The characteristic function used
 * by the report (Zhao et al. 2018, "Shapley value methods for attribution modeling in online
 * advertising", §3) is
 *
 *   v(S) = the value of the converting journeys whose set of channels is contained in S,
 *
 * i.e. what the channels in S would have earned on their own. A channel's Shapley value is its
 * average marginal contribution v(S ∪ {i}) − v(S) over all orders in which the channels can join.
 * For this v every journey with channel set T is a "unanimity game" worth value(T), so the Shapley
 * value has the closed form φ_i = Σ_{T ∋ i} value(T) / |T|: each converting journey's value split
 * equally over its distinct channels (`journeyShapley`). The general definitions are kept beside it —
 * `shapleyExact` by subset enumeration for up to {@link maxExactPlayers} players and
 * `shapleySampled` by random join orders beyond — so any other characteristic function can be
 * used, and so a test proves the closed form equal to the definition.
 */

export const maxExactPlayers = 20;

/**
 * φ_i = Σ_{S ⊆ N∖{i}} |S|!(n−|S|−1)!/n! · (v(S ∪ {i}) − v(S)), by enumerating all 2^n coalitions
 * (bit i of a mask = player i). Exact; cost O(n·2^n) calls of v's table.
 * @example shapleyExact(2, (s) => [0, 1, 1, 3][s]) // [1.5, 1.5]
 */
export function shapleyExact(n: number, value: (coalition: number) => number): number[] {
  if (!Number.isInteger(n) || n < 0 || n > maxExactPlayers) throw new RangeError(`exact Shapley takes 0..${maxExactPlayers} players, got ${n}`);
  const size = 1 << n;
  const v = new Float64Array(size);
  for (let s = 0; s < size; s++) v[s] = value(s);
  // weight[k] = k!(n−k−1)!/n!
  const weight = new Float64Array(Math.max(n, 1));
  for (let k = 0; k < n; k++) weight[k] = 1 / (n * binomial(n - 1, k));
  const phi = new Array<number>(n).fill(0);
  for (let s = 0; s < size; s++) {
    const k = popcount(s);
    for (let i = 0; i < n; i++) {
      const bit = 1 << i;
      if (s & bit) continue;
      phi[i]! += weight[k]! * (v[s | bit]! - v[s]!);
    }
  }
  return phi;
}

/**
 * Monte-Carlo Shapley: the average marginal contribution over `samples` random join orders,
 * drawn from a seeded generator (same seed, same answer: the core has no randomness of its own).
 */
export function shapleySampled(n: number, value: (coalition: readonly boolean[]) => number, samples: number, seed: number): number[] {
  if (!(samples > 0)) throw new RangeError(`samples must be positive, got ${samples}`);
  const random = mulberry32(seed);
  const phi = new Array<number>(n).fill(0);
  const order = Array.from({ length: n }, (_, i) => i);
  const members = new Array<boolean>(n);
  for (let t = 0; t < samples; t++) {
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    members.fill(false);
    let before = value(members);
    for (const i of order) {
      members[i] = true;
      const after = value(members);
      phi[i]! += after - before;
      before = after;
    }
  }
  return phi.map((x) => x / samples);
}

/**
 * The closed form for v(S) = value of converting journeys whose channel set ⊆ S: each journey's
 * value split equally over its distinct channels. Journeys without a channel add nothing.
 * @example journeyShapley([{ channels: ['a', 'b', 'a'], value: 90 }]) // Map { 'a' => 45, 'b' => 45 }
 */
export function journeyShapley(journeys: Iterable<{ channels: readonly string[]; value: number }>): Map<string, number> {
  const phi = new Map<string, number>();
  for (const j of journeys) {
    const distinct = [...new Set(j.channels)];
    if (distinct.length === 0) continue;
    const share = j.value / distinct.length;
    for (const c of distinct) phi.set(c, (phi.get(c) ?? 0) + share);
  }
  return phi;
}

/** v(S) for {@link journeyShapley}'s characteristic function, over players `channels` (bit i = channels[i]). */
export function containedJourneyValue(
  journeys: readonly { channels: readonly string[]; value: number }[], channels: readonly string[],
): (coalition: number) => number {
  const bit = new Map(channels.map((c, i) => [c, 1 << i]));
  const masks = journeys.map((j) => ({ mask: j.channels.reduce((m, c) => m | (bit.get(c) ?? 0), 0), value: j.value }));
  return (s) => {
    let total = 0;
    for (const j of masks) if (j.mask !== 0 && (j.mask & s) === j.mask) total += j.value;
    return total;
  };
}

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}

function popcount(x: number): number {
  let c = 0;
  for (let v = x; v; v &= v - 1) c++;
  return c;
}
