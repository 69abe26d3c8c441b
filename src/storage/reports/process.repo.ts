import { sql } from 'kysely';
import { salesTouchTypes } from '../../core/activity.ts';
import type { DbOrTrx } from '../db.ts';
import { firstActivityJoin } from './first-activity.ts';
import { cohortCte, meanDaysSql, num, numOrNull, reachedCte, withReportMemory, type ReportScope } from './report-sql.ts';

const salesTypes = [...salesTouchTypes];
type Dist = { n: number; meanDays: number | null; medianDays: number | null; p90Days: number | null; skipped: number };
const dist = (r: Record<string, unknown>, prefix: string): Dist => ({
  n: num(r[`${prefix}_n`]), meanDays: numOrNull(r[`${prefix}_mean`]), medianDays: numOrNull(r[`${prefix}_median`]), p90Days: numOrNull(r[`${prefix}_p90`]),
  skipped: num(r[`${prefix}_skipped`] ?? 0),
});

export type CpodRow = { month: string | null; campaignCost: number; marketingPeriodCost: number; salesPeriodCost: number; wonRevenue: number; wonDeals: number };

/** Per UTC month of the period (and in total): campaign costs, period costs by category, revenue won (closed_at). */
export async function cpodByMonth(db: DbOrTrx, workspaceId: string, from: Date, to: Date): Promise<CpodRow[]> {
  const { rows } = await sql<Record<string, unknown>>`WITH months AS (
      SELECT to_char(m, 'YYYY-MM') AS month FROM generate_series(date_trunc('month', ${from}::timestamptz AT TIME ZONE 'UTC'),
        (${to}::timestamptz AT TIME ZONE 'UTC') - interval '1 microsecond', interval '1 month') AS m),
    cc AS (SELECT to_char(period_start, 'YYYY-MM') AS month, sum(amount) AS amount FROM campaign_cost WHERE workspace_id = ${workspaceId} GROUP BY 1),
    pc AS (SELECT to_char(period_start, 'YYYY-MM') AS month, sum(amount) FILTER (WHERE category = 'marketing') AS marketing,
      sum(amount) FILTER (WHERE category = 'sales') AS sales FROM period_cost WHERE workspace_id = ${workspaceId} GROUP BY 1),
    won AS (SELECT to_char(closed_at AT TIME ZONE 'UTC', 'YYYY-MM') AS month, sum(amount) AS revenue, count(*) AS deals FROM opportunity
      WHERE workspace_id = ${workspaceId} AND status = 'won' AND closed_at >= ${from} AND closed_at < ${to} GROUP BY 1)
    SELECT CASE WHEN grouping(m.month) = 1 THEN NULL ELSE m.month END AS month, coalesce(sum(cc.amount), 0) AS campaign_cost,
      coalesce(sum(pc.marketing), 0) AS marketing, coalesce(sum(pc.sales), 0) AS sales, coalesce(sum(won.revenue), 0) AS revenue, coalesce(sum(won.deals), 0) AS deals
    FROM months m LEFT JOIN cc USING (month) LEFT JOIN pc USING (month) LEFT JOIN won USING (month)
    GROUP BY GROUPING SETS ((m.month), ()) ORDER BY grouping(m.month), m.month`.execute(db);
  return rows.map((r) => ({
    month: (r.month as string | null) ?? null, campaignCost: num(r.campaign_cost), marketingPeriodCost: num(r.marketing),
    salesPeriodCost: num(r.sales), wonRevenue: num(r.revenue), wonDeals: num(r.deals),
  }));
}

export type SalesReadyRow = { key: string | null; leads: number; toMql: Dist; toSal: Dist };

/**
 * First touch → first MQL and → first SAL, in days, per group. First touch: the earliest of the
 * lead's recorded first touch, the contact's earliest activity and the lead's opening. `firstActivity`:
 * where the contact's earliest activity comes from (the benchmark times the per-lead probe it replaced).
 */
