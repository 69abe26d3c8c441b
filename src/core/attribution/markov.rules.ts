import { solveLinearSystem } from '../stats/linear-system.rules.ts';
import { apportion } from './largest-remainder.rules.ts';

/**
 * Data-driven attribution: a Markov chain over channels (order 1 to 4), credited by removal effect.
 *
 * Each path is `start → c1 → … → ck → conversion | null`. In an order-k chain a state is the last
 * (up to) k channels of the path, so the chain remembers where a journey came from; order 1 is the
 * classic channel graph. Transition probabilities are the observed transition counts normalised
 * per state. P(conversion) is the absorption probability from `start`, computed from the linear
 * system (I − Q)·x = r over the transient states — never simulated. Removing channel c turns every
 * state that contains c into a dead end (it absorbs into null); its removal effect is
 * 1 − P(conversion without c) / P(conversion), which lies in [0, 1]. Weights are removal effects
 * normalised to sum to 1 (all zero when nothing converts).
 *
 * The standard allocation (ChannelAttribution's `markov_model`, Anderl et al. 2016) gives channel c
 * total conversions × weight_c (and total value × weight_c): see `allocateByWeights`.
 *
 * Decisions:
 * - Consecutive repeats of a channel are collapsed in every order: a repeated touch is one step.
 *   In order 1 a self-loop rescales a state's other exits but never changes an absorption
 *   probability, so the results are those of the uncollapsed chain.
 * - Paths with no touch are counted (`emptyPaths`) but not added to the chain: they carry no channel,
 *   and a direct start → conversion mass would scale every removal effect by the same factor,
 *   leaving the normalised weights unchanged.
 * - Solving: dense Gaussian elimination (exact to rounding) while the chain has at most
 *   {@link denseStateLimit} states — always the case for order 1 with up to that many channels —
 *   else Gauss–Seidel sweeps over the sparse transitions until no probability moves by more than
 *   1e-14 (higher orders over many channels have thousands of observed states).
 */
export type MarkovChannelWeights = {
  order: number;
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
  /** Observed transitions with counts and probabilities, for export ('(start)', '(conversion)', '(null)'). */
  transitions: readonly MarkovTransition[];
  /** States of the chain besides start (order 1: the channels). */
  states: number;
};

export type MarkovTransition = { from: string; to: string; count: number; probability: number };

export const maxMarkovOrder = 4;
/** Above this many states the solver iterates instead of eliminating (dense cost grows with states³). */
export const denseStateLimit = 300;
const START = 0;

/**
 * Streams paths into transition counts; call {@link MarkovPathAccumulator.solve} once at the end.
 * @example
 * const acc = new MarkovPathAccumulator(2);
 * acc.addPath(['search', 'email'], true);
 * acc.addPath(['social'], false);
 * const weights = acc.solve();
 */
export class MarkovPathAccumulator {
  private readonly channelIndex = new Map<string, number>();
  private readonly names: string[] = [];
  /** State key (channel ordinals joined by ',') → state id; state 0 is start. */
  private readonly stateIds = new Map<string, number>([['', START]]);
  private readonly stateChannels: number[][] = [[]];
  /** Per state: next state → count. */
  private readonly edges: Map<number, number>[] = [new Map()];
  private readonly toConversion: number[] = [0];
  private readonly toNull: number[] = [0];
  private readonly history: number[] = [];
  private current = -1;
  private weight = 0;
  private steps = 0;
  private pathCount = 0;
  private conversionCount = 0;
  private emptyCount = 0;

  constructor(readonly order = 1) {
    if (!Number.isInteger(order) || order < 1 || order > maxMarkovOrder) {
      throw new RangeError(`Markov order must be an integer from 1 to ${maxMarkovOrder}, got ${order}`);
    }
  }

  /** Opens a path that counts `count` times (identical paths can be fed once, aggregated). */
  begin(count = 1): void {
    if (this.current !== -1) throw new Error('MarkovPathAccumulator: previous path not ended');
    if (!(count > 0)) throw new RangeError(`path count must be positive, got ${count}`);
    this.current = START;
    this.weight = count;
    this.steps = 0;
    this.history.length = 0;
  }

