import { AttributionWorkspace } from '../../core/attribution/attribution-workspace.rules.ts';
import { apportionInto } from '../../core/attribution/largest-remainder.rules.ts';
import { attributionModels, dealModels, type AttributionModel, type AttributionTouch, type DealModel, type Journey } from '../../core/attribution/journey.types.ts';
import { marketingContributionOf } from '../../core/attribution/marketing-contribution.rules.ts';
import { allocateByWeights, MarkovPathAccumulator, type MarkovChannelWeights } from '../../core/attribution/markov.rules.ts';
import { DenseRollUp, KeyIndex, modelIndex } from '../../core/attribution/dense-rollup.rules.ts';
import { dimensionOf, RollUpAccumulator, rollUpDimensions, type RollUpDimension } from '../../core/attribution/rollup.rules.ts';
import { nonConvertingMarkovPaths, type AttributionScope, type MarkovPathRow, type ScopedOpportunity, type TouchRow } from '../../storage/reports/attribution.repo.ts';
import { prepareContactTouches } from '../../storage/reports/contact-touches.repo.ts';
import { streamDealTouches } from '../../storage/reports/deal-touches.repo.ts';
import { definitionVersionsInScope } from '../../storage/reports/report-sql.ts';
import { attributionSettings, defaultAttributionSettings, type AttributionSettings } from '../attribution-settings.ts';
import type { AppDeps } from '../context.ts';
import { envelopeBase, rate, ratio, type ReportEnvelope, type ReportParams, type Row } from './report.types.ts';

/** Higher-order chains over many channels have many states; the report lists this many transitions at most. */
const maxExportedTransitions = 5000;
const pathSeparator = '\u001f';
const toMoney = (cents: number) => cents / 100;

type Horizon = {
  opportunities: number; cents: number;
  /** Amount of the deals with at least one touch in their window (what the Markov allocation splits). */
  touchedCents: number;
  sourced: { opportunities: number; cents: number }; influenced: { opportunities: number; cents: number };
  rollUps: Record<RollUpDimension, RollUpAccumulator>;
  /** The per-deal models' sums while the deals stream, per dimension (rollUpDimensions order); flushed into `rollUps`. */
  dense: DenseRollUp[];
};
const newHorizon = (indexes: readonly KeyIndex[]): Horizon => ({
  opportunities: 0, cents: 0, touchedCents: 0, sourced: { opportunities: 0, cents: 0 }, influenced: { opportunities: 0, cents: 0 },
  rollUps: Object.fromEntries(rollUpDimensions.map((d) => [d, new RollUpAccumulator(d)])) as Record<RollUpDimension, RollUpAccumulator>,
  dense: indexes.map((index) => new DenseRollUp(index)),
});

/** Solves the Markov chain (order 1–4) over the period's converting and non-converting paths. */
export function solveMarkov(paths: readonly { path: string; converted: boolean; count: number }[], order = 1): MarkovChannelWeights {
  const acc = new MarkovPathAccumulator(order);
  for (const p of paths) {
    acc.begin(p.count);
    for (const channel of p.path.split(pathSeparator)) acc.step(channel);
    acc.end(p.converted);
  }
  return acc.solve();
}

/** Identical paths once, in (path, converted) order: a fixed channel order whatever the query plan. */
function sortedPaths(converting: ReadonlyMap<string, ConvertingPath>, nonConverting: readonly MarkovPathRow[]): MarkovPathRow[] {
  const all: MarkovPathRow[] = [...nonConverting];
  for (const [path, { count }] of converting) all.push({ path, converted: true, count });
  return all.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : Number(a.converted) - Number(b.converted)));
}

type ConvertingPath = { count: number; cents: number };

const dimensions = rollUpDimensions.length;
const SHAPLEY = modelIndex.shapley;

/**
 * The loaded journey's touches as interned keys: `ids[i * dimensions + d]` = the key of the i-th
 * touch in the window on dimension d (rollUpDimensions order), so that each model's credits are
 * summed by array index (DenseRollUp) instead of a Map lookup per credit and dimension.
 */
class JourneyKeys {
  ids = new Int32Array(64 * dimensions);
  readonly indexes: KeyIndex[] = rollUpDimensions.map(() => new KeyIndex());

