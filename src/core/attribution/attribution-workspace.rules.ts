import { apportionInto } from './largest-remainder.rules.ts';
import type { MarkovChannelWeights } from './markov.rules.ts';
import {
  isClosed, roleBit, rolesOfMask,
  type AttributionCredit, type AttributionOptions, type DealModel, type Journey,
} from './journey.types.ts';

const dayMs = 86_400_000;
const FIRST = roleBit('first');
const LEAD = roleBit('lead_creation');
const OPP = roleBit('opportunity_creation');
const CLOSE = roleBit('close');
const LAST = roleBit('last');
const MIDDLE = roleBit('middle');
const EVEN = roleBit('even');
const DECAY = roleBit('decay');
const CHANNEL_SHARE = roleBit('channel_share');
const UNATTRIBUTED = roleBit('unattributed');

/**
 * Nominal shares (per mille) of the positional models. Positions:
 * - first: the earliest touch in the window; last: the latest;
 * - lead_creation: the last touch at or before the lead was created;
 * - opportunity_creation: the last touch at or before the opportunity was created;
 * - close: the last touch at or before the close date (only for won/lost deals);
 * - others: spread evenly over the touches holding none of the model's positions.
 * A touch holding several positions gets the sum of their shares. A position with no touch
 * (no lead, no touch before the opportunity, an open deal, no "other" touch) drops out and the
 * remaining shares are scaled up pro rata. Hence U-shaped with one touch gives it 100 %, with two
 * touches 50/50 when the second created the lead, 80/20 when the first did; with no lead-creation
 * touch the first touch and the others share 40:20. When no position of a model resolves (the
 * lead_creation model on a deal without a lead-creation touch) the amount is explicitly unattributed.
 */
const positional = {
  first_touch: { first: 1000, lead: 0, opp: 0, close: 0, last: 0, others: 0 },
  last_touch: { first: 0, lead: 0, opp: 0, close: 0, last: 1000, others: 0 },
  lead_creation: { first: 0, lead: 1000, opp: 0, close: 0, last: 0, others: 0 },
  u_shaped: { first: 400, lead: 400, opp: 0, close: 0, last: 0, others: 200 },
  w_shaped: { first: 300, lead: 300, opp: 300, close: 0, last: 0, others: 100 },
  full_path: { first: 225, lead: 225, opp: 225, close: 225, last: 0, others: 100 },
} as const;
type Shares = (typeof positional)[keyof typeof positional];

/**
 * Reusable scratch for attributing many journeys without per-journey allocation. `load` a journey
 * (window filter + time order once), then `attribute` it under as many models as needed and read
 * the typed arrays (position i = the i-th touch in the window, `order[i]` its index in
 * `journey.touches`), or build objects with `credits`.
 *
 * Window: a touch counts when it happened no earlier than `lookbackDays` before the opportunity
 * was created and, for a won or lost deal, no later than its close. Open deals have no upper bound
 * (the caller passes the touches known so far).
 */
export class AttributionWorkspace {
  order: Int32Array;
  times: Float64Array;
  /** Normalised share per position after `attribute` (sums to 1 unless nothing qualified). */
  weights: Float64Array;
  cents: Float64Array;
  roles: Uint16Array;
  /** Touches in the window of the loaded journey. */
  length = 0;
  journey: Journey | null = null;
  private keys: Float64Array;
  private channelCounts = new Float64Array(16);
  private lastModel: DealModel | null = null;
  private lastCredited = 0;
  private readonly options: AttributionOptions;

  constructor(options: AttributionOptions, private markov: MarkovChannelWeights | null = null, capacity = 64) {
    if (options.lookbackDays !== null && !(options.lookbackDays >= 0)) {
      throw new RangeError(`lookbackDays must be ≥ 0 or null, got ${options.lookbackDays}`);
    }
    if (!(options.halfLifeDays > 0) || options.halfLifeDays === Infinity) {
      throw new RangeError(`halfLifeDays must be positive and finite, got ${options.halfLifeDays}`);
    }
    this.options = options;
    this.order = new Int32Array(capacity);
    this.times = new Float64Array(capacity);
    this.weights = new Float64Array(capacity);
    this.cents = new Float64Array(capacity);
    this.roles = new Uint16Array(capacity);
    this.keys = new Float64Array(capacity);
  }

