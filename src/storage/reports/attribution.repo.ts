import { sql } from 'kysely';
import type { Db } from '../db.ts';
import { prepareContactTouches } from './contact-touches.repo.ts';
import type { AttributionScope } from './deal-touches.repo.ts';
import { num, withReportMemory } from './report-sql.ts';
import { channelSql, qualifiesSql as qualifies } from './touch-channel.ts';

export { channelSql };
export type { AttributionScope, ScopedOpportunity, TouchRow, TouchSource } from './deal-touches.repo.ts';

export type MarkovPathRow = { path: string; converted: boolean; count: number };

/** Leads of the period whose touches form non-converting paths: lost, disqualified, or without a deal. */
const lostLeads = (s: AttributionScope) => sql`SELECT l.id, l.contact_id, l.opened_at - make_interval(days => ${s.lookbackDays}) AS since,
    least(coalesce(l.closed_at, ${s.to}), ${s.to}) AS until
  FROM lead l LEFT JOIN (SELECT DISTINCT ol.lead_id FROM opportunity_lead ol WHERE ol.workspace_id = ${s.workspaceId}) d ON d.lead_id = l.id
  WHERE l.workspace_id = ${s.workspaceId} AND l.opened_at >= ${s.from} AND l.opened_at < ${s.to} AND l.stage <> 'won'
    AND (l.stage IN ('lost','disqualified') OR d.lead_id IS NULL)`;

/**
 * Non-converting channel paths for the Markov model, aggregated in SQL (identical paths counted
 * once): leads opened in the period that were lost or disqualified, or have no deal (their
 * contact's touches from `lookbackDays` before opening up to closing, or the period end).
 * Converting paths (deals won in the period) are the short-term journeys the attribution stream
 * loads anyway (same touches, same window, same order: streamDealTouches), so the caller builds
 * those from the stream instead of joining them a second time here.
 * Channels are joined with '\u001f' (unit separator), which no channel name contains.
 *
 * Read from contact_touch_summary (one row per contact), brought up to date first by
 * refreshContactTouches unless the caller says it did (`prepared`: true = the summary is current,
 * false = read the history). A lead whose window holds all of its contact's touches counts under its
 * stored path and campaign ids, and the campaigns' channels are applied once per distinct
 * (path, campaigns) group after counting, not once per lead (at 1M leads the per-lead function call
 * was most of the query, and the planner evaluated it twice: in the NULL filter and the group key).
 * Any other lead unnests its contact's touches, keeps those in the window and applies the campaigns'
 * channels. Equal to {@link nonConvertingMarkovPathsFromHistory} (test/integration/contact-touch-summary.test.ts).
 */
export async function nonConvertingMarkovPaths(db: Db, s: AttributionScope, prepared?: boolean): Promise<MarkovPathRow[]> {
  const fromSummary = prepared ?? (await prepareContactTouches(db, s.workspaceId));
  if (!fromSummary) return nonConvertingMarkovPathsFromHistory(db, s);
  const campaigns = await sql<{ id: string; channel: string | null }>`SELECT id, channel FROM campaign WHERE workspace_id = ${s.workspaceId}`.execute(db);
  const ids = campaigns.rows.map((c) => c.id);
  const channels = campaigns.rows.map((c) => c.channel);
  const { rows } = await withReportMemory(db, (q) => sql<Record<string, unknown>>`WITH lost AS (${lostLeads(s)}),
    g AS (SELECT CASE WHEN whole THEN t.path ELSE contact_touch_path(t.touch_at, t.touch_channel, t.touch_campaign, l.since, l.until, ${ids}::uuid[], ${channels}::text[]) END AS path,
        CASE WHEN whole THEN t.touch_campaign END AS campaigns, count(*) AS n
      FROM lost l JOIN contact_touch_summary t ON t.workspace_id = ${s.workspaceId} AND t.contact_id = l.contact_id
        CROSS JOIN LATERAL (SELECT t.touch_at[1] >= l.since AND t.touch_at[cardinality(t.touch_at)] <= l.until AS whole) w
      GROUP BY 1, 2),
    resolved AS (SELECT CASE WHEN campaigns IS NULL THEN path ELSE (SELECT string_agg(coalesce((${channels}::text[])[array_position(${ids}::uuid[], u.campaign)], u.channel), E'\\x1f' ORDER BY u.i)
        FROM unnest(string_to_array(path, E'\\x1f'), campaigns) WITH ORDINALITY AS u(channel, campaign, i)) END AS path, n FROM g)
    SELECT path, sum(n) AS n FROM resolved WHERE path IS NOT NULL GROUP BY path`.execute(q), '256MB');
  return rows.map((r) => ({ path: r.path as string, converted: false, count: num(r.n) }));
}

/**
 * The definition nonConvertingMarkovPaths must equal: the same paths aggregated from the activity
 * table on every call. The reference for the equivalence test, and what a report on a standby reads while the
 * workspace has queued contacts (the standby cannot refresh the summary).
 */
export async function nonConvertingMarkovPathsFromHistory(db: Db, s: AttributionScope): Promise<MarkovPathRow[]> {
  // The path sort covers every qualifying touch of the period's leads: with the default 4 MB of
  // work_mem it spills to disk (EXPLAIN ANALYZE at 100k leads: external merge, 38 MB).
  const { rows } = await withReportMemory(db, (q) => sql<Record<string, unknown>>`WITH lost AS (${lostLeads(s)}),
    non AS (SELECT string_agg(${channelSql}, E'\\x1f' ORDER BY a.occurred_at, a.id) AS path
      FROM lost l JOIN activity a ON a.workspace_id = ${s.workspaceId} AND a.contact_id = l.contact_id
        AND a.occurred_at >= l.since AND a.occurred_at <= l.until
      LEFT JOIN campaign c ON c.workspace_id = a.workspace_id AND c.id = a.campaign_id
      WHERE ${qualifies} GROUP BY l.id)
    SELECT path, count(*) AS n FROM non GROUP BY path`.execute(q), '256MB');
  return rows.map((r) => ({ path: r.path as string, converted: false, count: num(r.n) }));
}