  load(ws: AttributionWorkspace, journey: Journey): void {
    this.ensure(ws.length);
    for (let i = 0; i < ws.length; i++) {
      const t = journey.touches[ws.order[i]!]!;
      for (let d = 0; d < dimensions; d++) this.ids[i * dimensions + d] = this.indexes[d]!.id(dimensionOf(t, rollUpDimensions[d]!));
    }
  }

  ensure(n: number): void {
    if (this.ids.length < n * dimensions) this.ids = new Int32Array(Math.max(n, this.ids.length / dimensions * 2) * dimensions);
  }
}

/**
 * Shapley credit of one deal on one dimension: its amount split equally over the distinct keys its
 * touches carry (the closed form of the Shapley value for v(S) = value of the journeys whose keys all
 * lie in S; see shapley.rules.ts), in whole cents, ties to the key touched first.
 */
class ShapleySplitter {
  private readonly keys: number[] = [];
  private seen = new Int32Array(64);
  private stamp = 0;
  private weights = new Float64Array(16);
  private cents = new Float64Array(16);
  private scratch = new Float64Array(16);

  split(ws: AttributionWorkspace, amountCents: number, keys: JourneyKeys, d: number, visit: (key: number, cents: number) => void): void {
    this.keys.length = 0;
    this.stamp++;
    for (let i = 0; i < ws.length; i++) {
      const key = keys.ids[i * dimensions + d]!;
      if (key >= this.seen.length) {
        const seen = new Int32Array(Math.max(key + 1, this.seen.length * 2));
        seen.set(this.seen);
        this.seen = seen;
      }
      if (this.seen[key] === this.stamp) continue;
      this.seen[key] = this.stamp;
      this.keys.push(key);
    }
    const n = this.keys.length;
    if (this.weights.length < n) {
      this.weights = new Float64Array(n * 2);
      this.cents = new Float64Array(n * 2);
      this.scratch = new Float64Array(n * 2);
    }
    this.weights.fill(1, 0, n);
    apportionInto(amountCents, this.weights, n, this.cents, this.scratch);
    for (let i = 0; i < n; i++) visit(this.keys[i]!, this.cents[i]!);
  }
}

/**
 * What the Markov pass needs of a deal once the channel weights are known: the deal and its touches in
 * the window, kept compact (times and interned keys in plain number arrays, no touch objects).
 */
class DeferredJourneys {
  readonly opps: ScopedOpportunity[] = [];
  private readonly ends: number[] = [];
  // Typed arrays doubled as they fill: hundreds of thousands of touches in plain arrays cost more in GC than in pushes.
  private times = new Float64Array(1024);
  private ids = new Int32Array(1024 * dimensions);
  private length = 0;

  add(opp: ScopedOpportunity, ws: AttributionWorkspace, keys: JourneyKeys): void {
    const n = ws.length;
    if (this.length + n > this.times.length) {
      const size = Math.max(this.length + n, this.times.length * 2);
      const times = new Float64Array(size);
      times.set(this.times.subarray(0, this.length));
      const ids = new Int32Array(size * dimensions);
      ids.set(this.ids.subarray(0, this.length * dimensions));
      this.times = times;
      this.ids = ids;
    }
    this.times.set(ws.times.subarray(0, n), this.length);
    this.ids.set(keys.ids.subarray(0, n * dimensions), this.length * dimensions);
    this.length += n;
    this.opps.push(opp);
    this.ends.push(this.length);
  }

  /** Calls `visit` with each deal's journey (touches rebuilt in window order, `keys` loaded; the objects are reused). */
  forEach(keys: JourneyKeys, visit: (opp: ScopedOpportunity, journey: Journey) => void): void {
    const pool: AttributionTouch[] = [];
    const touches: AttributionTouch[] = [];
    const [channels, sources, campaigns, contents] = keys.indexes.map((x) => x.keys) as [(string | null)[], (string | null)[], (string | null)[], (string | null)[]];
    let start = 0;
    for (let d = 0; d < this.opps.length; d++) {
      const opp = this.opps[d]!;
      const end = this.ends[d]!;
      touches.length = 0;
      keys.ensure(end - start);
      for (let k = start; k < end; k++) {
        const j = k - start;
        const t = pool[j] ?? (pool[j] = { id: '', at: new Date(0), channel: '', source: null, campaign: null, contentId: null });
        const at = k * dimensions;
        t.at.setTime(this.times[k]!);
        t.channel = channels[this.ids[at]!]!;
        t.source = sources[this.ids[at + 1]!]!;
        t.campaign = campaigns[this.ids[at + 2]!]!;
        t.contentId = contents[this.ids[at + 3]!]!;
        for (let x = 0; x < dimensions; x++) keys.ids[j * dimensions + x] = this.ids[at + x]!;
        touches.push(t);
      }
      start = end;
      visit(opp, journeyOf(opp, touches));
    }
  }
}

