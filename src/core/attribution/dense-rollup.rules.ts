import { attributionModels, type AttributionModel } from './journey.types.ts';
import type { RollUpAccumulator } from './rollup.rules.ts';

/** Ordinal of each model in {@link attributionModels} (the index DenseRollUp takes). */
export const modelIndex = Object.fromEntries(attributionModels.map((m, i) => [m, i])) as Record<AttributionModel, number>;

/** A roll-up dimension's values (null included) interned as small integers, in first-seen order. */
export class KeyIndex {
  private readonly ids = new Map<string | null, number>();
  readonly keys: (string | null)[] = [];

  id(key: string | null): number {
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.keys.length;
      this.ids.set(key, id);
      this.keys.push(key);
    }
    return id;
  }
}

/**
 * What a {@link RollUpAccumulator} sums (cents and credit counts per model and key, plus each model's
 * unattributed amount), kept in typed arrays indexed by model ordinal and interned key: no Map lookup
 * per credit, which at 1M leads (hundreds of thousands of touches × nine models × four dimensions)
 * was most of the attribution report's Node time. {@link DenseRollUp.flushInto} hands the sums over;
 * the accumulator's rows are then those of adding every credit to it directly.
 */
export class DenseRollUp {
  private cents: Float64Array;
  private credits: Float64Array;
  private capacity: number;
  private readonly unattributedCents = new Float64Array(attributionModels.length);
  private readonly unattributedCredits = new Float64Array(attributionModels.length);

  constructor(readonly keys: KeyIndex, capacity = 64) {
    this.capacity = capacity;
    this.cents = new Float64Array(attributionModels.length * capacity);
    this.credits = new Float64Array(attributionModels.length * capacity);
  }

  add(model: number, key: number, cents: number): void {
    if (key >= this.capacity) this.grow(key + 1);
    const at = model * this.capacity + key;
    this.cents[at]! += cents;
    this.credits[at]! += 1;
  }

  addUnattributed(model: number, cents: number): void {
    this.unattributedCents[model]! += cents;
    this.unattributedCredits[model]! += 1;
  }

  /** Adds every (model, key) credited at least once, and every model's unattributed sum, to `acc`. */
  flushInto(acc: RollUpAccumulator): void {
    attributionModels.forEach((model, m) => {
      for (let k = 0; k < this.capacity; k++) {
        const credits = this.credits[m * this.capacity + k]!;
        if (credits > 0) acc.addSum(model, this.keys.keys[k]!, this.cents[m * this.capacity + k]!, credits);
      }
      if (this.unattributedCredits[m]! > 0) acc.addUnattributedSum(model, this.unattributedCents[m]!, this.unattributedCredits[m]!);
    });
  }

  private grow(needed: number): void {
    let capacity = this.capacity * 2;
    while (capacity < needed) capacity *= 2;
    const cents = new Float64Array(attributionModels.length * capacity);
    const credits = new Float64Array(attributionModels.length * capacity);
    for (let m = 0; m < attributionModels.length; m++) {
      cents.set(this.cents.subarray(m * this.capacity, (m + 1) * this.capacity), m * capacity);
      credits.set(this.credits.subarray(m * this.capacity, (m + 1) * this.capacity), m * capacity);
    }
    this.cents = cents;
    this.credits = credits;
    this.capacity = capacity;
  }
}