export async function timeToSalesReady(db: DbOrTrx, scope: ReportScope, firstActivity = firstActivityJoin): Promise<SalesReadyRow[]> {
  // Only leads that reached MQL or SAL have a duration: they alone are aggregated (the contact's first activity
  // is on the lead row, migration 2026-12-09-10); the leads per group are counted on their own from the cohort
  // (a parallel scan). The scans run in parallel workers;
  // the ordered-set aggregates run in one process, so they get no more rows than they need, and each
  // measure's two percentiles come from one sort (percentile_cont of an array). Durations are doubles from the
  // start (date_part, not extract: percentile_cont sorts doubles, and a numeric division and cast per lead cost
  // about 0.4 s at 1M leads).
  const { rows } = await withReportMemory(db, (q) => sql<Record<string, unknown>>`WITH cohort AS NOT MATERIALIZED (${cohortCte(scope)}), r AS (${reachedCte(scope)}),
    t AS (SELECT r.key, r.mql_at, r.sal_at, least(r.first_touch_at, fa.first_activity, r.opened_at) AS first_touch,
        CASE WHEN r.sal_at IS NOT NULL THEN r.after_sal_at END AS after_sal_at
      FROM r ${firstActivity(scope.workspaceId)}
      WHERE r.mql_at IS NOT NULL OR r.sal_at IS NOT NULL),
    -- Imports date stages a CRM never recorded at a neighbour's date (HubSpot: SAL at the MQL date; Olist: every
    -- stage at the won date). A stage sharing its instant with a neighbour was not measured, so it is skipped rather
    -- than reported as reached at the neighbour's time: SAL when at (or before) its MQL or at (or after) the next stage;
    -- MQL (which CRM exports do date) only when at (or after) a stage beyond SAL.
    d AS (SELECT key, to_mql, to_sal, mql_skip, sal_skip FROM (SELECT key,
        (mql_at >= coalesce(after_sal_at, 'infinity')) AS mql_skip,
        (sal_at <= coalesce(mql_at, '-infinity') OR sal_at >= coalesce(after_sal_at, 'infinity')) AS sal_skip,
        date_part('epoch', mql_at - first_touch) / 86400 AS mql_days, date_part('epoch', sal_at - first_touch) / 86400 AS sal_days
      FROM t) s CROSS JOIN LATERAL (SELECT CASE WHEN mql_skip THEN NULL ELSE mql_days END AS to_mql, CASE WHEN sal_skip THEN NULL ELSE sal_days END AS to_sal) m),
    a AS (SELECT CASE WHEN grouping(key) = 1 THEN NULL ELSE key END AS key,
        count(to_mql) AS mql_n, ${meanDaysSql('to_mql')} AS mql_mean, percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY to_mql) AS mql_p,
        count(to_sal) AS sal_n, ${meanDaysSql('to_sal')} AS sal_mean, percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY to_sal) AS sal_p,
        count(*) FILTER (WHERE mql_skip) AS mql_skipped, count(*) FILTER (WHERE sal_skip) AS sal_skipped
      FROM d GROUP BY GROUPING SETS ((key), ())),
    n AS (SELECT key, count(*) AS leads FROM cohort GROUP BY key)
    SELECT g.key, g.leads, a.mql_n, a.mql_mean, a.mql_p[1] AS mql_median, a.mql_p[2] AS mql_p90, a.mql_skipped,
      a.sal_n, a.sal_mean, a.sal_p[1] AS sal_median, a.sal_p[2] AS sal_p90, a.sal_skipped
    FROM (SELECT key, leads FROM n UNION ALL SELECT NULL, sum(leads) FROM n) g LEFT JOIN a ON a.key IS NOT DISTINCT FROM g.key
    ORDER BY g.key IS NULL, g.key`.execute(q));
  return rows.map((r) => ({ key: (r.key as string | null) ?? null, leads: num(r.leads), toMql: dist(r, 'mql'), toSal: dist(r, 'sal') }));
}

type TouchDist = { leads: number; mean: number | null; median: number | null; p90: number | null };
export type InteractionsRow = { key: string | null; beforeMeeting: TouchDist; beforeSal: TouchDist };

/**
 * Marketing touches (activities that are not sales touches) of the lead's contact from `lookbackDays`
 * before the lead opened up to, not including, its first meeting (at or after opening) / first SAL.
 */
