import { describe, expect, it } from 'vitest';
import { allocateByWeights, markovChannelWeights, MarkovPathAccumulator } from '../../../src/core/attribution/markov.rules.ts';
import { containedJourneyValue, journeyShapley, shapleyExact, shapleySampled } from '../../../src/core/attribution/shapley.rules.ts';
import { prng } from './journey.fixture.ts';

const byChannel = (w: { channels: readonly string[]; weights: readonly number[] }, total: number) =>
  Object.fromEntries(w.channels.map((c, i) => [c, total * w.weights[i]!]));

describe('standard Markov allocation (ChannelAttribution markov_model, order 1)', () => {
  it("reproduces Bryl's worked example (AnalyzeCore, 'Marketing Multi-channel Attribution model with R'): C1 0.2, C2 0.4, C3 0.4", () => {
    // Paths: C1 > C2 > C3 converts once; C1 and C2 > C3 do not. P(conv) = 1/3; removing C1 leaves 1/6 (RE 0.5),
    // removing C2 or C3 leaves 0 (RE 1). 1 conversion × (0.5, 1, 1) / 2.5.
    const w = markovChannelWeights([
      { channels: ['C1', 'C2', 'C3'], converted: true },
      { channels: ['C1'], converted: false },
      { channels: ['C2', 'C3'], converted: false },
    ]);
    expect(w.conversionProbability).toBeCloseTo(1 / 3, 12);
    const credit = byChannel(w, 1);
    expect(credit.C1).toBeCloseTo(0.2, 12);
    expect(credit.C2).toBeCloseTo(0.4, 12);
    expect(credit.C3).toBeCloseTo(0.4, 12);
    expect(allocateByWeights(100_000, w)).toEqual([20_000, 40_000, 40_000]);
  });

  it("matches pychattr's documented example (ChannelAttribution port): A ≈ 1.99, B ≈ 1.01 of 3 conversions by simulation, exactly 2 and 1", () => {
    // pychattr README: paths A>B>A>B>B>A, A>B>B>A>A, A>A, one conversion each, no nulls; its simulated
    // total_conversions are A 1.991106, B 1.008894. The exact chain: A exits to B or conversion 1/2 each, B always
    // returns to A; removing A loses everything (RE 1), removing B halves P(conv) (RE 1/2) → 3 × (2/3, 1/3).
    const w = markovChannelWeights(['A>B>A>B>B>A', 'A>B>B>A>A', 'A>A'].map((p) => ({ channels: p.split('>'), converted: true })));
    const credit = byChannel(w, 3);
    expect(credit.A).toBeCloseTo(2, 12);
    expect(credit.B).toBeCloseTo(1, 12);
    expect(Math.abs(credit.A! - 1.991106)).toBeLessThan(0.01);
  });

  it('allocates cents that sum exactly, and nothing when nothing converts', () => {
    expect(allocateByWeights(1001, { weights: [1 / 3, 1 / 3, 1 / 3] })).toEqual([334, 334, 333]);
    expect(allocateByWeights(1001, { weights: [0, 0] })).toEqual([0, 0]);
  });

  it('exports the transition matrix with counts and probabilities', () => {
    const w = markovChannelWeights([{ channels: ['A', 'B'], converted: true }, { channels: ['A'], converted: false }]);
    expect(w.transitions).toEqual([
      { from: '(start)', to: 'A', count: 2, probability: 1 },
      { from: 'A', to: 'B', count: 1, probability: 0.5 },
      { from: 'A', to: '(null)', count: 1, probability: 0.5 },
      { from: 'B', to: '(conversion)', count: 1, probability: 1 },
    ]);
  });
});