  /** Channel weights the `markov_path` model uses (from {@link MarkovPathAccumulator.solve}). */
  setMarkov(markov: MarkovChannelWeights | null): void {
    this.markov = markov;
  }

  /** Selects and orders the journey's touches in the window; returns how many there are. */
  load(journey: Journey): number {
    const touches = journey.touches;
    this.ensure(touches.length);
    const opp = journey.opportunity;
    const created = opp.createdAt.getTime();
    const from = this.options.lookbackDays === null ? -Infinity : created - this.options.lookbackDays * dayMs;
    const to = isClosed(opp) ? opp.closedAt.getTime() : Infinity;
    let n = 0;
    let sorted = true;
    let previous = -Infinity;
    for (let i = 0; i < touches.length; i++) {
      const t = touches[i]!.at.getTime();
      if (t >= from && t <= to) {
        if (t < previous) sorted = false;
        previous = t;
        this.order[n] = i;
        this.times[n] = t;
        n++;
      }
    }
    if (!sorted) this.sortByTime(n);
    this.length = n;
    this.journey = journey;
    this.lastModel = null;
    return n;
  }

  /**
   * Splits the loaded opportunity's amount under `model` into `cents` (exact sum, see
   * largest-remainder.rules.ts). Returns how many touches got a positive share; 0 means the whole
   * amount is unattributed (no touch in the window, or none qualifying for the model).
   */
  attribute(model: DealModel): number {
    const journey = this.journey;
    if (!journey) throw new Error('AttributionWorkspace: load() a journey first');
    const n = this.length;
    this.weights.fill(0, 0, n);
    this.roles.fill(0, 0, n);
    this.lastModel = model;
    this.lastCredited = 0;
    if (n === 0) return 0;
    switch (model) {
      case 'linear':
        this.weights.fill(1, 0, n);
        this.roles.fill(EVEN, 0, n);
        break;
      case 'time_decay':
        this.timeDecay(journey);
        break;
      case 'markov_path':
        this.markovShares(journey);
        break;
      default:
        this.positional(journey, positional[model]);
    }
    let total = 0;
    for (let i = 0; i < n; i++) total += this.weights[i]!;
    if (!(total > 0)) {
      this.weights.fill(0, 0, n);
      this.roles.fill(0, 0, n);
      return 0;
    }
    let credited = 0;
    for (let i = 0; i < n; i++) {
      const w = this.weights[i]! / total;
      this.weights[i] = w;
      if (w > 0) credited++;
      else this.roles[i] = 0;
    }
    apportionInto(journey.opportunity.amountCents, this.weights, n, this.cents, this.keys);
    this.lastCredited = credited;
    return credited;
  }

  /** The last `attribute` call as credit objects (one explicit unattributed credit when nothing qualified). */
  credits(): AttributionCredit[] {
    const journey = this.journey;
    const model = this.lastModel;
    if (!journey || !model) throw new Error('AttributionWorkspace: attribute() first');
    const opportunityId = journey.opportunity.id;
    if (this.lastCredited === 0) {
      return [{
        opportunityId, model, touchId: null, cents: journey.opportunity.amountCents, weight: 1,
        role: 'unattributed', roles: rolesOfMask(UNATTRIBUTED),
        at: null, channel: null, source: null, campaign: null, contentId: null,
      }];
    }
    const out: AttributionCredit[] = [];
    for (let i = 0; i < this.length; i++) {
      const weight = this.weights[i]!;
      if (!(weight > 0)) continue;
      const touch = journey.touches[this.order[i]!]!;
      const roles = rolesOfMask(this.roles[i]!);
      out.push({
        opportunityId, model, touchId: touch.id, cents: this.cents[i]!, weight, role: roles[0]!, roles,
        at: touch.at, channel: touch.channel, source: touch.source, campaign: touch.campaign, contentId: touch.contentId,
      });
    }
    return out;
  }

