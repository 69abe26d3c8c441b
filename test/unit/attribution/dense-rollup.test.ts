import { describe, expect, it } from 'vitest';
import { DenseRollUp, KeyIndex, modelIndex } from '../../../src/core/attribution/dense-rollup.rules.ts';
import { attributionModels } from '../../../src/core/attribution/journey.types.ts';
import { RollUpAccumulator } from '../../../src/core/attribution/rollup.rules.ts';
import { prng } from '../../helpers/prng.ts';

/**
 * The attribution report sums the per-deal models' credits in a DenseRollUp (typed arrays by interned
 * key) and hands the sums to a RollUpAccumulator; the rows must be those of adding every credit to the
 * accumulator directly: same keys (null and zero-cent credits included), cents and credit counts.
 */
describe('DenseRollUp', () => {
  it('gives the rows of adding every credit to a RollUpAccumulator (random credits, keys past the initial capacity)', () => {
    const rnd = prng(20261203);
    const keys = [null, 'email', 'paid_search', 'Ünï "x"', '', ...Array.from({ length: 150 }, (_, i) => `k${i}`)];
    for (let round = 0; round < 20; round++) {
      const index = new KeyIndex();
      const dense = new DenseRollUp(index, 4);
      const direct = new RollUpAccumulator('channel');
      const viaDense = new RollUpAccumulator('channel');
      const credits = Math.floor(rnd() * 2000);
      for (let i = 0; i < credits; i++) {
        const model = attributionModels[Math.floor(rnd() * attributionModels.length)]!;
        const cents = rnd() < 0.1 ? 0 : Math.floor((rnd() - 0.2) * 100_000);
        if (rnd() < 0.05) {
          direct.addUnattributed(model, cents);
          dense.addUnattributed(modelIndex[model], cents);
        } else {
          const key = keys[Math.floor(rnd() ** 2 * keys.length)]!;
          direct.add(model, key, cents);
          dense.add(modelIndex[model], index.id(key), cents);
        }
      }
      dense.flushInto(viaDense);
      expect(viaDense.rows(), `round ${round}`).toEqual(direct.rows());
    }
  });

  it('interns each key once, null included, in first-seen order', () => {
    const index = new KeyIndex();
    expect([index.id('a'), index.id(null), index.id('a'), index.id(''), index.id(null)]).toEqual([0, 1, 0, 2, 1]);
    expect(index.keys).toEqual(['a', null, '']);
  });
});
