import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apportion } from '../../src/core/attribution/largest-remainder.rules.ts';
import { attributionModels } from '../../src/core/attribution/journey.types.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { buildReportsFixture } from './reports-fixture.ts';

let t: TestApp;
let f: Awaited<ReturnType<typeof buildReportsFixture>>;
beforeAll(async () => {
  t = await createTestApp();
  f = await buildReportsFixture(t);
  const costs = await t.api('PUT', '/api/v1/costs', { costs: [
    { period_start: '2026-01', category: 'marketing', amount: 1000 },
    { period_start: '2026-01-01', category: 'sales', amount: 2000, note: 'two reps' },
    { period_start: '2026-02', category: 'sales', amount: 500 },
  ] });
  expect(costs.statusCode, costs.body).toBe(200);
});
afterAll(async () => { await t?.close(); });

const json = (r: { body: string }) => JSON.parse(r.body);
const period = 'from=2026-01-01&to=2026-02-28';
const report = async (name: string, query = '') => {
  const r = await t.api('GET', `/api/v1/reports/${name}?${period}${query}`, undefined, t.keys.read);
  expect(r.statusCode, r.body).toBe(200);
  return json(r);
};
const rowOf = (rep: { rows: Record<string, unknown>[] }, group: string, col = 'group') => rep.rows.find((r) => r[col] === group)!;

describe('every report', () => {
  it('answers with its period, filters, definition versions, generation time and notes, in JSON and CSV', async () => {
    for (const name of ['funnel', 'time-to-sales-ready', 'sources', 'cpod', 'attribution', 'interactions', 'leakage']) {
      const rep = await report(name);
      expect(rep).toMatchObject({ report: name, period: { from: '2026-01-01T00:00:00.000Z', to: '2026-03-01T00:00:00.000Z', to_inclusive: '2026-02-28' }, definition_versions: [] });
      expect(rep.notes.length).toBeGreaterThan(0);
      expect(rep.generated_at).toBe('2026-03-02T09:00:00.000Z');
      const csv = await t.api('GET', `/api/v1/reports/${name}?${period}&format=csv`, undefined, t.keys.read);
      expect(csv.headers['content-type']).toContain('text/csv');
      const lines = csv.body.trimEnd().split('\r\n');
      expect(lines[0]).toBe(rep.columns.join(','));
      expect(lines).toHaveLength(rep.rows.length + 1);
    }
  });

  it('refuses unknown reports and bad periods with the one error shape', async () => {
    expect((await t.api('GET', '/api/v1/reports/nope')).statusCode).toBe(400);
    const bad = await t.api('GET', '/api/v1/reports/funnel?from=2026-03-01&to=2026-01-01');
    expect(bad.statusCode).toBe(400);
    expect(json(bad).error.code).toBe('ValidationFailed');
    expect((await t.api('GET', '/api/v1/reports/funnel?by=colour')).statusCode).toBe(400);
    expect((await t.api('GET', '/api/v1/reports/funnel', undefined, t.keys.ingest)).statusCode).toBe(403);
  });
});

