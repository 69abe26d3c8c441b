import { isSignificantlyBelow } from '../../core/stats/significance.rules.ts';
import { definitionVersionsInScope } from '../../storage/reports/report-sql.ts';
import { campaignCostsInPeriod, censoringFacts, sourceCounts, type CampaignCostRow } from '../../storage/reports/sources.repo.ts';
import type { AppDeps } from '../context.ts';
import { envelopeBase, money, rate, ratio, type ReportEnvelope, type ReportParams, type Row } from './report.types.ts';

const alpha = 0.05;

/**
 * Which group a campaign's cost belongs to. by=source: the group named like the campaign's channel,
 * else like its utm_source; by=campaign: its name, else utm_campaign, else its id; by=month: the
 * cost's month; by=owner: none (campaign costs have no owner). null = unallocated.
 */
function costGroup(c: CampaignCostRow, by: ReportParams['by'], groups: ReadonlySet<string>): string | null {
  const candidates = by === 'source' ? [c.channel, c.utmSource] : by === 'campaign' ? [c.name, c.utmCampaign, c.campaignId] : by === 'month' ? [c.month] : [];
  for (const k of candidates) if (k && groups.has(k)) return k;
  return null;
}

/** Lead quality by source (or campaign, owner, month): volumes, rates, revenue and costs, with a significance flag. */
export async function sourcesReport(deps: AppDeps, workspaceId: string, p: ReportParams): Promise<ReportEnvelope> {
  const scope = { workspaceId, ...p };
  const [counts, costs, censoring, versions] = await Promise.all([
    sourceCounts(deps.db, scope), campaignCostsInPeriod(deps.db, workspaceId, p.from, p.to), censoringFacts(deps.db, scope),
    definitionVersionsInScope(deps.db, workspaceId, p.from, p.to),
  ]);
  const total = counts.find((c) => c.key === null) ?? { key: null, leads: 0, mql: 0, sal: 0, wonLeads: 0, opportunities: 0, wonOpportunities: 0, revenue: 0 };
  const groups = new Set(counts.filter((c) => c.key !== null).map((c) => c.key!));
  const costOf = new Map<string, number>();
  let allocated = 0;
  let totalCost = 0;
  const byCampaign = new Map<string, { campaign: string; channel: string; amount: number; allocated_to: string | null }>();
  const byChannel = new Map<string, number>();
  for (const c of costs) {
    totalCost += c.amount;
    const g = costGroup(c, p.by, groups);
    if (g !== null) {
      costOf.set(g, (costOf.get(g) ?? 0) + c.amount);
      allocated += c.amount;
    }
    const camp = byCampaign.get(c.campaignId) ?? { campaign: c.name, channel: c.channel, amount: 0, allocated_to: g };
    camp.amount += c.amount;
    byCampaign.set(c.campaignId, camp);
    byChannel.set(c.channel, (byChannel.get(c.channel) ?? 0) + c.amount);
  }
  costOf.set('total', totalCost);

  const rows: Row[] = counts.map((c) => {
    const group = c.key ?? 'total';
    const cost = costOf.get(group) ?? null;
    const test = c.key === null ? null : isSignificantlyBelow(c.wonLeads, c.mql, total.wonLeads - c.wonLeads, total.mql - c.mql, alpha);
    return {
      group, leads: c.leads, mqls: c.mql, sals: c.sal, won: c.wonLeads, opportunities: c.opportunities, won_deals: c.wonOpportunities,
      mql_rate: rate(ratio(c.mql, c.leads)), sal_rate: rate(ratio(c.sal, c.mql)), win_rate: rate(ratio(c.wonLeads, c.mql)),
      revenue: money(c.revenue), revenue_per_lead: money(ratio(c.revenue, c.leads)),
      cost: money(cost), cost_per_lead: money(cost === null ? null : ratio(cost, c.leads)),
      cost_per_opportunity: money(cost === null ? null : ratio(cost, c.opportunities)), cost_per_won_deal: money(cost === null ? null : ratio(cost, c.wonOpportunities)),
      roas: rate(cost === null ? null : ratio(c.revenue, cost)), roi: rate(cost === null ? null : ratio(c.revenue - cost, cost)),
      below_average: test?.significant ?? null, quality_test: test?.test ?? null, p_value: test?.pValue === null || test?.pValue === undefined ? null : Number(test.pValue.toPrecision(6)),
      rest_win_rate: rate(test?.restRate ?? null),
    };
  });

  const notes = [
    'Cohort: leads with opened_at in the period, grouped by filters.by (source = lead.source, blank → unknown). Rates: mql_rate = MQLs / leads, sal_rate = SALs / MQLs, win_rate = won / MQLs (MQL → won conversion); a lead counts as reached when its history reaches the stage or a later one.',
    `Quality flag: below_average = the group's win rate is significantly below the rest of the cohort's (everyone outside the group), one-sided at alpha ${alpha}: a pooled two-proportion z-test when every expected cell count is ≥ 5, otherwise Fisher's exact test; quality_test names the test that decided for each row ('none' when a side has no MQLs).`,
    'Revenue: amounts of won opportunities linked to the group\'s leads (opportunity_lead), each deal once per group; amounts are summed as stored, whatever their currency.',
    `Costs: campaign_cost of the months the period touches, allocated to a group by ${p.by === 'source' ? "campaign.channel (else campaign.utm_source) equal to the source" : p.by === 'campaign' ? 'campaign name (else utm_campaign, else id) equal to lead.campaign' : p.by === 'month' ? 'month' : 'nothing: campaign costs have no owner'}; unallocated cost is in costs.unallocated. Period costs (period_cost) are in the cpod report.`,
  ];
  if (censoring.firstWonAt && censoring.leadsBeforeFirstWon > 0) {
    notes.push(`Censoring trap: won dates start on ${censoring.firstWonAt.toISOString().slice(0, 10)}; ${censoring.leadsBeforeFirstWon} of the ${censoring.leadsInPeriod} leads of the period entered before any win was recorded, so they look unconverted because the outcome data is censored, not because they failed. Compare cohorts from ${censoring.firstWonAt.toISOString().slice(0, 7)} on, or read win rates as lower bounds.`);
  }
  if (censoring.lastWonAt && censoring.lastWonAt < p.to) {
    notes.push(`Recent cohorts are right-censored too: the last recorded win is on ${censoring.lastWonAt.toISOString().slice(0, 10)}; leads that entered shortly before have had little time to close.`);
  }
  return {
    ...envelopeBase('sources', p, deps.clock.now(), versions),
    notes,
    definitions: {
      win_rate: 'leads that reached won / leads that reached mql', revenue_per_lead: 'revenue / leads', cost_per_lead: 'cost / leads',
      cost_per_opportunity: 'cost / opportunities linked to the group\'s leads', cost_per_won_deal: 'cost / won opportunities linked to the group\'s leads',
      roas: 'revenue / cost (return on ad spend: 2.5 = 2.50 of won revenue per 1 spent)', roi: '(revenue − cost) / cost',
      sql: 'cohort as in funnel; deals: SELECT DISTINCT key, o.id, o.status, o.amount FROM cohort JOIN opportunity_lead JOIN opportunity; costs: campaign_cost JOIN campaign WHERE period_start in the period\'s months',
    },
    columns: ['group', 'leads', 'mqls', 'sals', 'won', 'opportunities', 'won_deals', 'mql_rate', 'sal_rate', 'win_rate', 'revenue', 'revenue_per_lead',
      'cost', 'cost_per_lead', 'cost_per_opportunity', 'cost_per_won_deal', 'roas', 'roi', 'below_average', 'quality_test', 'p_value', 'rest_win_rate'],
    rows,
    costs: {
      total: money(totalCost), allocated: money(allocated), unallocated: money(totalCost - allocated),
      by_campaign: [...byCampaign.values()].map((c) => ({ ...c, amount: money(c.amount) })),
      by_channel: [...byChannel.entries()].map(([channel, amount]) => ({ channel, amount: money(amount) })),
    },
    censoring: {
      first_won_at: censoring.firstWonAt?.toISOString() ?? null, last_won_at: censoring.lastWonAt?.toISOString() ?? null,
      leads_before_first_won: censoring.leadsBeforeFirstWon,
    },
  };
}