const journeyOf = (opp: ScopedOpportunity, touches: readonly AttributionTouch[]): Journey => ({
  opportunity: { id: opp.id, amountCents: opp.amountCents, createdAt: opp.createdAt, closedAt: opp.closedAt, status: opp.status },
  leadCreatedAt: opp.leadCreatedAt, touches,
});

/** A won deal of the period is a converting Markov path: its touches in stream order (time, then id). */
function countConvertingPath(converting: Map<string, ConvertingPath>, opp: ScopedOpportunity, touches: readonly TouchRow[]): void {
  if (!opp.shortTerm || touches.length === 0) return;
  const path = touches.map((t) => t.channel).join(pathSeparator);
  const known = converting.get(path);
  if (known) { known.count++; known.cents += opp.amountCents; } else converting.set(path, { count: 1, cents: opp.amountCents });
}

/**
 * Streams every in-scope deal's journey (chunks of deals, the next ones queried while these are
 * computed) through one reusable AttributionWorkspace and
 * rolls credits up per model without keeping them. The Markov model needs channel weights from
 * every path of the period: its non-converting paths are aggregated in SQL while the deals stream
 * (`nonConverting`), its converting paths are the streamed won deals' touch paths, and the Markov
 * credits are computed last from the compact journeys kept for that purpose.
 */
async function attributeAll(
  deps: AppDeps, s: AttributionScope, settings: AttributionSettings, fromSummary: boolean, nonConverting: Promise<MarkovPathRow[]>, order: number,
) {
  const ws = new AttributionWorkspace({ lookbackDays: settings.lookbackDays, halfLifeDays: settings.halfLifeDays, decayAnchor: 'close' }, null);
  const marketing = new Set(settings.marketingChannels);
  const shapley = new ShapleySplitter();
  const keys = new JourneyKeys();
  const short = newHorizon(keys.indexes);
  const long = newHorizon(keys.indexes);
  const horizons: Horizon[] = [];
  const converting = new Map<string, ConvertingPath>();
  const deferred = new DeferredJourneys();
  const horizonsOf = (opp: ScopedOpportunity) => {
    horizons.length = 0;
    if (opp.shortTerm) horizons.push(short);
    if (opp.longTerm) horizons.push(long);
    return horizons;
  };
  /** Credits of the journey loaded in `ws` (its keys in `keys`) under model `m`, into the horizons' roll-ups. */
  const rollUp = (opp: ScopedOpportunity, m: DealModel) => {
    const credited = ws.attribute(m);
    const model = modelIndex[m];
    for (const h of horizons) {
      if (credited === 0) {
        for (let d = 0; d < dimensions; d++) h.dense[d]!.addUnattributed(model, opp.amountCents);
        continue;
      }
      for (let i = 0; i < ws.length; i++) {
        if (!(ws.weights[i]! > 0)) continue;
        const cents = ws.cents[i]!;
        for (let d = 0; d < dimensions; d++) h.dense[d]!.add(model, keys.ids[i * dimensions + d]!, cents);
      }
    }
  };
  const rollUpShapley = (opp: ScopedOpportunity) => {
    for (const h of horizons) {
      if (ws.length === 0) {
        for (let d = 0; d < dimensions; d++) h.dense[d]!.addUnattributed(SHAPLEY, opp.amountCents);
        continue;
      }
      h.touchedCents += opp.amountCents;
      for (let d = 0; d < dimensions; d++) {
        const dense = h.dense[d]!;
        shapley.split(ws, opp.amountCents, keys, d, (key, cents) => dense.add(SHAPLEY, key, cents));
      }
    }
  };
  const visit = (opp: ScopedOpportunity, touches: TouchRow[]) => {
    const journey = journeyOf(opp, touches);
    countConvertingPath(converting, opp, touches);
    horizonsOf(opp);
    ws.load(journey);
    keys.load(ws, journey);
    deferred.add(opp, ws, keys);
    const mc = marketingContributionOf(ws, marketing);
    for (const h of horizons) {
      h.opportunities++;
      h.cents += opp.amountCents;
      if (mc.sourced) { h.sourced.opportunities++; h.sourced.cents += opp.amountCents; }
      if (mc.influenced) { h.influenced.opportunities++; h.influenced.cents += opp.amountCents; }
    }
    for (const m of dealModels) if (m !== 'markov_path') rollUp(opp, m);
    rollUpShapley(opp);
  };
  await streamDealTouches(deps.db, s, fromSummary ? 'summary' : 'history', visit);
  const paths = sortedPaths(converting, await nonConverting);
  const markov = solveMarkov(paths, order);
  ws.setMarkov(markov);
  deferred.forEach(keys, (opp, journey) => {
    horizonsOf(opp);
    ws.load(journey);
    rollUp(opp, 'markov_path');
  });
  for (const h of [short, long]) {
    rollUpDimensions.forEach((d, i) => h.dense[i]!.flushInto(h.rollUps[d]));
    allocateMarkov(h, markov);
  }
  return { short, long, markov, paths, converting };
}

