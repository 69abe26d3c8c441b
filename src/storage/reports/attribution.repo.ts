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
 * Read from lead_touch_span (one row per such lead whose contact has touches) and contact_touch_summary,
 * brought up to date first by refreshContactTouches unless the caller says it did (`prepared`: true = they
 * are current, false = read the history). A lead whose window holds all of its contact's touches counts
 * under its contact's path key: those leads are counted per key in one scan (in the parallel workers), and
 * one contact per key is read from the summary for the path and campaign ids (campaign channels applied at
 * read time, once per key). Any other lead unnests its contact's touches, keeps those in the window and
 * applies the campaigns' channels. Equal to {@link nonConvertingMarkovPathsFromHistory}
 * (test/integration/contact-touch-summary.test.ts).
 */
export async function nonConvertingMarkovPaths(db: Db, s: AttributionScope, prepared?: boolean): Promise<MarkovPathRow[]> {
  const fromSummary = prepared ?? (await prepareContactTouches(db, s.workspaceId));
  if (!fromSummary) return nonConvertingMarkovPathsFromHistory(db, s);
  const campaigns = await sql<{ id: string; channel: string | null }>`SELECT id, channel FROM campaign WHERE workspace_id = ${s.workspaceId}`.execute(db);
  const ids = campaigns.rows.map((c) => c.id);
  const channels = campaigns.rows.map((c) => c.channel);
  const period = sql`p.workspace_id = ${s.workspaceId} AND p.opened_at >= ${s.from} AND p.opened_at < ${s.to}`;
  const since = sql`p.opened_at - make_interval(days => ${s.lookbackDays})`;
  const until = sql`least(coalesce(p.closed_at, ${s.to}), ${s.to})`;
  const whole = sql`p.first_at >= ${since} AND p.last_at <= ${until}`;
  const { rows } = await withReportMemory(db, (q) => sql<Record<string, unknown>>`WITH
    whole AS (SELECT p.path_key, min(p.ctid) AS rep, count(*) AS n FROM lead_touch_span p WHERE ${period} AND ${whole} GROUP BY p.path_key),
    paths AS (SELECT CASE WHEN t.touch_campaign IS NULL THEN t.path
          ELSE (SELECT string_agg(coalesce((${channels}::text[])[array_position(${ids}::uuid[], u.campaign)], u.channel), E'\\x1f' ORDER BY u.i)
            FROM unnest(t.touch_channel, t.touch_campaign) WITH ORDINALITY AS u(channel, campaign, i)) END AS path, w.n
        FROM whole w CROSS JOIN LATERAL (SELECT r.contact_id FROM lead_touch_span r WHERE r.ctid = w.rep OFFSET 0) r
        JOIN contact_touch_summary t ON t.workspace_id = ${s.workspaceId} AND t.contact_id = r.contact_id
      UNION ALL
      SELECT t.path, 1 FROM lead_touch_span p CROSS JOIN LATERAL (SELECT contact_touch_path(t.touch_at, t.touch_channel, t.touch_campaign,
          ${since}, ${until}, ${ids}::uuid[], ${channels}::text[]) AS path
        FROM contact_touch_summary t WHERE t.workspace_id = ${s.workspaceId} AND t.contact_id = p.contact_id OFFSET 0) t
        WHERE ${period} AND NOT (${whole}))
    SELECT path, sum(n) AS n FROM paths WHERE path IS NOT NULL GROUP BY path`.execute(q), '256MB');
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
