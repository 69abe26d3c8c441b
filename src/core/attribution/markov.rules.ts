import { solveLinearSystem } from '../stats/linear-system.rules.ts';

/**
 * Data-driven attribution: a first-order Markov chain over channels, credited by removal effect.
 *
 * Each path is `start → c1 → … → ck → conversion | null`. Transition probabilities are the observed
 * transition counts normalised per state. P(conversion) is the absorption probability from `start`,
 * solved exactly as a linear system over the transient states ((I − Q)·x = r, Gaussian elimination),
 * never simulated. Removing channel c makes c absorb into null; its removal effect is
 * 1 − P(conversion without c) / P(conversion), which lies in [0, 1]. Weights are removal effects
 * normalised to sum to 1 (all zero when nothing converts).
 *
 * Decisions:
 * - Consecutive repeats of a channel are collapsed: a self-loop rescales a state's other exits but
 *   never changes any absorption probability, so results are identical and the chain is smaller.
 * - Paths with no touch are counted (`emptyPaths`) but not added to the chain: they carry no channel,
 *   and a direct start → conversion mass would scale every removal effect by the same factor,
 *   leaving the normalised weights unchanged.
 * - Cost: one accumulation pass (O(path length), no allocation per path with begin/step/end), then
 *   K + 1 dense solves of size K + 1 — fine for tens to a few hundred channels, not for thousands.
 */
export type MarkovChannelWeights = {
  channels: readonly string[];
  /** Position of each channel in `channels`, `removalEffects` and `weights`. */
  index: ReadonlyMap<string, number>;
  removalEffects: readonly number[];
  weights: readonly number[];
  /** P(conversion) from start in the full chain. */
  conversionProbability: number;
  paths: number;
  conversions: number;
  emptyPaths: number;
};

/**
 * Streams paths into transition counts; call {@link MarkovPathAccumulator.solve} once at the end.
 * @example
 * const acc = new MarkovPathAccumulator();
 * acc.addPath(['search', 'email'], true);
 * acc.addPath(['social'], false);
 * const weights = acc.solve();
 */
export class MarkovPathAccumulator {
  private readonly index = new Map<string, number>();
  private readonly names: string[] = [];
  /** State 0 is start; channel k is state k + 1. */
  private capacity = 16;
  private transitions = new Float64Array(this.capacity * this.capacity);
  private toConversion = new Float64Array(this.capacity);
  private toNull = new Float64Array(this.capacity);
  private current = -1;
  private weight = 0;
  private steps = 0;
  private pathCount = 0;
  private conversionCount = 0;
  private emptyCount = 0;

  /** Opens a path that counts `count` times (identical paths can be fed once, aggregated). */
  begin(count = 1): void {
    if (this.current !== -1) throw new Error('MarkovPathAccumulator: previous path not ended');
    if (!(count > 0)) throw new RangeError(`path count must be positive, got ${count}`);
    this.current = 0;
    this.weight = count;
    this.steps = 0;
  }

  step(channel: string): void {
    if (this.current === -1) throw new Error('MarkovPathAccumulator: step() outside begin()/end()');
    const state = this.stateOf(channel);
    if (state === this.current) return;
    this.transitions[this.current * this.capacity + state]! += this.weight;
    this.current = state;
    this.steps++;
  }

  end(converted: boolean): void {
    if (this.current === -1) throw new Error('MarkovPathAccumulator: end() without begin()');
    if (this.steps === 0) {
      this.emptyCount += this.weight;
    } else {
      if (converted) this.toConversion[this.current]! += this.weight;
      else this.toNull[this.current]! += this.weight;
      this.pathCount += this.weight;
      if (converted) this.conversionCount += this.weight;
    }
    this.current = -1;
  }

  addPath(channels: readonly string[], converted: boolean, count = 1): void {
    this.begin(count);
    for (const channel of channels) this.step(channel);
    this.end(converted);
  }

  /** Absorption probabilities and removal effects for every channel seen so far. */
  solve(): MarkovChannelWeights {
    const k = this.names.length;
    const m = k + 1;
    const cap = this.capacity;
    const base = new Float64Array(m * m);
    const rhs = new Float64Array(m);
    for (let s = 0; s < m; s++) {
      let total = this.toConversion[s]! + this.toNull[s]!;
      for (let t = 0; t < m; t++) total += this.transitions[s * cap + t]!;
      base[s * m + s] = 1;
      if (total > 0) {
        for (let t = 0; t < m; t++) base[s * m + t]! -= this.transitions[s * cap + t]! / total;
        rhs[s] = this.toConversion[s]! / total;
      }
    }
    const full = absorb(base, rhs, m, -1);
    const removalEffects = new Array<number>(k).fill(0);
    if (full > 0) {
      for (let c = 0; c < k; c++) {
        const without = absorb(base, rhs, m, c + 1);
        removalEffects[c] = Math.min(1, Math.max(0, 1 - without / full));
      }
    }
    let sum = 0;
    for (const e of removalEffects) sum += e;
    const weights = removalEffects.map((e) => (sum > 0 ? e / sum : 0));
    return {
      channels: [...this.names],
      index: new Map(this.index),
      removalEffects,
      weights,
      conversionProbability: full,
      paths: this.pathCount,
      conversions: this.conversionCount,
      emptyPaths: this.emptyCount,
    };
  }

  private stateOf(channel: string): number {
    const known = this.index.get(channel);
    if (known !== undefined) return known + 1;
    const k = this.names.length;
    this.index.set(channel, k);
    this.names.push(channel);
    if (k + 2 > this.capacity) this.grow();
    return k + 1;
  }

  private grow(): void {
    const old = this.capacity;
    const cap = old * 2;
    const transitions = new Float64Array(cap * cap);
    for (let r = 0; r < old; r++) transitions.set(this.transitions.subarray(r * old, (r + 1) * old), r * cap);
    const toConversion = new Float64Array(cap);
    toConversion.set(this.toConversion);
    const toNull = new Float64Array(cap);
    toNull.set(this.toNull);
    this.capacity = cap;
    this.transitions = transitions;
    this.toConversion = toConversion;
    this.toNull = toNull;
  }
}

/** P(conversion) from start, with state `removed` (if ≥ 0) turned into a dead end. */
function absorb(base: Float64Array, rhs: Float64Array, m: number, removed: number): number {
  const a = base.slice();
  const b = rhs.slice();
  if (removed >= 0) {
    a.fill(0, removed * m, (removed + 1) * m);
    a[removed * m + removed] = 1;
    b[removed] = 0;
  }
  const x = solveLinearSystem(a, b, m);
  // Every state that was ever entered has an exit, so I − Q is non-singular; null means a bug.
  if (!x) throw new Error('Markov chain: absorbing system is singular');
  return x[0]!;
}

/** Convenience: accumulate paths and solve. */
export function markovChannelWeights(
  paths: Iterable<{ channels: readonly string[]; converted: boolean; count?: number }>,
): MarkovChannelWeights {
  const acc = new MarkovPathAccumulator();
  for (const p of paths) acc.addPath(p.channels, p.converted, p.count ?? 1);
  return acc.solve();
}