describe('funnel', () => {
  it('counts the waterfall by cohort month, with conversions, detours and net-new vs recycled MQLs', async () => {
    const rep = await report('funnel');
    expect(rep.rows.map((r: { group: string }) => r.group)).toEqual(['2026-01', '2026-02', 'total']);
    expect(rowOf(rep, '2026-01')).toMatchObject({ leads: 3, mql: 3, sal: 2, sql: 1, opportunity: 1, won: 1, lost: 0, disqualified: 0, nurtured: 1, recycled_leads: 1, mql_net_new: 3, mql_recycled: 1, mql_to_sal: 0.666667, opportunity_to_won: 1 });
    expect(rowOf(rep, '2026-02')).toMatchObject({ leads: 3, mql: 2, sal: 1, sql: 1, opportunity: 1, won: 0, lost: 1, disqualified: 1, mql_net_new: 2, mql_recycled: 0, lead_to_mql: 0.666667, opportunity_to_won: 0 });
    expect(rowOf(rep, 'total')).toMatchObject({ leads: 6, mql: 5, sal: 3, won: 1, lead_to_won: 0.166667 });
  });

  it('measures time in stage from the stage history: median and p90', async () => {
    const rep = await report('funnel');
    const v = Object.fromEntries(rep.velocity.map((x: { stage: string }) => [x.stage, x]));
    // inquiry: five completed one-day stays (L5 is still there); mql: 2, 1, 1, 1, 1 days.
    expect(v.inquiry).toMatchObject({ stays: 5, median_days: 1, p90_days: 1 });
    expect(v.mql).toMatchObject({ stays: 5, median_days: 1, p90_days: 1.6 });
    // sal: L1 2 days, L6 1 day (L2 still there).
    expect(v.sal).toMatchObject({ stays: 2, median_days: 1.5, p90_days: 1.9 });
  });

  it('groups by source too', async () => {
    const rep = await report('funnel', '&by=source');
    expect(rowOf(rep, 'webinar')).toMatchObject({ leads: 3, mql: 3, sal: 3, won: 1 });
    expect(rowOf(rep, 'paid_search')).toMatchObject({ leads: 3, mql: 2, sal: 0 });
  });
});

describe('sources', () => {
  it('gives rates, revenue and costs per source, and says which test judged quality', async () => {
    const rep = await report('sources');
    expect(rowOf(rep, 'webinar')).toMatchObject({
      leads: 3, mqls: 3, sals: 3, won: 1, opportunities: 2, won_deals: 1, mql_rate: 1, sal_rate: 1, win_rate: 0.333333,
      revenue: 1000, revenue_per_lead: 333.33, cost: 500, cost_per_lead: 166.67, cost_per_opportunity: 250, cost_per_won_deal: 500, roas: 2, roi: 1,
    });
    const ps = rowOf(rep, 'paid_search');
    expect(ps).toMatchObject({ leads: 3, mqls: 2, won: 0, revenue: 0, cost: 100, cost_per_lead: 33.33, cost_per_opportunity: null, cost_per_won_deal: null, roas: 0, roi: -1 });
    // 0 of 2 vs 1 of 3: expected counts < 5 → Fisher: P(X ≤ 0) = C(4,2)/C(5,2) = 0.6.
    expect(ps).toMatchObject({ quality_test: 'fisher_exact', p_value: 0.6, below_average: false, rest_win_rate: 0.333333 });
    expect(rowOf(rep, 'total')).toMatchObject({ leads: 6, mqls: 5, won: 1, revenue: 1000, cost: 600, quality_test: null });
    expect(rep.costs).toMatchObject({ total: 600, allocated: 600, unallocated: 0 });
    expect(rep.notes.join(' ')).toContain('Fisher');
  });
});

describe('cpod', () => {
  it('divides marketing + sales cost by revenue won per month', async () => {
    const rep = await report('cpod');
    expect(rep.rows).toEqual([
      { month: '2026-01', campaign_cost: 400, marketing_period_cost: 1000, marketing_cost: 1400, sales_cost: 2000, total_cost: 3400, won_revenue: 1000, won_deals: 1, cpod: 3.4 },
      { month: '2026-02', campaign_cost: 200, marketing_period_cost: 0, marketing_cost: 200, sales_cost: 500, total_cost: 700, won_revenue: 0, won_deals: 0, cpod: null },
      { month: 'total', campaign_cost: 600, marketing_period_cost: 1000, marketing_cost: 1600, sales_cost: 2500, total_cost: 4100, won_revenue: 1000, won_deals: 1, cpod: 4.1 },
    ]);
  });
});

