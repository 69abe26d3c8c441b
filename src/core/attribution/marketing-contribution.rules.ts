import { AttributionWorkspace } from './attribution-workspace.rules.ts';
import { defaultAttributionOptions, type AttributionOptions, type Journey } from './journey.types.ts';

/**
 * Marketing-sourced: the first touch in the look-back window is on a marketing channel and came
 * no later than the opportunity's creation (a marketing touch after sales opened the deal did not
 * source it). Marketing-influenced: any touch in the window is on a marketing channel.
 * Sourced implies influenced.
 */
export type MarketingContribution = { sourced: boolean; influenced: boolean };

/** Classifies the journey loaded in `workspace` (allocation-free; see {@link AttributionWorkspace.load}). */
export function marketingContributionOf(workspace: AttributionWorkspace, marketingChannels: ReadonlySet<string>): MarketingContribution {
  const journey = workspace.journey;
  if (!journey) throw new Error('marketingContributionOf: load() a journey first');
  const n = workspace.length;
  if (n === 0) return { sourced: false, influenced: false };
  const channelAt = (i: number) => journey.touches[workspace.order[i]!]!.channel;
  const sourced = marketingChannels.has(channelAt(0)) && workspace.times[0]! <= journey.opportunity.createdAt.getTime();
  let influenced = sourced;
  for (let i = 0; i < n && !influenced; i++) influenced = marketingChannels.has(channelAt(i));
  return { sourced, influenced };
}

/** Marketing-sourced and -influenced classification of one opportunity's journey. */
export function marketingContribution(
  journey: Journey, marketingChannels: ReadonlySet<string>, options: Partial<AttributionOptions> = {},
): MarketingContribution {
  const workspace = new AttributionWorkspace({ ...defaultAttributionOptions, ...options }, null, journey.touches.length || 1);
  workspace.load(journey);
  return marketingContributionOf(workspace, marketingChannels);
}

export type MarketingRevenue = {
  opportunities: number;
  totalCents: number;
  sourcedOpportunities: number;
  sourcedCents: number;
  influencedOpportunities: number;
  influencedCents: number;
  /** sourcedCents / totalCents, null when there is no revenue. */
  sourcedShare: number | null;
  influencedShare: number | null;
};

/**
 * Sums opportunity amounts that marketing sourced and influenced (full amounts, not credits:
 * influenced revenue deliberately overlaps other teams' numbers).
 */
export function summarizeMarketingRevenue(
  journeys: Iterable<Journey>, marketingChannels: ReadonlySet<string>, options: Partial<AttributionOptions> = {},
): MarketingRevenue {
  const workspace = new AttributionWorkspace({ ...defaultAttributionOptions, ...options });
  const sum = { opportunities: 0, totalCents: 0, sourcedOpportunities: 0, sourcedCents: 0, influencedOpportunities: 0, influencedCents: 0 };
  for (const journey of journeys) {
    workspace.load(journey);
    const { sourced, influenced } = marketingContributionOf(workspace, marketingChannels);
    const amount = journey.opportunity.amountCents;
    sum.opportunities++;
    sum.totalCents += amount;
    if (sourced) {
      sum.sourcedOpportunities++;
      sum.sourcedCents += amount;
    }
    if (influenced) {
      sum.influencedOpportunities++;
      sum.influencedCents += amount;
    }
  }
  return {
    ...sum,
    sourcedShare: sum.totalCents === 0 ? null : sum.sourcedCents / sum.totalCents,
    influencedShare: sum.totalCents === 0 ? null : sum.influencedCents / sum.totalCents,
  };
}
