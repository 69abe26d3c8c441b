import { describe, expect, it } from 'vitest';
import { attribute, attributeModels } from '../../../src/core/attribution/attribution.rules.ts';
import { marketingContribution, summarizeMarketingRevenue } from '../../../src/core/attribution/marketing-contribution.rules.ts';
import { rollUp } from '../../../src/core/attribution/rollup.rules.ts';
import { journey, touch } from './journey.fixture.ts';

// day 1 search (campaign spring), 2 email (spring, content c1), 4 email (c1), 6 webinar (lead), 8 email, 12 email; opp day 10, won day 15.
const j = journey([
  touch('t1', 1, 'search', { campaign: 'spring' }), touch('t2', 2, 'email', { campaign: 'spring', contentId: 'c1' }),
  touch('t3', 4, 'email', { contentId: 'c1' }), touch('t4', 6, 'webinar'), touch('t5', 8, 'email'), touch('t6', 12, 'email'),
], { amount: 100_000, lead: 6, created: 10, closed: 15 });

describe('rollUp', () => {
  it('sums linear credits by channel (16667 × 4, 16666 × 2)', () => {
    expect(rollUp(attribute(j, 'linear'), 'channel')).toEqual([
      { model: 'linear', key: 'email', unattributed: false, cents: 66_666, credits: 4 },
      { model: 'linear', key: 'search', unattributed: false, cents: 16_667, credits: 1 },
      { model: 'linear', key: 'webinar', unattributed: false, cents: 16_667, credits: 1 },
    ]);
  });

  it('keeps touches without the dimension (key null) apart from unattributed revenue', () => {
    const empty = { ...journey([], { amount: 5_000 }), opportunity: { ...j.opportunity, id: 'opp-2', amountCents: 5_000 } };
    const credits = [...attribute(j, 'u_shaped'), ...attribute(empty, 'u_shaped')];
    // U: t1 40000 (spring), t2 5000 (spring), t3, t5, t6 5000 each and t4 40000 (no campaign).
    expect(rollUp(credits, 'campaign')).toEqual([
      { model: 'u_shaped', key: null, unattributed: false, cents: 55_000, credits: 4 },
      { model: 'u_shaped', key: 'spring', unattributed: false, cents: 45_000, credits: 2 },
      { model: 'u_shaped', key: null, unattributed: true, cents: 5_000, credits: 1 },
    ]);
    expect(rollUp(credits, 'content').find((r) => r.key === 'c1')).toMatchObject({ cents: 10_000, credits: 2 });
    expect(rollUp(credits, 'source').find((r) => r.key === 'search-src')).toMatchObject({ cents: 40_000 });
  });

  it('never mixes models, and each model adds up to the revenue', () => {
    const rows = rollUp(attributeModels(j, ['first_touch', 'full_path']), 'channel');
    expect(rows.filter((r) => r.model === 'first_touch')).toEqual([{ model: 'first_touch', key: 'search', unattributed: false, cents: 100_000, credits: 1 }]);
    expect(rows.filter((r) => r.model === 'full_path').reduce((s, r) => s + r.cents, 0)).toBe(100_000);
  });
});

describe('marketing sourced vs influenced', () => {
  const marketing = new Set(['search', 'webinar']);

  it('sourced = first touch on a marketing channel before the opportunity; influenced = any', () => {
    expect(marketingContribution(j, marketing)).toEqual({ sourced: true, influenced: true });
    const salesFirst = journey([touch('s', 1, 'sales_call'), touch('w', 3, 'webinar')]);
    expect(marketingContribution(salesFirst, marketing)).toEqual({ sourced: false, influenced: true });
    const afterOpp = journey([touch('w', 12, 'webinar')], { created: 10 });
    expect(marketingContribution(afterOpp, marketing)).toEqual({ sourced: false, influenced: true });
    expect(marketingContribution(journey([]), marketing)).toEqual({ sourced: false, influenced: false });
    // The window applies: the only marketing touch is too old.
    const old = journey([touch('w', 1, 'webinar'), touch('s', 50, 'sales_call')], { created: 60, closed: 70 });
    expect(marketingContribution(old, marketing, { lookbackDays: 30 })).toEqual({ sourced: false, influenced: false });
  });

  it('sums full amounts and shares', () => {
    const salesOnly = journey([touch('s', 1, 'sales_call')], { amount: 50_000 });
    const influenced = journey([touch('s', 1, 'sales_call'), touch('w', 3, 'webinar')], { amount: 50_000 });
    expect(summarizeMarketingRevenue([j, salesOnly, influenced], marketing)).toEqual({
      opportunities: 3, totalCents: 200_000,
      sourcedOpportunities: 1, sourcedCents: 100_000,
      influencedOpportunities: 2, influencedCents: 150_000,
      sourcedShare: 0.5, influencedShare: 0.75,
    });
    expect(summarizeMarketingRevenue([], marketing)).toMatchObject({ totalCents: 0, sourcedShare: null, influencedShare: null });
  });
});
