/** What a campaign brought against what it cost. */
export type CampaignReturnsInput = { cost: number; leads: number; opportunities: number; wonDeals: number; wonRevenue: number };
export type CampaignReturns = {
  /** (won revenue − cost) / cost; null without cost. */
  roi: number | null;
  /** won revenue / cost; null without cost. */
  roas: number | null;
  costPerLead: number | null; costPerOpportunity: number | null; costPerWonDeal: number | null;
};

const per = (cost: number, n: number) => (n > 0 && cost > 0 ? cost / n : null);

/**
 * ROI, ROAS and cost per lead, opportunity and won deal. Nothing divides by zero: a campaign without
 * cost has no ratio (not an infinite one), a campaign without leads no cost per lead.
 * @example campaignReturns({ cost: 1000, leads: 40, opportunities: 4, wonDeals: 1, wonRevenue: 5000 })
 *   → { roi: 4, roas: 5, costPerLead: 25, costPerOpportunity: 250, costPerWonDeal: 1000 }
 */
export function campaignReturns(x: CampaignReturnsInput): CampaignReturns {
  return {
    roi: x.cost > 0 ? (x.wonRevenue - x.cost) / x.cost : null,
    roas: x.cost > 0 ? x.wonRevenue / x.cost : null,
    costPerLead: per(x.cost, x.leads), costPerOpportunity: per(x.cost, x.opportunities), costPerWonDeal: per(x.cost, x.wonDeals),
  };
}
