import { sql } from 'kysely';
import type { DbOrTrx } from '../db.ts';
import { cohortCte, num, reachedCte, withReportMemory, type ReportScope } from './report-sql.ts';

export type SourceCountsRow = {
  key: string | null; leads: number; mql: number; sal: number; wonLeads: number;
  opportunities: number; wonOpportunities: number; revenue: number;
};

/**
 * Per group: lead counts along the waterfall plus the deals linked to its leads. A deal linked to
 * leads of two groups counts in both (each group did feed it); within a group it counts once.
 * Counts per group by a plain GROUP BY and the total as the groups' sums (not GROUPING SETS, nor a
 * materialised cohort), so PostgreSQL can scan and aggregate the cohort in parallel (see funnelCounts).
 */
export async function sourceCounts(db: DbOrTrx, scope: ReportScope): Promise<SourceCountsRow[]> {
  const { rows } = await withReportMemory(db, (q) => sql<Record<string, unknown>>`WITH cohort AS (${cohortCte(scope)}), r AS (${reachedCte(scope)}),
    groups AS MATERIALIZED (
      SELECT key, 0 AS is_total, count(*) AS leads,
        count(*) FILTER (WHERE reached >= 2) AS mql, count(*) FILTER (WHERE reached >= 3) AS sal, count(*) FILTER (WHERE reached >= 6) AS won_leads
      FROM r GROUP BY key),
    counts AS (SELECT * FROM groups UNION ALL SELECT NULL, 1, sum(leads), sum(mql), sum(sal), sum(won_leads) FROM groups),
    deals AS (SELECT DISTINCT c.key, o.id, o.status, o.amount FROM cohort c
      JOIN opportunity_lead ol ON ol.workspace_id = ${scope.workspaceId} AND ol.lead_id = c.id
      JOIN opportunity o ON o.workspace_id = ol.workspace_id AND o.id = ol.opportunity_id),
    deal_sums AS (
      SELECT key, count(*) AS opportunities, count(*) FILTER (WHERE status = 'won') AS won_opportunities,
        coalesce(sum(amount) FILTER (WHERE status = 'won'), 0) AS revenue FROM deals GROUP BY key
      UNION ALL
      SELECT NULL, count(DISTINCT id), count(DISTINCT id) FILTER (WHERE status = 'won'),
        coalesce((SELECT sum(amount) FROM (SELECT DISTINCT id, amount FROM deals WHERE status = 'won') w), 0) FROM deals)
    SELECT c.key, c.leads, c.mql, c.sal, c.won_leads, coalesce(d.opportunities, 0) AS opportunities,
      coalesce(d.won_opportunities, 0) AS won_opportunities, coalesce(d.revenue, 0) AS revenue
    FROM counts c LEFT JOIN deal_sums d ON d.key IS NOT DISTINCT FROM c.key
    ORDER BY c.is_total, c.key`.execute(q));
  return rows.map((r) => ({
    key: (r.key as string | null) ?? null, leads: num(r.leads), mql: num(r.mql), sal: num(r.sal), wonLeads: num(r.won_leads),
    opportunities: num(r.opportunities), wonOpportunities: num(r.won_opportunities), revenue: num(r.revenue),
  }));
}

export type CampaignCostRow = {
  campaignId: string; name: string; channel: string; utmSource: string | null; utmCampaign: string | null; month: string; amount: number; currency: string;
};

/** Campaign costs of the months the period touches (a month counts when its first day is before `to`). */
export async function campaignCostsInPeriod(db: DbOrTrx, workspaceId: string, from: Date, to: Date): Promise<CampaignCostRow[]> {
  const { rows } = await sql<Record<string, unknown>>`SELECT c.id, c.name, c.channel, c.utm_source, c.utm_campaign,
      to_char(cc.period_start, 'YYYY-MM') AS month, cc.amount, cc.currency
    FROM campaign_cost cc JOIN campaign c ON c.workspace_id = cc.workspace_id AND c.id = cc.campaign_id
    WHERE cc.workspace_id = ${workspaceId} AND cc.period_start >= date_trunc('month', ${from}::timestamptz AT TIME ZONE 'UTC')::date
      AND cc.period_start < ${to}::timestamptz AT TIME ZONE 'UTC'
    ORDER BY cc.period_start, c.name`.execute(db);
  return rows.map((r) => ({
    campaignId: r.id as string, name: r.name as string, channel: r.channel as string, utmSource: (r.utm_source as string | null) ?? null,
    utmCampaign: (r.utm_campaign as string | null) ?? null, month: r.month as string, amount: num(r.amount), currency: r.currency as string,
  }));
}

export type CensoringFacts = { firstWonAt: Date | null; lastWonAt: Date | null; leadsBeforeFirstWon: number; leadsInPeriod: number };

/**
 * When did wins start being recorded at all, and how many of the period's leads entered before?
 * Those leads look unconverted because the outcome data is censored, not because they failed.
 */
export async function censoringFacts(db: DbOrTrx, scope: ReportScope): Promise<CensoringFacts> {
  const { rows } = await sql<Record<string, unknown>>`WITH w AS (
      SELECT min(at) AS first_won, max(at) AS last_won FROM stage_transition
      WHERE workspace_id = ${scope.workspaceId} AND to_stage = 'won')
    SELECT w.first_won, w.last_won,
      (SELECT count(*) FROM lead l WHERE l.workspace_id = ${scope.workspaceId} AND l.opened_at >= ${scope.from} AND l.opened_at < ${scope.to}
        AND (w.first_won IS NULL OR l.opened_at < w.first_won)) AS before_first,
      (SELECT count(*) FROM lead l WHERE l.workspace_id = ${scope.workspaceId} AND l.opened_at >= ${scope.from} AND l.opened_at < ${scope.to}) AS in_period
    FROM w`.execute(db);
  const r = rows[0] ?? {};
  return {
    firstWonAt: (r.first_won as Date | null) ?? null, lastWonAt: (r.last_won as Date | null) ?? null,
    leadsBeforeFirstWon: num(r.before_first), leadsInPeriod: num(r.in_period),
  };
}