/**
 * The standard Markov allocation: the horizon's touched amount × each channel's removal-effect
 * weight (channel totals, as ChannelAttribution's markov_model); deals without a touch stay
 * unattributed, as in every model. Channels only: the chain's states are channels.
 */
function allocateMarkov(h: Horizon, markov: MarkovChannelWeights): void {
  const acc = h.rollUps.channel;
  const cents = allocateByWeights(h.touchedCents, markov);
  const allocated = cents.reduce((a, b) => a + b, 0);
  markov.channels.forEach((c, i) => { if (cents[i]! !== 0) acc.add('markov', c, cents[i]!); });
  if (h.cents - allocated !== 0) acc.addUnattributed('markov', h.cents - allocated);
}

type WideRow = { key: string | null; unattributed: boolean } & Record<AttributionModel, number | null>;

/** The standard Markov model credits channels (its states); other dimensions show null in its column. */
const modelsOf = (by: RollUpDimension): readonly AttributionModel[] => (by === 'channel' ? attributionModels : attributionModels.filter((m) => m !== 'markov'));

/** Roll-up rows side by side: one row per key, one column per model (amounts in currency units). */
function wide(acc: RollUpAccumulator): WideRow[] {
  const rows = new Map<string, WideRow>();
  const models = modelsOf(acc.by);
  for (const r of acc.rows()) {
    const id = r.unattributed ? '\u0000unattributed' : `k:${r.key ?? '\u0000null'}`;
    let row = rows.get(id);
    if (!row) {
      row = { key: r.key, unattributed: r.unattributed, ...Object.fromEntries(attributionModels.map((m) => [m, models.includes(m) ? 0 : null])) } as WideRow;
      rows.set(id, row);
    }
    row[r.model] = toMoney(r.cents);
  }
  return [...rows.values()].sort((a, b) => Number(a.unattributed) - Number(b.unattributed) || b.linear! - a.linear! || String(a.key).localeCompare(String(b.key)));
}

/** Credit to the marketing channels under `model`, from the channel roll-up. */
function marketingCreditCents(h: Horizon, model: AttributionModel, marketing: ReadonlySet<string>): number {
  let cents = 0;
  for (const r of h.rollUps.channel.rows()) if (r.model === model && !r.unattributed && r.key !== null && marketing.has(r.key)) cents += r.cents;
  return cents;
}

