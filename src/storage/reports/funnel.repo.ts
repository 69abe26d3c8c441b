import { sql } from 'kysely';
import type { DbOrTrx } from '../db.ts';
import { cohortCte, meanDaysSql, num, numOrNull, reachedCte, withReportMemory, type ReportScope } from './report-sql.ts';

export type FunnelGroupRow = {
  /** null for the total over all groups. */
  key: string | null;
  leads: number; mql: number; sal: number; sql: number; opportunity: number; won: number;
  lost: number; disqualified: number; nurtured: number; recycledLeads: number;
  mqlNetNew: number; mqlRecycled: number;
};

/**
 * Waterfall counts per group, and in total (the groups' sums), in one pass over the cohort and its
 * lead summaries. Plain GROUP BY + a sum over the groups instead of GROUPING SETS: PostgreSQL plans
 * grouping sets single-process, a plain GROUP BY in parallel (partial aggregates per worker). The
 * cohort is read once, so it is not materialised either: at 1M leads its tuplestore spilled past
 * work_mem to a temporary file (EXPLAIN ANALYZE: temp written 13k pages) and kept the scan serial.
 * Keys are never null (see groupKeySql), so the null key is the total's.
 */
export async function funnelCounts(db: DbOrTrx, scope: ReportScope): Promise<FunnelGroupRow[]> {
  const { rows } = await withReportMemory(db, (q) => sql<Record<string, unknown>>`WITH cohort AS (${cohortCte(scope)}), r AS (${reachedCte(scope)}),
    g AS MATERIALIZED (SELECT key, count(*) AS leads,
      count(*) FILTER (WHERE reached >= 2) AS mql, count(*) FILTER (WHERE reached >= 3) AS sal,
      count(*) FILTER (WHERE reached >= 4) AS sql, count(*) FILTER (WHERE reached >= 5) AS opportunity,
      count(*) FILTER (WHERE reached >= 6) AS won, count(*) FILTER (WHERE stage = 'lost') AS lost,
      count(*) FILTER (WHERE disqualified OR stage = 'disqualified') AS disqualified, count(*) FILTER (WHERE nurtured OR stage = 'nurture') AS nurtured,
      count(*) FILTER (WHERE recycle_count > 0) AS recycled_leads,
      -- A lead's first MQL is net-new; every further one (re-qualified after a recycle) is recycled.
      count(*) FILTER (WHERE reached >= 2) AS mql_net_new, sum(CASE WHEN reached >= 2 THEN greatest(mql_events - 1, 0) ELSE 0 END) AS mql_recycled
    FROM r GROUP BY key)
    SELECT * FROM (SELECT * FROM g
      UNION ALL
      SELECT NULL, sum(leads), sum(mql), sum(sal), sum(sql), sum(opportunity), sum(won), sum(lost), sum(disqualified), sum(nurtured),
        sum(recycled_leads), sum(mql_net_new), sum(mql_recycled) FROM g) x
    ORDER BY key IS NULL, key`.execute(q));
  return rows.map((r) => ({
    key: (r.key as string | null) ?? null, leads: num(r.leads), mql: num(r.mql), sal: num(r.sal), sql: num(r.sql), opportunity: num(r.opportunity),
    won: num(r.won), lost: num(r.lost), disqualified: num(r.disqualified), nurtured: num(r.nurtured), recycledLeads: num(r.recycled_leads),
    mqlNetNew: num(r.mql_net_new), mqlRecycled: num(r.mql_recycled),
  }));
}

export type VelocityRow = { stage: string; stays: number; medianDays: number | null; p90Days: number | null; meanDays: number | null };

/**
 * Time in stage: for each completed stay of a cohort lead (kept in its lead_stage_summary row: the
 * stage and the seconds until the lead's next transition), percentile_cont (linear interpolation,
 * like src/core/stats) per stage. Same numbers as stageVelocityReference, without the window over
 * every cohort transition. Both percentiles come from one sort (percentile_cont of an array: the same
 * interpolation as two calls, half the sorting), of doubles as stored (migration 2026-12-08-10: no
 * numeric cast per stay). The cohort is read from the summary itself (its
 * opened_at, copied from the lead, migration 2026-12-07-50): a lead without a summary row has no stay,
 * so no join with lead is needed (it was half the query's CPU at 1M leads).
 */
export async function stageVelocity(db: DbOrTrx, scope: ReportScope): Promise<VelocityRow[]> {
  const { rows } = await withReportMemory(db, (q) => sql<Record<string, unknown>>`WITH stays AS (
      SELECT u.stage, u.seconds / 86400 AS days
      FROM lead_stage_summary s CROSS JOIN LATERAL unnest(s.stay_stages, s.stay_seconds) AS u(stage, seconds)
      WHERE s.workspace_id = ${scope.workspaceId} AND s.opened_at >= ${scope.from} AND s.opened_at < ${scope.to})
    SELECT stage, stays, p[1] AS median_days, p[2] AS p90_days, mean_days
    FROM (SELECT stage, count(*) AS stays, percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY days) AS p, ${meanDaysSql('days')} AS mean_days
      FROM stays GROUP BY stage) g`.execute(q));
  return rows.map(toVelocityRow);
}

const toVelocityRow = (r: Record<string, unknown>): VelocityRow => ({
  stage: r.stage as string, stays: num(r.stays), medianDays: numOrNull(r.median_days), p90Days: numOrNull(r.p90_days), meanDays: numOrNull(r.mean_days),
});

/**
 * The reference stageVelocity must equal (test/integration/lead-summary.test.ts; reports never use it):
 * for each recorded stay of a cohort lead (a transition into a stage until the
 * lead's next transition), percentile_cont (linear interpolation, like src/core/stats) per stage, over
 * the seconds as the summary stores them (double precision) divided by 86400.
 * Stays still running are not counted (their length is unknown).
 */
export async function stageVelocityReference(db: DbOrTrx, scope: ReportScope): Promise<VelocityRow[]> {
  const { rows } = await withReportMemory(db, (q) => sql<Record<string, unknown>>`WITH cohort AS MATERIALIZED (${cohortCte(scope)}),
    stays AS (
      SELECT st.to_stage AS stage, extract(epoch FROM lead(st.at) OVER (PARTITION BY st.lead_id ORDER BY st.at, st.id) - st.at)::float8 / 86400 AS days
      FROM cohort c JOIN stage_transition st ON st.workspace_id = ${scope.workspaceId} AND st.lead_id = c.id)
    SELECT stage, count(*) AS stays, percentile_cont(0.5) WITHIN GROUP (ORDER BY days) AS median_days,
      percentile_cont(0.9) WITHIN GROUP (ORDER BY days) AS p90_days, ${meanDaysSql('days')} AS mean_days
    FROM stays WHERE days IS NOT NULL GROUP BY stage`.execute(q));
  return rows.map(toVelocityRow);
}