describe('higher-order Markov chains (order 2–4)', () => {
  it('remembers where a journey came from: states are the last k channels', () => {
    // Order 1 cannot tell A>C from B>C; order 2 can. Only B>C converts.
    const paths = [
      { channels: ['A', 'C'], converted: false, count: 3 },
      { channels: ['B', 'C'], converted: true, count: 3 },
    ];
    const first = markovChannelWeights(paths, 1);
    const second = markovChannelWeights(paths, 2);
    expect(second.transitions.map((t) => `${t.from}→${t.to}`)).toContain('B > C→(conversion)');
    const re = (w: typeof first, c: string) => w.removalEffects[w.index.get(c)!]!;
    // Order 2: A never leads to a conversion, so removing it costs nothing.
    expect(re(second, 'A')).toBeCloseTo(0, 12);
    expect(re(second, 'B')).toBeCloseTo(1, 12);
    // Order 1 blurs C's exits (half convert whatever came before), so A seems to matter.
    expect(re(first, 'A')).toBeCloseTo(0.5, 12);
  });

  it('with an order at least as long as every path, a removal effect is the share of conversions whose path contains the channel', () => {
    const random = prng(7);
    const channels = ['a', 'b', 'c', 'd'];
    const paths = Array.from({ length: 300 }, () => {
      const length = 1 + Math.floor(random() * 4);
      const p: string[] = [];
      while (p.length < length) {
        const c = channels[Math.floor(random() * channels.length)]!;
        if (p[p.length - 1] !== c) p.push(c);
      }
      return { channels: p, converted: random() < 0.3 };
    });
    const w = markovChannelWeights(paths, 4);
    const conversions = paths.filter((p) => p.converted);
    for (const c of channels) {
      const share = conversions.filter((p) => p.channels.includes(c)).length / conversions.length;
      expect(w.removalEffects[w.index.get(c)!]).toBeCloseTo(share, 10);
    }
  });

  it('solves the same chain by elimination and by iteration', () => {
    const random = prng(11);
    const acc = new MarkovPathAccumulator(3);
    for (let i = 0; i < 400; i++) {
      const p = Array.from({ length: 1 + Math.floor(random() * 6) }, () => 'abcdef'[Math.floor(random() * 6)]!);
      acc.addPath(p, random() < 0.25, 1 + Math.floor(random() * 3));
    }
    const dense = acc.solve({ solver: 'dense' });
    const iterative = acc.solve({ solver: 'iterative' });
    expect(iterative.conversionProbability).toBeCloseTo(dense.conversionProbability, 12);
    dense.removalEffects.forEach((e, i) => expect(iterative.removalEffects[i]).toBeCloseTo(e, 11));
    expect(dense.states).toBeGreaterThan(50);
  });

  it('refuses an order outside 1–4', () => {
    expect(() => new MarkovPathAccumulator(0)).toThrow(RangeError);
    expect(() => new MarkovPathAccumulator(5)).toThrow(RangeError);
  });
});

describe('Shapley values', () => {
  it('follows the definition on the textbook glove game', () => {
    // Players 0 and 1 hold left gloves, 2 a right glove; a pair is worth 1. φ = (1/6, 1/6, 2/3).
    const value = (s: number) => ((s & 4) && (s & 3) ? 1 : 0);
    const phi = shapleyExact(3, value);
    expect(phi[0]).toBeCloseTo(1 / 6, 12);
    expect(phi[1]).toBeCloseTo(1 / 6, 12);
    expect(phi[2]).toBeCloseTo(2 / 3, 12);
  });

  it("worked example (docs/attribution.md): journeys' value split equally over their distinct channels equals the subset definition", () => {
    const journeys = [
      { channels: ['email', 'search'], value: 300 },
      { channels: ['search'], value: 200 },
      { channels: ['social', 'email', 'search', 'email'], value: 600 },
    ];
    const closed = journeyShapley(journeys);
    expect(Object.fromEntries(closed)).toEqual({ email: 350, search: 550, social: 200 });
    const players = ['email', 'search', 'social'];
    const exact = shapleyExact(players.length, containedJourneyValue(journeys, players));
    players.forEach((p, i) => expect(exact[i]).toBeCloseTo(closed.get(p)!, 9));
  });

  it('agrees with the definition on random journeys, and sampling converges to it', () => {
    const random = prng(5);
    const players = Array.from({ length: 8 }, (_, i) => `c${i}`);
    const journeys = Array.from({ length: 200 }, () => ({
      channels: Array.from({ length: 1 + Math.floor(random() * 4) }, () => players[Math.floor(random() * players.length)]!),
      value: Math.floor(random() * 1000),
    }));
    const closed = journeyShapley(journeys);
    const v = containedJourneyValue(journeys, players);
    const exact = shapleyExact(players.length, v);
    players.forEach((p, i) => expect(exact[i]).toBeCloseTo(closed.get(p) ?? 0, 6));
    const sampled = shapleySampled(players.length, (members) => v(members.reduce((m, on, i) => (on ? m | (1 << i) : m), 0)), 4000, 1);
    const total = journeys.reduce((s, j) => s + j.value, 0);
    players.forEach((_, i) => expect(Math.abs(sampled[i]! - exact[i]!) / total).toBeLessThan(0.02));
    expect(sampled.reduce((a, b) => a + b, 0)).toBeCloseTo(total, 6);
  });
});
