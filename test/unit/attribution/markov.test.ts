import { describe, expect, it } from 'vitest';
import { attribute } from '../../../src/core/attribution/attribution.rules.ts';
import { MarkovPathAccumulator, markovChannelWeights } from '../../../src/core/attribution/markov.rules.ts';
import { solveLinearSystem } from '../../../src/core/stats/linear-system.rules.ts';
import { journey, touch } from './journey.fixture.ts';

/*
 * Hand-solved absorbing chain. Paths:
 *   A → B → conv      A → null      B → conv      B → A → null      C → null (a channel that never converts)
 * Transition counts:
 *   start: A 2, B 2, C 1          → P(start→A) = 2/5, P(start→B) = 2/5, P(start→C) = 1/5
 *   A:     B 1, null 2            → P(A→B) = 1/3, P(A→null) = 2/3
 *   B:     conv 2, A 1            → P(B→conv) = 2/3, P(B→A) = 1/3
 *   C:     null 1                 → P(C→null) = 1
 * Absorption into conv, x_s = P(conv | at s):
 *   x_A = 1/3·x_B,  x_B = 2/3 + 1/3·x_A = 2/3 + 1/9·x_B  ⇒  8/9·x_B = 2/3  ⇒  x_B = 3/4, x_A = 1/4,  x_C = 0
 *   P(conv) = 2/5·1/4 + 2/5·3/4 + 1/5·0 = 2/5
 * Remove A (A becomes a dead end): x_A = 0, x_B = 2/3  ⇒  P = 2/5·2/3 = 4/15  ⇒  RE_A = 1 − (4/15)/(2/5) = 1/3
 * Remove B: x_B = 0, x_A = 0                         ⇒  P = 0              ⇒  RE_B = 1
 * Remove C: nothing changes                          ⇒  P = 2/5            ⇒  RE_C = 0
 * Weights: RE / ΣRE = (1/3, 1, 0) / (4/3) = (1/4, 3/4, 0).
 */
const paths = [
  { channels: ['A', 'B'], converted: true },
  { channels: ['A'], converted: false },
  { channels: ['B'], converted: true },
  { channels: ['B', 'A'], converted: false },
  { channels: ['C'], converted: false },
];

describe('Markov removal effect', () => {
  const solved = markovChannelWeights(paths);
  const byChannel = (w: { channels: readonly string[]; weights: readonly number[]; removalEffects: readonly number[] }) =>
    Object.fromEntries(w.channels.map((c, i) => [c, { re: w.removalEffects[i], w: w.weights[i] }]));

  it('matches the hand-solved absorbing chain', () => {
    expect(solved.conversionProbability).toBeCloseTo(2 / 5, 12);
    const got = byChannel(solved);
    expect(got.A!.re).toBeCloseTo(1 / 3, 12);
    expect(got.B!.re).toBeCloseTo(1, 12);
    expect(got.C!.re).toBeCloseTo(0, 12);
    expect(got.A!.w).toBeCloseTo(1 / 4, 12);
    expect(got.B!.w).toBeCloseTo(3 / 4, 12);
    expect(got.C!.w).toBe(0);
    expect(solved).toMatchObject({ paths: 5, conversions: 2, emptyPaths: 0 });
  });

  it('collapses repeated channels (self-loops never change absorption) and aggregates counts', () => {
    const acc = new MarkovPathAccumulator();
    acc.addPath(['A', 'A', 'B', 'B'], true);
    acc.addPath(['A'], false);
    acc.addPath(['B'], true);
    acc.begin();
    acc.step('B');
    acc.step('A');
    acc.step('A');
    acc.end(false);
    acc.addPath(['C', 'C'], false);
    acc.addPath([], true, 7);
    const again = acc.solve();
    expect(again.weights).toEqual(solved.weights);
    expect(again.emptyPaths).toBe(7);

    const doubled = markovChannelWeights(paths.map((p) => ({ ...p, count: 2 })));
    for (let i = 0; i < 3; i++) expect(doubled.weights[i]).toBeCloseTo(solved.weights[i]!, 12);
  });

  it('gives zero weights when nothing converts, and guards misuse', () => {
    const none = markovChannelWeights([{ channels: ['A', 'B'], converted: false }]);
    expect(none.conversionProbability).toBe(0);
    expect(none.weights).toEqual([0, 0]);
    const acc = new MarkovPathAccumulator();
    expect(() => acc.step('A')).toThrow();
    acc.begin();
    expect(() => acc.begin()).toThrow();
  });

  it('grows past its initial capacity', () => {
    const acc = new MarkovPathAccumulator();
    const channels = Array.from({ length: 40 }, (_, i) => `c${i}`);
    acc.addPath(channels, true);
    acc.addPath(channels.slice(0, 20), false);
    const w = acc.solve();
    expect(w.channels).toHaveLength(40);
    // One converting path through all: removing any channel on it loses every conversion.
    expect(w.removalEffects.every((e) => Math.abs(e - 1) < 1e-12)).toBe(true);
    expect(w.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('credits a journey by channel weight, split evenly among that channel’s touches', () => {
    // Channels in the journey: A (1/4) once, B (3/4) twice → 1001 × (0.25, 0.375, 0.375) = 250.25, 375.375, 375.375.
    // Floors 250 + 375 + 375 = 1000; the last cent ties between the B touches → the earlier one.
    const j = journey([touch('a', 1, 'A'), touch('b1', 2, 'B'), touch('b2', 3, 'B'), touch('c', 4, 'C'), touch('d', 5, 'D')], { amount: 1001 });
    const credits = attribute(j, 'markov_path', {}, solved);
    expect(credits.map((c) => [c.touchId, c.cents, c.role])).toEqual([
      ['a', 250, 'channel_share'], ['b1', 376, 'channel_share'], ['b2', 375, 'channel_share'],
    ]);
    // Only channels with no removal effect (C, or D never seen) → unattributed.
    const dead = journey([touch('c', 1, 'C'), touch('d', 2, 'D')]);
    expect(attribute(dead, 'markov_path', {}, solved)).toMatchObject([{ touchId: null, role: 'unattributed', cents: 10_000 }]);
  });
});

describe('linear system', () => {
  it('solves with pivoting and reports singular matrices', () => {
    // 0·x + y = 2, x + y = 3 needs a row swap: x = 1, y = 2.
    expect(Array.from(solveLinearSystem(Float64Array.of(0, 1, 1, 1), Float64Array.of(2, 3), 2)!)).toEqual([1, 2]);
    expect(solveLinearSystem(Float64Array.of(1, 2, 2, 4), Float64Array.of(1, 2), 2)).toBeNull();
  });
});