describe('leakage and interactions', () => {
  it('finds MQLs nobody worked and SAL+ leads without a sales touch', async () => {
    const rep = await report('leakage', '&by=source');
    expect(rowOf(rep, 'paid_search')).toMatchObject({ mqls: 2, mql_unworked: 1, mql_unworked_share: 0.5, median_unworked_age_days: 40, sal_plus: 0, never_touched: 0 });
    expect(rowOf(rep, 'webinar')).toMatchObject({ mqls: 3, mql_unworked: 0, sal_plus: 3, never_touched: 2 });
    expect(rep.sample.filter((s: { kind: string }) => s.kind === 'never_touched').map((s: { lead_id: string }) => s.lead_id).sort()).toEqual([f.leads.L2, f.leads.L6].sort());
    expect(rep.sample.find((s: { kind: string }) => s.kind === 'mql_unworked').lead_id).toBe(f.leads.L3);
  });

  it('counts marketing touches before the first meeting and before SAL', async () => {
    const rep = await report('interactions');
    // L1: 2 touches before its meeting and before SAL; L2: 0 before SAL; L6: 1 before SAL.
    expect(rowOf(rep, 'webinar')).toMatchObject({ leads_with_meeting: 1, mean_touches_before_meeting: 2, median_touches_before_meeting: 2, leads_with_sal: 3, mean_touches_before_sal: 1, median_touches_before_sal: 1 });
  });

  it('time to sales-ready: first touch → MQL and → SAL by cohort month', async () => {
    const rep = await report('time-to-sales-ready');
    // Jan: to MQL 4 (L1 from T1), 1, 1 days; to SAL 6 and 11 days. Feb: to MQL 1 and 2; to SAL 3.
    expect(rowOf(rep, '2026-01')).toMatchObject({ leads: 3, mqls: 3, median_days_to_mql: 1, p90_days_to_mql: 3.4, sals: 2, median_days_to_sal: 8.5, p90_days_to_sal: 10.5 });
    expect(rowOf(rep, '2026-02')).toMatchObject({ leads: 3, mqls: 2, median_days_to_mql: 1.5, sals: 1, median_days_to_sal: 3 });
  });
});

