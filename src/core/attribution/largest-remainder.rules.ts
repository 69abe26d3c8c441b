/**
 * Splitting an integer amount of cents by weights so that the parts sum exactly to the amount.
 *
 * Rounding rule (largest-remainder, Hamilton's method):
 *  1. each item with a positive weight gets floor(|amount| × weight / Σweights) cents;
 *  2. the cents still missing go one each to the items with the largest fractional remainders;
 *  3. equal remainders (compared at 1e-9 of a cent, so floating-point noise cannot reorder them)
 *     are broken by item order, earliest first (items are touches in time order);
 *  4. a negative amount is split by its absolute value and every part negated.
 * Items with zero weight always get 0. The parts always sum exactly to the amount.
 */

/** Remainders are compared after rounding to this many steps per cent. */
const remainderSteps = 1e9;
/** Low bits of the sort key hold the (reversed) item index: n must stay below 2^22. */
const indexSpan = 2 ** 22;

/** The largest number of items one call can split (the sort key packs remainder and index into one double). */
export const maxApportionItems = indexSpan - 1;

/**
 * Writes the split of `amount` over `weights[0..n)` into `out[0..n)`, using `keys` (length ≥ n) as scratch.
 * Allocation-free apart from one typed-array view; throws RangeError on a non-integer amount,
 * a negative or non-finite weight, or when no weight is positive.
 * @example apportionInto(100, [1, 1, 1], 3, out, keys) // out = [34, 33, 33]
 */
export function apportionInto(
  amount: number, weights: ArrayLike<number>, n: number, out: { [i: number]: number }, keys: Float64Array,
): void {
  if (!Number.isSafeInteger(amount)) throw new RangeError(`amount must be an integer number of cents, got ${amount}`);
  if (n > maxApportionItems) throw new RangeError(`cannot apportion over more than ${maxApportionItems} items`);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const w = weights[i]!;
    if (!(w >= 0) || w === Infinity) throw new RangeError(`weight ${i} must be finite and non-negative, got ${w}`);
    total += w;
  }
  if (!(total > 0)) throw new RangeError('at least one weight must be positive');

  const sign = amount < 0 ? -1 : 1;
  const whole = Math.abs(amount);
  let assigned = 0;
  let eligible = 0;
  for (let i = 0; i < n; i++) {
    const w = weights[i]!;
    if (w > 0) {
      const exact = (whole * w) / total;
      const floor = Math.floor(exact);
      out[i] = floor;
      assigned += floor;
      keys[eligible++] = Math.round((exact - floor) * remainderSteps) * indexSpan + (indexSpan - 1 - i);
    } else {
      out[i] = 0;
    }
  }

  let leftover = whole - assigned;
  if (leftover !== 0) {
    const sorted = sortKeys(keys, eligible);
    // Floating-point error can only move a floor by one, so |leftover| ≤ eligible in practice;
    // the loop keeps the sum exact even if it did not.
    while (leftover > 0) {
      for (let k = eligible - 1; k >= 0 && leftover > 0; k--, leftover--) out[indexOfKey(sorted[k]!)]! += 1;
    }
    while (leftover < 0) {
      for (let k = 0; k < eligible && leftover < 0; k++) {
        const i = indexOfKey(sorted[k]!);
        if (out[i]! > 0) {
          out[i]! -= 1;
          leftover++;
        }
      }
    }
  }
  if (sign < 0) for (let i = 0; i < n; i++) if (out[i] !== 0) out[i] = -out[i]!;
}

/** Ascending sort of keys[0..n): in place by insertion for the usual short journeys, no allocation. */
function sortKeys(keys: Float64Array, n: number): Float64Array {
  if (n > 48) return keys.subarray(0, n).sort();
  for (let i = 1; i < n; i++) {
    const key = keys[i]!;
    let j = i - 1;
    while (j >= 0 && keys[j]! > key) {
      keys[j + 1] = keys[j]!;
      j--;
    }
    keys[j + 1] = key;
  }
  return keys;
}

function indexOfKey(key: number): number {
  return indexSpan - 1 - (key - Math.floor(key / indexSpan) * indexSpan);
}

/**
 * Convenience form of {@link apportionInto} that allocates its result.
 * @example apportion(1000, [0.25, 0.375, 0.375]) // [250, 375, 375]
 */
export function apportion(amount: number, weights: readonly number[]): number[] {
  const out = new Array<number>(weights.length).fill(0);
  apportionInto(amount, weights, weights.length, out, new Float64Array(weights.length));
  return out;
}