function horizonDto(h: Horizon, model: AttributionModel, marketing: ReadonlySet<string>) {
  const marketingCents = marketingCreditCents(h, model, marketing);
  return {
    opportunities: h.opportunities, amount: toMoney(h.cents),
    marketing_sourced: { opportunities: h.sourced.opportunities, amount: toMoney(h.sourced.cents), share: rate(ratio(h.sourced.cents, h.cents)) },
    marketing_influenced: { opportunities: h.influenced.opportunities, amount: toMoney(h.influenced.cents), share: rate(ratio(h.influenced.cents, h.cents)) },
    marketing_credit: { amount: toMoney(marketingCents), share: rate(ratio(marketingCents, h.cents)) },
    by_channel: wide(h.rollUps.channel), by_source: wide(h.rollUps.source), by_campaign: wide(h.rollUps.campaign), by_content: wide(h.rollUps.content),
  };
}

export async function attributionReport(deps: AppDeps, workspaceId: string, p: ReportParams): Promise<ReportEnvelope> {
  const found = await attributionSettings(deps, workspaceId);
  const settings = found.ok ? found.value : defaultAttributionSettings;
  const s: AttributionScope = { workspaceId, from: p.from, to: p.to, lookbackDays: settings.lookbackDays };
  const fromSummary = await prepareContactTouches(deps.db, workspaceId);
  const nonConverting = nonConvertingMarkovPaths(deps.db, s, fromSummary);
  nonConverting.catch(() => {}); // awaited by attributeAll; a failure surfaces there
  const order = p.markovOrder ?? 1;
  const [{ short, long, markov, converting }, versions] = await Promise.all([
    attributeAll(deps, s, settings, fromSummary, nonConverting, order), definitionVersionsInScope(deps.db, workspaceId, p.from, p.to),
  ]);
  const marketing = new Set(settings.marketingChannels);
  const shortDto = horizonDto(short, p.model, marketing);
  const longDto = horizonDto(long, p.model, marketing);
  const convertingValue = [...converting.values()].reduce((a, c) => a + c.cents, 0);
  const rows: Row[] = [];
  for (const [horizon, dto] of [['short_term', shortDto], ['long_term', longDto]] as const) {
    for (const dim of ['channel', 'source', 'campaign', 'content'] as const) {
      for (const r of dto[`by_${dim}`]) rows.push({ horizon, dimension: dim, key: r.unattributed ? '(unattributed)' : r.key, ...Object.fromEntries(attributionModels.map((m) => [m, r[m]])) });
    }
  }
  const share = shortDto.marketing_credit.share;
  return {
    ...envelopeBase('attribution', p, deps.clock.now(), versions),
    notes: [
      'Short-term (revenue closed): opportunities won with closed_at in the period. Long-term (pipeline created): open or won opportunities with created_at in the period. A deal can be in both.',
      `Touches: activities of the deal's contacts (opportunity_contact_role, plus contacts of opportunity_lead leads) that carry a source, campaign or content asset, from ${settings.lookbackDays} days before the deal was created up to its close (open deals: up to now).`,
      'Channel: the campaign\'s channel when the activity names a campaign; else the UTM medium mapped (cpc/ppc/paid/sem → paid_search, email → email, social → social, display → display, organic → organic_search, referral → referral); else the lower-cased source; else content; else direct.',
      'Credits per deal and model sum exactly to its amount in cents (largest-remainder rounding, ties to the earliest touch); a deal with no qualifying touch is reported as unattributed, so every model column sums to the horizon amount.',
      `Positional models: U-shaped 40/20/40 (first, middle, lead creation), W-shaped 30/30/30/10 (first, lead creation, opportunity creation, others), full path 22.5×4/10 (adds close); time decay half-life ${settings.halfLifeDays} days before the close (creation for open deals).`,
      `Markov (order ${order}): removal effects over ${markov.paths} paths with touches (${markov.conversions} converting = deals won in the period, worth ${toMoney(convertingValue)}; non-converting = the period's leads that were lost, disqualified or never got a deal) and ${markov.states} states. \`markov\` is the standard allocation (ChannelAttribution's markov_model): each channel gets the horizon's amount on deals with touches × its share of the summed removal effects; it credits channels only (null for sources, campaigns and content). \`markov_path\` splits each deal's amount over the channels on its own path by those weights (a channel's share evenly over its touches). The removal effects and transition matrix are in the \`markov\` section; GET /api/v1/reports/attribution/paths exports the paths in ChannelAttribution's input format.`,
      'Shapley: each channel\'s (source\'s, campaign\'s, content asset\'s) Shapley value for v(S) = the amount of the deals whose touches all lie in S — in closed form, each deal\'s amount split equally over the distinct channels (sources, …) it touched (Zhao et al. 2018). See docs/attribution.md.',
      `Marketing: channels ${settings.marketingChannels.join(', ')}. Sourced = the first touch is marketing and came before the deal was created; influenced = any touch is marketing (full amounts, overlapping). Marketing's share vs target = short-term credits to marketing channels under the ${p.model} model / revenue closed.`,
      'Amounts are summed as stored, whatever their currency.',
    ],
    definitions: {
      sql_touches: 'SELECT ... FROM opportunity o JOIN (contact roles ∪ linked leads\' contacts) JOIN activity a ON a.contact_id = … AND a.occurred_at >= o.created_at - lookback AND (o.status = \'open\' OR a.occurred_at <= o.closed_at) LEFT JOIN campaign c WHERE source/campaign/content present ORDER BY o.id, a.occurred_at, a.id',
      marketing_share: `short_term.marketing_credit.amount / short_term.amount under model ${p.model}`,
    },
    columns: ['horizon', 'dimension', 'key', ...attributionModels],
    rows,
    models: [...attributionModels],
    settings: { lookback_days: settings.lookbackDays, half_life_days: settings.halfLifeDays, marketing_channels: settings.marketingChannels, target: settings.target },
    short_term: shortDto,
    long_term: longDto,
    markov: {
      order, paths: markov.paths, conversions: markov.conversions, conversion_value: toMoney(convertingValue), conversion_probability: rate(markov.conversionProbability),
      states: markov.states,
      channels: markov.channels.map((c, i) => ({ channel: c, removal_effect: rate(markov.removalEffects[i]!), weight: rate(markov.weights[i]!) })),
      transitions: markov.transitions.slice(0, maxExportedTransitions).map((t) => ({ ...t, probability: rate(t.probability) })),
      transitions_truncated: markov.transitions.length > maxExportedTransitions,
    },
    marketing_contribution: {
      model: p.model, target: settings.target, share, meets_target: share === null ? null : share >= settings.target,
      gap: share === null ? null : rate(share - settings.target),
      sourced_share: shortDto.marketing_sourced.share, influenced_share: shortDto.marketing_influenced.share,
    },
  };
}