describe('attribution', () => {
  it('stores the agreement', async () => {
    // The agreement is marketing's (or an admin's): a marketing user's personal key sets it.
    const r = await t.api('PUT', '/api/v1/settings/attribution', { target: 0.5, marketing_channels: ['paid_search', 'email', 'webinar'] }, await t.newKey(['write'], t.users.marketing.id));
    expect(r.statusCode, r.body).toBe(200);
    expect(json(r)).toEqual({ target: 0.5, lookback_days: 365, half_life_days: 7, marketing_channels: ['paid_search', 'email', 'webinar'] });
    expect((await t.api('PUT', '/api/v1/settings/attribution', { target: 2 })).statusCode).toBe(400);
  });

  it('credits the won deal under all nine models, exactly, side by side (golden, hand-computed)', async () => {
    const rep = await report('attribution');
    const st = rep.short_term;
    expect(st.opportunities).toBe(1);
    expect(st.amount).toBe(1000);
    const ch = Object.fromEntries(st.by_channel.map((r: { key: string }) => [r.key, r]));
    // Journey of O1 (1000): T1 paid_search 01-02, T2 webinar 01-05 (lead created 01-05 09:00), T3 email 01-12,
    // (opportunity created 01-15), T4 social 01-20, closed 01-25; T5 after the close is outside the window.
    expect(ch.paid_search).toMatchObject({ first_touch: 1000, last_touch: 0, lead_creation: 0, linear: 250, u_shaped: 400, w_shaped: 300, full_path: 250 });
    expect(ch.webinar).toMatchObject({ first_touch: 0, lead_creation: 1000, linear: 250, u_shaped: 400, w_shaped: 300, full_path: 250 });
    expect(ch.email).toMatchObject({ linear: 250, u_shaped: 100, w_shaped: 300, full_path: 250 });
    expect(ch.social).toMatchObject({ last_touch: 1000, linear: 250, u_shaped: 100, w_shaped: 100, full_path: 250 });
    // Time decay, half-life 7 days before the close: ages relative to the youngest touch (T4) 18, 15 + 1/24, 8, 0 days.
    const decay = apportion(100000, [18, 15 + 1 / 24, 8, 0].map((age) => 2 ** (-age / 7)));
    expect([ch.paid_search.time_decay, ch.webinar.time_decay, ch.email.time_decay, ch.social.time_decay]).toEqual(decay.map((c) => c / 100));
    // Markov over the paths [ps, webinar, email, social] → won, [webinar] (L6) and [ps] (L3) → not converted:
    // removal effects ps 1/2, the others 1 → weights 1/7, 2/7, 2/7, 2/7 → 142.86, 285.72 (tie → earliest), 285.71, 285.71.
    // One won deal: the standard allocation (channel totals) and the per-path split agree.
    expect([ch.paid_search.markov, ch.webinar.markov, ch.email.markov, ch.social.markov]).toEqual([142.86, 285.72, 285.71, 285.71]);
    expect([ch.paid_search.markov_path, ch.webinar.markov_path, ch.email.markov_path, ch.social.markov_path]).toEqual([142.86, 285.72, 285.71, 285.71]);
    // Shapley: four distinct channels on the one converting journey → a quarter each.
    expect([ch.paid_search.shapley, ch.webinar.shapley, ch.email.shapley, ch.social.shapley]).toEqual([250, 250, 250, 250]);
    expect(rep.markov).toMatchObject({ order: 1, paths: 3, conversions: 1, conversion_value: 1000 });
    expect(rep.markov.transitions).toContainEqual({ from: '(start)', to: 'paid_search', count: 2, probability: 0.666667 });
    // The standard model credits channels only; other dimensions show null in its column.
    expect(st.by_source.every((r: { markov: unknown }) => r.markov === null)).toBe(true);
    for (const model of attributionModels) {
      const sum = st.by_channel.reduce((s: number, r: Record<string, number>) => s + Math.round(r[model]! * 100), 0);
      expect(sum, model).toBe(100000);
    }
    expect(rep.marketing_contribution).toMatchObject({ model: 'linear', target: 0.5, share: 0.75, meets_target: true, sourced_share: 1, influenced_share: 1 });
  });

  it('keeps pipeline created apart from revenue closed, with unattributed amounts explicit', async () => {
    const rep = await report('attribution', '&model=w_shaped');
    const lt = rep.long_term;
    // Pipeline created in the period: O1 (won, 1000) and O3 (open, 500; one touch, no lead → lead_creation unattributed).
    expect(lt).toMatchObject({ opportunities: 2, amount: 1500 });
    const ps = lt.by_channel.find((r: { key: string }) => r.key === 'paid_search');
    // markov_path: O1's 142.86 + all of O3's 500 (its only channel); the standard markov: 1500 × 1/7 (largest
    // remainder: 214.2857 takes the spare cent); Shapley: 250 of O1 + 500 of O3.
    expect(ps).toMatchObject({ first_touch: 1500, linear: 750, markov_path: 642.86, markov: 214.29, shapley: 750 });
    const un = lt.by_channel.find((r: { unattributed: boolean }) => r.unattributed);
    expect(un).toMatchObject({ lead_creation: 500, first_touch: 0 });
    expect(rep.marketing_contribution).toMatchObject({ model: 'w_shaped', share: 0.9 });
    const csv = (await t.api('GET', `/api/v1/reports/attribution?${period}&format=csv`)).body.split('\r\n');
    expect(csv[0]).toBe(['horizon', 'dimension', 'key', ...attributionModels].join(','));
    expect(csv).toContain('short_term,channel,paid_search,1000,0,0,250,400,300,250,' + rep.short_term.by_channel.find((r: { key: string }) => r.key === 'paid_search').time_decay + ',142.86,142.86,250');
  });

  it('exports its Markov paths in ChannelAttribution\'s input format, and takes orders 2–4', async () => {
    const csv = (await t.api('GET', `/api/v1/reports/attribution/paths?${period}`)).body.split('\r\n');
    expect(csv[0]).toBe('path,total_conversions,total_conversion_value,total_null');
    expect(csv).toContain('paid_search > webinar > email > social,1,1000,0');
    expect(csv).toContain('webinar,0,0,1');
    expect(csv).toContain('paid_search,0,0,1');
    const second = await report('attribution', '&markov_order=2');
    expect(second.markov).toMatchObject({ order: 2, paths: 3, conversions: 1 });
    expect(second.markov.transitions).toContainEqual(expect.objectContaining({ from: 'paid_search > webinar', to: 'webinar > email' }));
    const bad = await t.api('GET', `/api/v1/reports/attribution?${period}&markov_order=5`);
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toMatch(/markov_order/);
  });
});
