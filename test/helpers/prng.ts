import { mulberry32 } from '../../src/core/stats/prng.rules.ts';

/** A seeded PRNG so randomized (property-style) tests are reproducible: the core's mulberry32. */
export const prng = mulberry32;
