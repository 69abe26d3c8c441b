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
 * Two statements on two connections at once: the group counts (a parallel scan of the cohort joined
 * with its lead summaries) and the deal sums (the links probe their leads). In one statement the deals
 * ran after the counts in the same process and read the whole cohort a second time for 100k links
 * (bench reports at 1M leads). Rows in the counts' order; a group without deals gets zeros.
 */
export async function sourceCounts(db: DbOrTrx, scope: ReportScope): Promise<SourceCountsRow[]> {
  const [counts, deals] = await Promise.all([sourceGroupCounts(db, scope), sourceDealSums(db, scope)]);
  const byKey = new Map(deals.map((d) => [d.key, d]));
  return counts.map((c) => {
    const d = byKey.get(c.key);
    return { ...c, opportunities: d?.opportunities ?? 0, wonOpportunities: d?.wonOpportunities ?? 0, revenue: d?.revenue ?? 0 };
  });
}

/**
 * Lead counts per group by a plain GROUP BY and the total as the groups' sums (not GROUPING SETS, nor a
 * materialised cohort), so PostgreSQL can scan and aggregate the cohort in parallel (see funnelCounts).
 */
async function sourceGroupCounts(db: DbOrTrx, scope: ReportScope) {
  const { rows } = await withReportMemory(db, (q) => sql<Record<string, unknown>>`WITH cohort AS (${cohortCte(scope)}), r AS (${reachedCte(scope)}),
    groups AS MATERIALIZED (
      SELECT key, 0 AS is_total, count(*) AS leads,
        count(*) FILTER (WHERE reached >= 2) AS mql, count(*) FILTER (WHERE reached >= 3) AS sal, count(*) FILTER (WHERE reached >= 6) AS won_leads
      FROM r GROUP BY key)
    SELECT * FROM (SELECT * FROM groups UNION ALL SELECT NULL, 1, sum(leads), sum(mql), sum(sal), sum(won_leads) FROM groups) c
    ORDER BY c.is_total, c.key`.execute(q));
  return rows.map((r) => ({ key: (r.key as string | null) ?? null, leads: num(r.leads), mql: num(r.mql), sal: num(r.sal), wonLeads: num(r.won_leads) }));
}

/**
 * Deals linked to the cohort's leads, per group (each deal once per group) and in total (each deal
 * once). Driven by the links: each probes its lead by primary key (OFFSET 0 keeps the cohort
 * subquery per link instead of a hash join that reads every cohort lead).
 */
async function sourceDealSums(db: DbOrTrx, scope: ReportScope) {
  const { rows } = await withReportMemory(db, (q) => sql<Record<string, unknown>>`WITH
    deals AS (SELECT DISTINCT c.key, o.id, o.status, o.amount FROM opportunity_lead ol
      CROSS JOIN LATERAL (SELECT c.key FROM (${cohortCte(scope)}) c WHERE c.id = ol.lead_id OFFSET 0) c
      JOIN opportunity o ON o.workspace_id = ol.workspace_id AND o.id = ol.opportunity_id
      WHERE ol.workspace_id = ${scope.workspaceId})
    SELECT key, count(*) AS opportunities, count(*) FILTER (WHERE status = 'won') AS won_opportunities,
      coalesce(sum(amount) FILTER (WHERE status = 'won'), 0) AS revenue FROM deals GROUP BY key
    UNION ALL
    SELECT NULL, count(DISTINCT id), count(DISTINCT id) FILTER (WHERE status = 'won'),
      coalesce((SELECT sum(amount) FROM (SELECT DISTINCT id, amount FROM deals WHERE status = 'won') w), 0) FROM deals`.execute(q));
  return rows.map((r) => ({
    key: (r.key as string | null) ?? null, opportunities: num(r.opportunities), wonOpportunities: num(r.won_opportunities), revenue: num(r.revenue),
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
  // Both counts in one pass over the period's leads (was two).
  const { rows } = await sql<Record<string, unknown>>`WITH w AS (
      SELECT min(at) AS first_won, max(at) AS last_won FROM stage_transition
      WHERE workspace_id = ${scope.workspaceId} AND to_stage = 'won')
    SELECT w.first_won, w.last_won, c.before_first, c.in_period
    FROM w CROSS JOIN LATERAL (SELECT count(*) FILTER (WHERE w.first_won IS NULL OR l.opened_at < w.first_won) AS before_first, count(*) AS in_period
      FROM lead l WHERE l.workspace_id = ${scope.workspaceId} AND l.opened_at >= ${scope.from} AND l.opened_at < ${scope.to}) c`.execute(db);
  const r = rows[0] ?? {};
  return {
    firstWonAt: (r.first_won as Date | null) ?? null, lastWonAt: (r.last_won as Date | null) ?? null,
    leadsBeforeFirstWon: num(r.before_first), leadsInPeriod: num(r.in_period),
  };
}
