import { AttributionWorkspace } from '../../core/attribution/attribution-workspace.rules.ts';
import { attributionModels, type AttributionModel, type Journey } from '../../core/attribution/journey.types.ts';
import { marketingContributionOf } from '../../core/attribution/marketing-contribution.rules.ts';
import { MarkovPathAccumulator, type MarkovChannelWeights } from '../../core/attribution/markov.rules.ts';
import { dimensionOf, RollUpAccumulator, rollUpDimensions, type RollUpDimension } from '../../core/attribution/rollup.rules.ts';
import { markovPaths, opportunityBatch, touchesOf, type AttributionScope, type ScopedOpportunity } from '../../storage/reports/attribution.repo.ts';
import { definitionVersionsInScope } from '../../storage/reports/report-sql.ts';
import { attributionSettings, defaultAttributionSettings, type AttributionSettings } from '../attribution-settings.ts';
import type { AppDeps } from '../context.ts';
import { envelopeBase, rate, ratio, type ReportEnvelope, type ReportParams, type Row } from './report.types.ts';

const batchSize = 2000;
const pathSeparator = '\u001f';
const toMoney = (cents: number) => cents / 100;

type Horizon = {
  opportunities: number; cents: number; marketingCreditCents: number;
  sourced: { opportunities: number; cents: number }; influenced: { opportunities: number; cents: number };
  rollUps: Record<RollUpDimension, RollUpAccumulator>;
};
const newHorizon = (): Horizon => ({
  opportunities: 0, cents: 0, marketingCreditCents: 0, sourced: { opportunities: 0, cents: 0 }, influenced: { opportunities: 0, cents: 0 },
  rollUps: Object.fromEntries(rollUpDimensions.map((d) => [d, new RollUpAccumulator(d)])) as Record<RollUpDimension, RollUpAccumulator>,
});

/** Solves the first-order Markov chain over the period's converting and non-converting paths. */
export function solveMarkov(paths: readonly { path: string; converted: boolean; count: number }[]): MarkovChannelWeights {
  const acc = new MarkovPathAccumulator();
  for (const p of paths) {
    acc.begin(p.count);
    for (const channel of p.path.split(pathSeparator)) acc.step(channel);
    acc.end(p.converted);
  }
  return acc.solve();
}

/**
 * Streams every in-scope deal's journey (batches of deals, touches in one ordered query per batch)
 * through one reusable AttributionWorkspace and rolls credits up per model without keeping them.
 */
async function attributeAll(deps: AppDeps, s: AttributionScope, settings: AttributionSettings, markov: MarkovChannelWeights, model: AttributionModel) {
  const ws = new AttributionWorkspace({ lookbackDays: settings.lookbackDays, halfLifeDays: settings.halfLifeDays, decayAnchor: 'close' }, markov);
  const marketing = new Set(settings.marketingChannels);
  const short = newHorizon();
  const long = newHorizon();
  const horizons: Horizon[] = [];
  let batch: ScopedOpportunity[] = await opportunityBatch(deps.db, s, null, batchSize);
  while (batch.length > 0) {
    const touchesPromise = touchesOf(deps.db, s, batch.map((o) => o.id));
    const nextPromise = batch.length < batchSize ? Promise.resolve([]) : opportunityBatch(deps.db, s, batch[batch.length - 1]!.id, batchSize);
    const touches = await touchesPromise;
    let k = 0;
    for (const opp of batch) {
      // Both queries order by opportunity id in PostgreSQL's uuid order, so one forward walk cuts journeys.
      const start = k;
      while (k < touches.length && touches[k]!.opportunityId === opp.id) k++;
      const journey: Journey = {
        opportunity: { id: opp.id, amountCents: opp.amountCents, createdAt: opp.createdAt, closedAt: opp.closedAt, status: opp.status },
        leadCreatedAt: opp.leadCreatedAt, touches: touches.slice(start, k),
      };
      horizons.length = 0;
      if (opp.shortTerm) horizons.push(short);
      if (opp.longTerm) horizons.push(long);
      ws.load(journey);
      const mc = marketingContributionOf(ws, marketing);
      for (const h of horizons) {
        h.opportunities++;
        h.cents += opp.amountCents;
        if (mc.sourced) { h.sourced.opportunities++; h.sourced.cents += opp.amountCents; }
        if (mc.influenced) { h.influenced.opportunities++; h.influenced.cents += opp.amountCents; }
      }
      for (const m of attributionModels) {
        const credited = ws.attribute(m);
        for (const h of horizons) {
          if (credited === 0) {
            for (const d of rollUpDimensions) h.rollUps[d].addUnattributed(m, opp.amountCents);
            continue;
          }
          for (let i = 0; i < ws.length; i++) {
            if (!(ws.weights[i]! > 0)) continue;
            const touch = journey.touches[ws.order[i]!]!;
            const cents = ws.cents[i]!;
            for (const d of rollUpDimensions) h.rollUps[d].add(m, dimensionOf(touch, d), cents);
            if (m === model && marketing.has(touch.channel)) h.marketingCreditCents += cents;
          }
        }
      }
    }
    batch = await nextPromise;
  }
  return { short, long };
}

