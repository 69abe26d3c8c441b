import { cpodByMonth, leakage, timeToSalesReady, touchesBeforeMilestones } from '../../storage/reports/process.repo.ts';
import { definitionVersionsInScope } from '../../storage/reports/report-sql.ts';
import { attributionSettings, defaultAttributionSettings } from '../attribution-settings.ts';
import type { AppDeps } from '../context.ts';
import { envelopeBase, money, rate, ratio, type ReportEnvelope, type ReportParams, type Row } from './report.types.ts';

const r3 = (v: number | null) => (v === null ? null : Math.round(v * 1000) / 1000);

export async function timeToSalesReadyReport(deps: AppDeps, workspaceId: string, p: ReportParams): Promise<ReportEnvelope> {
  const scope = { workspaceId, ...p };
  const [rows, versions] = await Promise.all([timeToSalesReady(deps.db, scope), definitionVersionsInScope(deps.db, workspaceId, p.from, p.to)]);
  const total = rows.find((r) => r.key === null);
  return {
    ...envelopeBase('time-to-sales-ready', p, deps.clock.now(), versions),
    notes: [
      'Cohort: leads opened in the period, grouped by filters.by (by=month gives the trend: is nurturing getting faster?).',
      "First touch: the earliest of lead.first_touch_at, the contact's earliest activity and lead.opened_at. MQL / SAL: the lead's first stage_transition to mql / sal.",
      'Days = (first MQL or SAL − first touch) / 86400 s; mean, median and p90 (percentile_cont) over the leads whose stage was measured. by=source gives them per origin.',
      `Measured stages: MQL and SAL. Imports date a stage the CRM never recorded at a neighbouring stage's date (a SAL at the MQL date, every stage at the won date). Such a stage is skipped, not reported as reached at its neighbour's time: a SAL at or before its MQL or at or after its next stage (sql, opportunity, won), an MQL at or after a stage beyond SAL. ${total?.toMql.skipped ?? 0} MQL and ${total?.toSal.skipped ?? 0} SAL dates were skipped (columns mqls_skipped, sals_skipped).`,
    ],
    definitions: {
      days_to_mql: 'min(stage_transition.at WHERE to_stage = mql) − first touch, unless at or after the first sql/opportunity/won',
      days_to_sal: 'min(stage_transition.at WHERE to_stage = sal) − first touch, unless at or before the first mql or at or after the first sql/opportunity/won',
    },
    columns: ['group', 'leads', 'mqls', 'mean_days_to_mql', 'median_days_to_mql', 'p90_days_to_mql', 'mqls_skipped',
      'sals', 'mean_days_to_sal', 'median_days_to_sal', 'p90_days_to_sal', 'sals_skipped'],
    rows: rows.map((r): Row => ({
      group: r.key ?? 'total', leads: r.leads, mqls: r.toMql.n, mean_days_to_mql: r3(r.toMql.meanDays), median_days_to_mql: r3(r.toMql.medianDays),
      p90_days_to_mql: r3(r.toMql.p90Days), mqls_skipped: r.toMql.skipped,
      sals: r.toSal.n, mean_days_to_sal: r3(r.toSal.meanDays), median_days_to_sal: r3(r.toSal.medianDays), p90_days_to_sal: r3(r.toSal.p90Days),
      sals_skipped: r.toSal.skipped,
    })),
  };
}

export async function interactionsReport(deps: AppDeps, workspaceId: string, p: ReportParams): Promise<ReportEnvelope> {
  const settings = await attributionSettings(deps, workspaceId);
  const lookback = settings.ok ? settings.value.lookbackDays : defaultAttributionSettings.lookbackDays;
  const scope = { workspaceId, ...p };
  const [rows, versions] = await Promise.all([touchesBeforeMilestones(deps.db, scope, lookback), definitionVersionsInScope(deps.db, workspaceId, p.from, p.to)]);
  return {
    ...envelopeBase('interactions', p, deps.clock.now(), versions),
    notes: [
      'Cohort: leads opened in the period that had a first meeting (an activity of type meeting of the contact at or after the lead opened) or reached SAL.',
      `Touches: the contact's activities that are not sales touches (sales_call, sales_email, sales_touch, meeting), from ${lookback} days before the lead opened up to, not including, the milestone.`,
    ],
    definitions: { touches_before_meeting: 'count(activity) with occurred_at < first meeting', touches_before_sal: 'count(activity) with occurred_at < first SAL transition' },
    columns: ['group', 'leads_with_meeting', 'mean_touches_before_meeting', 'median_touches_before_meeting', 'p90_touches_before_meeting',
      'leads_with_sal', 'mean_touches_before_sal', 'median_touches_before_sal', 'p90_touches_before_sal'],
    rows: rows.map((r): Row => ({
      group: r.key ?? 'total', leads_with_meeting: r.beforeMeeting.leads, mean_touches_before_meeting: r3(r.beforeMeeting.mean),
      median_touches_before_meeting: r3(r.beforeMeeting.median), p90_touches_before_meeting: r3(r.beforeMeeting.p90),
      leads_with_sal: r.beforeSal.leads, mean_touches_before_sal: r3(r.beforeSal.mean), median_touches_before_sal: r3(r.beforeSal.median), p90_touches_before_sal: r3(r.beforeSal.p90),
    })),
  };
}

