import { mulberry32 } from '../../core/stats/prng.rules.ts';

/**
 * A tiny seeded PRNG (mulberry32) with the sampling helpers the demo generator needs. The demo
 * must be reproducible from its seed, so nothing in src/app/demo may call Math.random.
 */
export type Rng = {
  /** Uniform in [0, 1). */
  next: () => number;
  int: (min: number, max: number) => number;
  chance: (p: number) => boolean;
  pick: <T>(items: readonly T[]) => T;
  weighted: <T>(items: readonly T[], weights: readonly number[]) => T;
  /** Exponential with the given mean. */
  exp: (mean: number) => number;
  /** Log-normal with the given median and sigma (spread of the log). */
  logNormal: (median: number, sigma: number) => number;
  between: (min: number, max: number) => number;
};

export function createRng(seed: number): Rng {
  const next = mulberry32(seed);
  const gauss = (): number => {
    const u = 1 - next();
    const v = next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
    weighted: <T>(items: readonly T[], weights: readonly number[]): T => {
      let total = 0;
      for (const w of weights) total += w;
      let r = next() * total;
      for (let i = 0; i < items.length; i++) {
        r -= weights[i]!;
        if (r < 0) return items[i]!;
      }
      return items[items.length - 1]!;
    },
    exp: (mean) => -Math.log(1 - next()) * mean,
    logNormal: (median, sigma) => median * Math.exp(sigma * gauss()),
    between: (min, max) => min + next() * (max - min),
  };
}

/** Derives an independent seed for a sub-stream (e.g. one per chunk) so chunks do not share state. */
export function deriveSeed(seed: number, stream: number): number {
  let h = (seed ^ Math.imul(stream + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}