type WideRow = { key: string | null; unattributed: boolean } & Record<AttributionModel, number>;

/** Roll-up rows side by side: one row per key, one column per model (amounts in currency units). */
function wide(acc: RollUpAccumulator): WideRow[] {
  const rows = new Map<string, WideRow>();
  for (const r of acc.rows()) {
    const id = r.unattributed ? '\u0000unattributed' : `k:${r.key ?? '\u0000null'}`;
    let row = rows.get(id);
    if (!row) {
      row = { key: r.key, unattributed: r.unattributed, ...Object.fromEntries(attributionModels.map((m) => [m, 0])) } as WideRow;
      rows.set(id, row);
    }
    row[r.model] = toMoney(r.cents);
  }
  return [...rows.values()].sort((a, b) => Number(a.unattributed) - Number(b.unattributed) || b.linear - a.linear || String(a.key).localeCompare(String(b.key)));
}

function horizonDto(h: Horizon) {
  return {
    opportunities: h.opportunities, amount: toMoney(h.cents),
    marketing_sourced: { opportunities: h.sourced.opportunities, amount: toMoney(h.sourced.cents), share: rate(ratio(h.sourced.cents, h.cents)) },
    marketing_influenced: { opportunities: h.influenced.opportunities, amount: toMoney(h.influenced.cents), share: rate(ratio(h.influenced.cents, h.cents)) },
    marketing_credit: { amount: toMoney(h.marketingCreditCents), share: rate(ratio(h.marketingCreditCents, h.cents)) },
    by_channel: wide(h.rollUps.channel), by_source: wide(h.rollUps.source), by_campaign: wide(h.rollUps.campaign), by_content: wide(h.rollUps.content),
  };
}

export async function attributionReport(deps: AppDeps, workspaceId: string, p: ReportParams): Promise<ReportEnvelope> {
  const found = await attributionSettings(deps, workspaceId);
  const settings = found.ok ? found.value : defaultAttributionSettings;
  const s: AttributionScope = { workspaceId, from: p.from, to: p.to, lookbackDays: settings.lookbackDays };
  const [paths, versions] = await Promise.all([markovPaths(deps.db, s), definitionVersionsInScope(deps.db, workspaceId, p.from, p.to)]);
  const markov = solveMarkov(paths);
  const { short, long } = await attributeAll(deps, s, settings, markov, p.model);
  const shortDto = horizonDto(short);
  const longDto = horizonDto(long);
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
      `Markov: first-order removal effects over ${markov.paths} paths with touches (${markov.conversions} converting = deals won in the period; non-converting = the period's leads that were lost, disqualified or never got a deal); each deal's amount is split by the removal-effect weights of the channels on its path.`,
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
      paths: markov.paths, conversions: markov.conversions, conversion_probability: rate(markov.conversionProbability),
      channels: markov.channels.map((c, i) => ({ channel: c, removal_effect: rate(markov.removalEffects[i]!), weight: rate(markov.weights[i]!) })),
    },
    marketing_contribution: {
      model: p.model, target: settings.target, share, meets_target: share === null ? null : share >= settings.target,
      gap: share === null ? null : rate(share - settings.target),
      sourced_share: shortDto.marketing_sourced.share, influenced_share: shortDto.marketing_influenced.share,
    },
  };
}