export async function leakageReport(deps: AppDeps, workspaceId: string, p: ReportParams): Promise<ReportEnvelope> {
  const now = deps.clock.now();
  const scope = { workspaceId, ...p };
  const [result, versions] = await Promise.all([leakage(deps.db, scope, now, 50), definitionVersionsInScope(deps.db, workspaceId, p.from, p.to)]);
  return {
    ...envelopeBase('leakage', p, now, versions),
    notes: [
      'Cohort: leads opened in the period. MQL never accepted or rejected: the lead reached mql and is still at mql (no move since). Age = generated_at − stage_entered_at.',
      "Never touched: the lead reached sal or further and its contact has no sales activity (sales_call, sales_email, sales_touch, meeting) at or after the lead opened.",
      'sample: up to 50 of each kind, oldest first, to act on.',
    ],
    definitions: { mql_unworked: "lead.stage = 'mql'", never_touched: 'reached ≥ sal AND NOT EXISTS (sales activity of the contact with occurred_at >= lead.opened_at)' },
    columns: ['group', 'mqls', 'mql_unworked', 'mql_unworked_share', 'median_unworked_age_days', 'sal_plus', 'never_touched', 'never_touched_share'],
    rows: result.rows.map((r): Row => ({
      group: r.key ?? 'total', mqls: r.mqls, mql_unworked: r.mqlUnworked, mql_unworked_share: rate(ratio(r.mqlUnworked, r.mqls)),
      median_unworked_age_days: r3(r.unworkedMedianAgeDays), sal_plus: r.salPlus, never_touched: r.salPlusUntouched,
      never_touched_share: rate(ratio(r.salPlusUntouched, r.salPlus)),
    })),
    sample: result.sample.map((s) => ({ lead_id: s.leadId, group: s.key, kind: s.kind, stage: s.stage, since: s.since.toISOString() })),
  };
}

export async function cpodReport(deps: AppDeps, workspaceId: string, p: ReportParams): Promise<ReportEnvelope> {
  const [rows, versions] = await Promise.all([cpodByMonth(deps.db, workspaceId, p.from, p.to), definitionVersionsInScope(deps.db, workspaceId, p.from, p.to)]);
  return {
    ...envelopeBase('cpod', p, deps.clock.now(), versions),
    filters: { by: 'month', model: p.model },
    notes: [
      'Cost per order dollar = (marketing cost + sales cost) / won revenue, per UTC month of the period and in total; null when nothing was won.',
      'Marketing cost = campaign_cost + period_cost (category marketing) of the month; sales cost = period_cost (category sales). Revenue = amounts of opportunities won (closed_at) in the month.',
      'Amounts are summed as stored, whatever their currency. Always by month (filters.by is ignored).',
    ],
    definitions: { cpod: '(campaign_cost + period_cost marketing + period_cost sales) / sum(opportunity.amount WHERE status = won AND closed_at in month)' },
    columns: ['month', 'campaign_cost', 'marketing_period_cost', 'marketing_cost', 'sales_cost', 'total_cost', 'won_revenue', 'won_deals', 'cpod'],
    rows: rows.map((r): Row => {
      const marketing = r.campaignCost + r.marketingPeriodCost;
      const total = marketing + r.salesPeriodCost;
      return {
        month: r.month ?? 'total', campaign_cost: money(r.campaignCost), marketing_period_cost: money(r.marketingPeriodCost), marketing_cost: money(marketing),
        sales_cost: money(r.salesPeriodCost), total_cost: money(total), won_revenue: money(r.wonRevenue), won_deals: r.wonDeals, cpod: rate(ratio(total, r.wonRevenue)),
      };
    }),
  };
}
