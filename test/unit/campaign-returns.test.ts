import { describe, expect, it } from 'vitest';
import { campaignReturns } from '../../src/core/campaign-returns.rules.ts';

describe('campaign returns', () => {
  it('computes ROI, ROAS and cost per lead, opportunity and won deal', () => {
    expect(campaignReturns({ cost: 1000, leads: 40, opportunities: 4, wonDeals: 1, wonRevenue: 5000 }))
      .toEqual({ roi: 4, roas: 5, costPerLead: 25, costPerOpportunity: 250, costPerWonDeal: 1000 });
  });
  it('never divides by zero: no cost, no ratio; no leads, no cost per lead', () => {
    expect(campaignReturns({ cost: 0, leads: 10, opportunities: 0, wonDeals: 0, wonRevenue: 900 }))
      .toEqual({ roi: null, roas: null, costPerLead: null, costPerOpportunity: null, costPerWonDeal: null });
    expect(campaignReturns({ cost: 300, leads: 0, opportunities: 0, wonDeals: 0, wonRevenue: 0 }))
      .toEqual({ roi: -1, roas: 0, costPerLead: null, costPerOpportunity: null, costPerWonDeal: null });
  });
});