  /** Position of the last touch at or before `time`, or -1. */
  private lastAtOrBefore(time: number): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.times[mid]! <= time) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  private positional(journey: Journey, shares: Shares): void {
    const n = this.length;
    const opp = journey.opportunity;
    this.give(0, shares.first, FIRST);
    if (shares.lead > 0 && journey.leadCreatedAt) this.give(this.lastAtOrBefore(journey.leadCreatedAt.getTime()), shares.lead, LEAD);
    if (shares.opp > 0) this.give(this.lastAtOrBefore(opp.createdAt.getTime()), shares.opp, OPP);
    // The window ends at the close, so the close touch is the last one in it.
    if (shares.close > 0 && isClosed(opp)) this.give(n - 1, shares.close, CLOSE);
    this.give(n - 1, shares.last, LAST);
    if (shares.others > 0) {
      let others = 0;
      for (let i = 0; i < n; i++) if (this.roles[i] === 0) others++;
      if (others > 0) {
        const each = shares.others / others;
        for (let i = 0; i < n; i++) {
          if (this.roles[i] === 0) {
            this.weights[i] = each;
            this.roles[i] = MIDDLE;
          }
        }
      }
    }
  }

  /** weight = 2^(−age / half-life), age measured back from the anchor, capped at 0 for later touches. */
  private give(i: number, share: number, role: number): void {
    if (i < 0 || share === 0) return;
    this.weights[i]! += share;
    this.roles[i]! |= role;
  }

  private timeDecay(journey: Journey): void {
    const n = this.length;
    const opp = journey.opportunity;
    const anchor = this.options.decayAnchor === 'close' && isClosed(opp) ? opp.closedAt.getTime() : opp.createdAt.getTime();
    const rate = -Math.LN2 / (this.options.halfLifeDays * dayMs);
    // Relative to the youngest touch, so that old journeys never underflow to all-zero weights.
    let youngest = Infinity;
    for (let i = 0; i < n; i++) youngest = Math.min(youngest, Math.max(0, anchor - this.times[i]!));
    for (let i = 0; i < n; i++) {
      const age = Math.max(0, anchor - this.times[i]!) - youngest;
      this.weights[i] = Math.exp(age * rate);
      this.roles[i] = DECAY;
    }
  }

  /**
   * `markov_path`: each deal's amount split over the channels on its own path by their global
   * removal-effect weights, a channel's share split evenly over its touches. Not the standard
   * allocation (that is the report's `markov`, which credits channel totals); kept because it
   * credits sources, campaigns and content of each deal's own touches.
   */
  private markovShares(journey: Journey): void {
    const markov = this.markov;
    if (!markov) throw new Error('AttributionWorkspace: the markov model needs channel weights (setMarkov)');
    const n = this.length;
    const k = markov.channels.length;
    if (this.channelCounts.length < k) this.channelCounts = new Float64Array(Math.max(k, this.channelCounts.length * 2));
    const counts = this.channelCounts;
    for (let i = 0; i < n; i++) {
      const c = markov.index.get(journey.touches[this.order[i]!]!.channel);
      this.keys[i] = c ?? -1;
      if (c !== undefined) counts[c]! += 1;
    }
    for (let i = 0; i < n; i++) {
      const c = this.keys[i]!;
      if (c < 0) continue;
      const w = markov.weights[c]!;
      if (w > 0) {
        this.weights[i] = w / counts[c]!;
        this.roles[i] = CHANNEL_SHARE;
      }
    }
    for (let i = 0; i < n; i++) {
      const c = this.keys[i]!;
      if (c >= 0) counts[c] = 0;
    }
  }

  private sortByTime(n: number): void {
    // Stable: equal times keep their input order (order[] is increasing before sorting).
    if (n <= 32) {
      for (let i = 1; i < n; i++) {
        const t = this.times[i]!;
        const o = this.order[i]!;
        let j = i - 1;
        while (j >= 0 && this.times[j]! > t) {
          this.times[j + 1] = this.times[j]!;
          this.order[j + 1] = this.order[j]!;
          j--;
        }
        this.times[j + 1] = t;
        this.order[j + 1] = o;
      }
      return;
    }
    const times = this.times.slice(0, n);
    const order = this.order.slice(0, n);
    const perm = Array.from({ length: n }, (_, i) => i);
    perm.sort((a, b) => times[a]! - times[b]! || order[a]! - order[b]!);
    for (let i = 0; i < n; i++) {
      this.times[i] = times[perm[i]!]!;
      this.order[i] = order[perm[i]!]!;
    }
  }

  private ensure(capacity: number): void {
    if (this.order.length >= capacity) return;
    let size = Math.max(1, this.order.length);
    while (size < capacity) size *= 2;
    this.order = new Int32Array(size);
    this.times = new Float64Array(size);
    this.weights = new Float64Array(size);
    this.cents = new Float64Array(size);
    this.roles = new Uint16Array(size);
    this.keys = new Float64Array(size);
  }
}