  step(channel: string): void {
    if (this.current === -1) throw new Error('MarkovPathAccumulator: step() outside begin()/end()');
    const c = this.channelOf(channel);
    if (this.history.length > 0 && this.history[this.history.length - 1] === c) return;
    this.history.push(c);
    if (this.history.length > this.order) this.history.shift();
    const next = this.stateOf(this.history);
    const out = this.edges[this.current]!;
    out.set(next, (out.get(next) ?? 0) + this.weight);
    this.current = next;
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
  solve(options: { solver?: 'auto' | 'dense' | 'iterative' } = {}): MarkovChannelWeights {
    const k = this.names.length;
    const chain = this.chain();
    const solver = options.solver ?? 'auto';
    const dense = solver === 'dense' || (solver === 'auto' && chain.size <= denseStateLimit);
    const absorb = (removed: number) => (dense ? absorbDense(chain, removed) : absorbIterative(chain, removed));
    const full = absorb(-1);
    const removalEffects = new Array<number>(k).fill(0);
    if (full > 0) {
      for (let c = 0; c < k; c++) removalEffects[c] = Math.min(1, Math.max(0, 1 - absorb(c) / full));
    }
    let sum = 0;
    for (const e of removalEffects) sum += e;
    const weights = removalEffects.map((e) => (sum > 0 ? e / sum : 0));
    return {
      order: this.order,
      channels: [...this.names],
      index: new Map(this.channelIndex),
      removalEffects,
      weights,
      conversionProbability: full,
      paths: this.pathCount,
      conversions: this.conversionCount,
      emptyPaths: this.emptyCount,
      transitions: this.transitionList(),
      states: chain.size - 1,
    };
  }

  private chain(): Chain {
    const size = this.stateChannels.length;
    const k = this.names.length;
    // Which states contain each channel: removing it makes them dead ends.
    const containing: number[][] = Array.from({ length: k }, () => []);
    for (let s = 1; s < size; s++) for (const c of new Set(this.stateChannels[s]!)) containing[c]!.push(s);
    const probabilities: { to: Int32Array; p: Float64Array }[] = [];
    const conversion = new Float64Array(size);
    for (let s = 0; s < size; s++) {
      const out = this.edges[s]!;
      let total = this.toConversion[s]! + this.toNull[s]!;
      for (const n of out.values()) total += n;
      const to = new Int32Array(out.size);
      const p = new Float64Array(out.size);
      let j = 0;
      for (const [t, n] of out) {
        to[j] = t;
        p[j] = total > 0 ? n / total : 0;
        j++;
      }
      probabilities.push({ to, p });
      conversion[s] = total > 0 ? this.toConversion[s]! / total : 0;
    }
    return { size, probabilities, conversion, containing };
  }

  private transitionList(): MarkovTransition[] {
    const label = (s: number) => (s === START ? '(start)' : this.stateChannels[s]!.map((c) => this.names[c]).join(' > '));
    const out: MarkovTransition[] = [];
    for (let s = 0; s < this.stateChannels.length; s++) {
      const edges = this.edges[s]!;
      let total = this.toConversion[s]! + this.toNull[s]!;
      for (const n of edges.values()) total += n;
      if (!(total > 0)) continue;
      for (const [t, n] of edges) out.push({ from: label(s), to: label(t), count: n, probability: n / total });
      if (this.toConversion[s]! > 0) out.push({ from: label(s), to: '(conversion)', count: this.toConversion[s]!, probability: this.toConversion[s]! / total });
      if (this.toNull[s]! > 0) out.push({ from: label(s), to: '(null)', count: this.toNull[s]!, probability: this.toNull[s]! / total });
    }
    return out;
  }

  private channelOf(channel: string): number {
    const known = this.channelIndex.get(channel);
    if (known !== undefined) return known;
    const c = this.names.length;
    this.channelIndex.set(channel, c);
    this.names.push(channel);
    return c;
  }

  private stateOf(history: readonly number[]): number {
    const key = history.join(',');
    const known = this.stateIds.get(key);
    if (known !== undefined) return known;
    const id = this.stateChannels.length;
    this.stateIds.set(key, id);
    this.stateChannels.push([...history]);
    this.edges.push(new Map());
    this.toConversion.push(0);
    this.toNull.push(0);
    return id;
  }
}

type Chain = {
  size: number;
  probabilities: { to: Int32Array; p: Float64Array }[];
  conversion: Float64Array;
  /** Per channel, the states that contain it. */
  containing: number[][];
};

/** P(conversion) from start, with the states containing channel `removed` (if ≥ 0) turned into dead ends. */
function absorbDense(chain: Chain, removed: number): number {
  const m = chain.size;
  const a = new Float64Array(m * m);
  const b = new Float64Array(m);
  const dead = new Uint8Array(m);
  if (removed >= 0) for (const s of chain.containing[removed]!) dead[s] = 1;
  for (let s = 0; s < m; s++) {
    a[s * m + s] = 1;
    if (dead[s]) continue;
    const { to, p } = chain.probabilities[s]!;
    for (let j = 0; j < to.length; j++) a[s * m + to[j]!]! -= p[j]!;
    b[s] = chain.conversion[s]!;
  }
  const x = solveLinearSystem(a, b, m);
  // Every state that was ever entered has an exit, so I − Q is non-singular; null means a bug.
  if (!x) throw new Error('Markov chain: absorbing system is singular');
  return x[0]!;
}

/** The same absorption probability by Gauss–Seidel sweeps (monotone from 0, so it converges from below). */
function absorbIterative(chain: Chain, removed: number): number {
  const m = chain.size;
  const x = new Float64Array(m);
  const dead = new Uint8Array(m);
  if (removed >= 0) for (const s of chain.containing[removed]!) dead[s] = 1;
  for (let sweep = 0; sweep < 100_000; sweep++) {
    let moved = 0;
    // Later states first: paths mostly run towards higher state ids, so values propagate in one sweep.
    for (let s = m - 1; s >= 0; s--) {
      if (dead[s]) continue;
      const { to, p } = chain.probabilities[s]!;
      let v = chain.conversion[s]!;
      for (let j = 0; j < to.length; j++) v += p[j]! * x[to[j]!]!;
      moved = Math.max(moved, Math.abs(v - x[s]!));
      x[s] = v;
    }
    if (moved < 1e-14) break;
  }
  return x[START]!;
}

/** Convenience: accumulate paths and solve. */
export function markovChannelWeights(
  paths: Iterable<{ channels: readonly string[]; converted: boolean; count?: number }>, order = 1,
): MarkovChannelWeights {
  const acc = new MarkovPathAccumulator(order);
  for (const p of paths) acc.addPath(p.channels, p.converted, p.count ?? 1);
  return acc.solve();
}

/**
 * The standard allocation: channel c gets `total` × weight_c, in whole cents that sum exactly to
 * `total` (largest remainder, ties to the earlier channel). All zero when no channel has weight.
 * @example allocateByWeights(1000, { weights: [0.2, 0.4, 0.4] }) // [200, 400, 400]
 */
export function allocateByWeights(totalCents: number, markov: Pick<MarkovChannelWeights, 'weights'>): number[] {
  if (!markov.weights.some((w) => w > 0)) return markov.weights.map(() => 0);
  return apportion(totalCents, markov.weights);
}