export async function touchesBeforeMilestones(db: DbOrTrx, scope: ReportScope, lookbackDays: number): Promise<InteractionsRow[]> {
  const { rows } = await sql<Record<string, unknown>>`WITH cohort AS MATERIALIZED (${cohortCte(scope)}), r AS (${reachedCte(scope)}),
    m AS (SELECT r.id, r.key, r.contact_id, r.opened_at, r.sal_at,
        (SELECT min(a.occurred_at) FROM activity a WHERE a.workspace_id = ${scope.workspaceId} AND a.contact_id = r.contact_id
          AND a.type = 'meeting' AND a.occurred_at >= r.opened_at) AS meeting_at
      FROM r),
    n AS (SELECT m.id, m.key, m.meeting_at, m.sal_at,
        count(a.id) FILTER (WHERE a.occurred_at < m.meeting_at) AS before_meeting, count(a.id) FILTER (WHERE a.occurred_at < m.sal_at) AS before_sal
      FROM m LEFT JOIN activity a ON a.workspace_id = ${scope.workspaceId} AND a.contact_id = m.contact_id
        AND a.occurred_at >= m.opened_at - make_interval(days => ${lookbackDays}) AND a.occurred_at < greatest(m.meeting_at, m.sal_at)
        AND a.type <> ALL (${salesTypes}::text[])
      WHERE m.meeting_at IS NOT NULL OR m.sal_at IS NOT NULL GROUP BY m.id, m.key, m.meeting_at, m.sal_at)
    SELECT CASE WHEN grouping(key) = 1 THEN NULL ELSE key END AS key,
      count(meeting_at) AS meeting_leads, avg(before_meeting) FILTER (WHERE meeting_at IS NOT NULL) AS meeting_mean,
      percentile_cont(0.5) WITHIN GROUP (ORDER BY CASE WHEN meeting_at IS NOT NULL THEN before_meeting END) AS meeting_median,
      percentile_cont(0.9) WITHIN GROUP (ORDER BY CASE WHEN meeting_at IS NOT NULL THEN before_meeting END) AS meeting_p90,
      count(sal_at) AS sal_leads, avg(before_sal) FILTER (WHERE sal_at IS NOT NULL) AS sal_mean,
      percentile_cont(0.5) WITHIN GROUP (ORDER BY CASE WHEN sal_at IS NOT NULL THEN before_sal END) AS sal_median,
      percentile_cont(0.9) WITHIN GROUP (ORDER BY CASE WHEN sal_at IS NOT NULL THEN before_sal END) AS sal_p90
    FROM n GROUP BY GROUPING SETS ((key), ()) ORDER BY grouping(key), key`.execute(db);
  const td = (r: Record<string, unknown>, p: string): TouchDist =>
    ({ leads: num(r[`${p}_leads`]), mean: numOrNull(r[`${p}_mean`]), median: numOrNull(r[`${p}_median`]), p90: numOrNull(r[`${p}_p90`]) });
  return rows.map((r) => ({ key: (r.key as string | null) ?? null, beforeMeeting: td(r, 'meeting'), beforeSal: td(r, 'sal') }));
}

export type LeakageRow = { key: string | null; mqls: number; mqlUnworked: number; unworkedMedianAgeDays: number | null; salPlus: number; salPlusUntouched: number };
export type LeakedLead = { leadId: string; key: string; kind: 'mql_unworked' | 'never_touched'; stage: string; since: Date };

/**
 * Leakage: MQLs never accepted or rejected (still at mql: no move since), and leads that reached SAL
 * or further with no sales activity (sales_call, sales_email, sales_touch, meeting) of their contact
 * at or after the lead opened. Ages are measured at `asOf`.
 */
export async function leakage(db: DbOrTrx, scope: ReportScope, asOf: Date, sampleSize: number): Promise<{ rows: LeakageRow[]; sample: LeakedLead[] }> {
  const base = sql`WITH cohort AS MATERIALIZED (${cohortCte(scope)}), r AS MATERIALIZED (${reachedCte(scope)}),
    x AS (SELECT r.id, r.key, r.stage, r.reached, r.stage_entered_at, r.sal_at,
        r.stage = 'mql' AS unworked,
        r.reached >= 3 AND NOT EXISTS (SELECT 1 FROM activity a WHERE a.workspace_id = ${scope.workspaceId} AND a.contact_id = r.contact_id
          AND a.occurred_at >= r.opened_at AND a.type = ANY (${salesTypes}::text[])) AS untouched
      FROM r)`;
  const [agg, sample] = await Promise.all([
    sql<Record<string, unknown>>`${base}
      SELECT CASE WHEN grouping(key) = 1 THEN NULL ELSE key END AS key, count(*) FILTER (WHERE reached >= 2) AS mqls,
        count(*) FILTER (WHERE unworked) AS unworked,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY CASE WHEN unworked THEN extract(epoch FROM ${asOf}::timestamptz - stage_entered_at) / 86400.0 END) AS unworked_age,
        count(*) FILTER (WHERE reached >= 3) AS sal_plus, count(*) FILTER (WHERE untouched) AS untouched
      FROM x GROUP BY GROUPING SETS ((key), ()) ORDER BY grouping(key), key`.execute(db),
    sql<Record<string, unknown>>`${base}
      (SELECT id, key, 'mql_unworked' AS kind, stage, stage_entered_at AS since FROM x WHERE unworked ORDER BY stage_entered_at LIMIT ${sampleSize})
      UNION ALL
      (SELECT id, key, 'never_touched', stage, coalesce(sal_at, stage_entered_at) FROM x WHERE untouched ORDER BY 5 LIMIT ${sampleSize})`.execute(db),
  ]);
  return {
    rows: agg.rows.map((r) => ({
      key: (r.key as string | null) ?? null, mqls: num(r.mqls), mqlUnworked: num(r.unworked), unworkedMedianAgeDays: numOrNull(r.unworked_age),
      salPlus: num(r.sal_plus), salPlusUntouched: num(r.untouched),
    })),
    sample: sample.rows.map((r) => ({ leadId: r.id as string, key: r.key as string, kind: r.kind as LeakedLead['kind'], stage: r.stage as string, since: r.since as Date })),
  };
}
