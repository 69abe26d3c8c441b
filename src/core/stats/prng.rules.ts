/**
 * mulberry32: a tiny seeded PRNG. The core has no randomness of its own; where an algorithm samples
 * (Shapley by random join orders), or a generator must be reproducible (the demo, property tests),
 * it draws from this, seeded by the caller, so the same seed gives the same numbers.
 * @example const next = mulberry32(42); next() // a number in [0, 1)
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