/**
 * The period's Markov paths in ChannelAttribution's input format (one row per distinct channel path:
 * `path` with ' > ' between channels, total_conversions, total_conversion_value, total_null), so anyone
 * can rerun `markov_model(Data, "path", "total_conversions", var_value = "total_conversion_value",
 * var_null = "total_null")` on exactly what Leadloop solved. Consecutive repeats are kept as touched.
 */
export async function attributionPaths(deps: AppDeps, workspaceId: string, p: ReportParams): Promise<{ columns: string[]; rows: Row[] }> {
  const found = await attributionSettings(deps, workspaceId);
  const settings = found.ok ? found.value : defaultAttributionSettings;
  const s: AttributionScope = { workspaceId, from: p.from, to: p.to, lookbackDays: settings.lookbackDays };
  const fromSummary = await prepareContactTouches(deps.db, workspaceId);
  const nonConverting = nonConvertingMarkovPaths(deps.db, s, fromSummary);
  nonConverting.catch(() => {});
  // The converting paths alone, from the same deal stream the report reads (no attribution model runs for an export).
  const converting = new Map<string, ConvertingPath>();
  await streamDealTouches(deps.db, s, fromSummary ? 'summary' : 'history', (opp, touches) => countConvertingPath(converting, opp, touches));
  const byPath = new Map<string, Row>();
  const rowOf = (path: string) => {
    let row = byPath.get(path);
    if (!row) {
      row = { path: path.split(pathSeparator).join(' > '), total_conversions: 0, total_conversion_value: 0, total_null: 0 };
      byPath.set(path, row);
    }
    return row;
  };
  for (const [path, c] of converting) {
    const row = rowOf(path);
    row.total_conversions = c.count;
    row.total_conversion_value = toMoney(c.cents);
  }
  for (const n of await nonConverting) rowOf(n.path).total_null = n.count;
  const rows = [...byPath.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
  return { columns: ['path', 'total_conversions', 'total_conversion_value', 'total_null'], rows };
}
