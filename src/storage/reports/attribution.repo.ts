import { sql, type RawBuilder } from 'kysely';
import type { Db, DbOrTrx } from '../db.ts';
import { prepareContactTouches } from './contact-touches.repo.ts';
import { num, withReportMemory } from './report-sql.ts';
import { channelSql, qualifiesSql as qualifies } from './touch-channel.ts';

export { channelSql };

export type AttributionScope = { workspaceId: string; from: Date; to: Date; lookbackDays: number };

/**
 * Opportunities in scope: revenue closed (won, closed_at in the period: short-term) or pipeline
 * created (open or won, created_at in the period: long-term).
 */
const inScope = (s: AttributionScope) => sql`((o.status = 'won' AND o.closed_at >= ${s.from} AND o.closed_at < ${s.to})
  OR (o.status IN ('open','won') AND o.created_at >= ${s.from} AND o.created_at < ${s.to}))`;

/** Contacts of opportunities: contact roles, plus the contacts of linked leads. */
const oppContacts = (workspaceId: string, opps: RawBuilder<unknown>) => sql`
  SELECT r.opportunity_id, r.contact_id FROM opportunity_contact_role r JOIN (${opps}) x ON x.id = r.opportunity_id WHERE r.workspace_id = ${workspaceId}
  UNION
  SELECT ol.opportunity_id, l.contact_id FROM opportunity_lead ol JOIN (${opps}) x ON x.id = ol.opportunity_id
    JOIN lead l ON l.workspace_id = ol.workspace_id AND l.id = ol.lead_id WHERE ol.workspace_id = ${workspaceId}`;

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
 * loads anyway (same touches, same window, same order: {@link touchesOf}), so the caller builds
 * those from the stream instead of joining them a second time here.
 * Channels are joined with '\u001f' (unit separator), which no channel name contains.
 *
 * Read from contact_touch_summary (one row per contact, brought up to date first by
 * refreshContactTouches): a lead whose window holds all of its contact's touches and whose touches
 * name no campaign takes the stored path as it is; any other unnests its contact's touches, keeps
 * those in the window and applies the campaigns' channels. Equal to
 * {@link nonConvertingMarkovPathsFromHistory} (test/integration/contact-touch-summary.test.ts).
 */
export async function nonConvertingMarkovPaths(db: Db, s: AttributionScope): Promise<MarkovPathRow[]> {
  if (!(await prepareContactTouches(db, s.workspaceId))) return nonConvertingMarkovPathsFromHistory(db, s);
  const campaigns = await sql<{ id: string; channel: string | null }>`SELECT id, channel FROM campaign WHERE workspace_id = ${s.workspaceId}`.execute(db);
  const ids = campaigns.rows.map((c) => c.id);
  const channels = campaigns.rows.map((c) => c.channel);
  const { rows } = await withReportMemory(db, (q) => sql<Record<string, unknown>>`WITH lost AS (${lostLeads(s)}),
    non AS (SELECT CASE WHEN t.touch_campaign IS NULL AND t.touch_at[1] >= l.since AND t.touch_at[cardinality(t.touch_at)] <= l.until THEN t.path
        ELSE contact_touch_path(t.touch_at, t.touch_channel, t.touch_campaign, l.since, l.until, ${ids}::uuid[], ${channels}::text[]) END AS path
      FROM lost l JOIN contact_touch_summary t ON t.workspace_id = ${s.workspaceId} AND t.contact_id = l.contact_id)
    SELECT path, count(*) AS n FROM non WHERE path IS NOT NULL GROUP BY path`.execute(q), '256MB');
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

export type ScopedOpportunity = {
  id: string; amountCents: number; status: 'open' | 'won' | 'lost'; createdAt: Date; closedAt: Date | null; leadCreatedAt: Date | null;
  shortTerm: boolean; longTerm: boolean;
};

/** One batch of in-scope opportunities after `afterId` (keyset by id). */
export async function opportunityBatch(db: DbOrTrx, s: AttributionScope, afterId: string | null, limit: number): Promise<ScopedOpportunity[]> {
  const { rows } = await sql<Record<string, unknown>>`SELECT o.id, round(o.amount * 100)::bigint AS cents, o.status, o.created_at, o.closed_at,
      (SELECT min(l.opened_at) FROM opportunity_lead ol JOIN lead l ON l.workspace_id = ol.workspace_id AND l.id = ol.lead_id
        WHERE ol.workspace_id = o.workspace_id AND ol.opportunity_id = o.id) AS lead_created_at,
      (o.status = 'won' AND o.closed_at >= ${s.from} AND o.closed_at < ${s.to}) AS short_term,
      (o.status IN ('open','won') AND o.created_at >= ${s.from} AND o.created_at < ${s.to}) AS long_term
    FROM opportunity o WHERE o.workspace_id = ${s.workspaceId} AND ${inScope(s)}
      ${afterId ? sql`AND o.id > ${afterId}` : sql``}
    ORDER BY o.id LIMIT ${limit}`.execute(db);
  return rows.map((r) => ({
    id: r.id as string, amountCents: num(r.cents), status: r.status as ScopedOpportunity['status'], createdAt: r.created_at as Date,
    closedAt: (r.closed_at as Date | null) ?? null, leadCreatedAt: (r.lead_created_at as Date | null) ?? null,
    shortTerm: r.short_term as boolean, longTerm: r.long_term as boolean,
  }));
}

export type TouchRow = { opportunityId: string; id: string; at: Date; channel: string; source: string | null; campaign: string | null; contentId: string | null };

/**
 * The qualifying touches of a batch of opportunities, ordered by opportunity then time (so the
 * caller can cut journeys while streaming and the core never sorts). Window: from `lookbackDays`
 * before the deal was created up to its close (open deals: no upper bound).
 *
 * Read from contact_touch_summary (migrations 2026-12-05-50/51), which the caller brings up to date
 * first (refreshContactTouches): each deal contact's stored touches are unnested and cut to the window,
 * campaign touches take their campaign's channel and name at read time. One index probe per deal
 * contact instead of one heap read per activity. Equal to {@link touchesOfFromHistory}
 * (test/integration/contact-touch-summary.test.ts).
 */
export async function touchesOf(db: DbOrTrx, s: AttributionScope, opportunityIds: readonly string[]): Promise<TouchRow[]> {
  if (opportunityIds.length === 0) return [];
  const ids = sql`SELECT unnest(${opportunityIds}::uuid[]) AS id`;
  // The campaigns as arrays (one row): the planner cannot estimate the unnested touches, and a join
  // with the campaign table came out as a nested loop over every campaign per touch.
  const { rows } = await sql<Record<string, unknown>>`WITH oc AS (${oppContacts(s.workspaceId, ids)}),
    cmp AS (SELECT coalesce(array_agg(id), '{}') AS ids, array_agg(channel) AS channels, array_agg(name) AS names FROM campaign WHERE workspace_id = ${s.workspaceId})
    SELECT o.id AS opp, u.id, u.at AS occurred_at, u.source, u.content::text AS content_id,
      CASE WHEN u.campaign IS NULL THEN u.channel ELSE coalesce(cmp.channels[array_position(cmp.ids, u.campaign)], u.channel) END AS channel,
      CASE WHEN u.campaign IS NULL THEN u.utm_campaign ELSE coalesce(cmp.names[array_position(cmp.ids, u.campaign)], u.utm_campaign) END AS campaign
    FROM cmp, opportunity o JOIN oc ON oc.opportunity_id = o.id
    JOIN contact_touch_summary t ON t.workspace_id = o.workspace_id AND t.contact_id = oc.contact_id
    CROSS JOIN LATERAL unnest(t.touch_at, t.touch_id, t.touch_channel, t.touch_campaign, t.touch_source, t.touch_utm_campaign, t.touch_content)
      AS u(at, id, channel, campaign, source, utm_campaign, content)
    WHERE o.workspace_id = ${s.workspaceId} AND o.id = ANY (${opportunityIds}::uuid[])
      AND u.at >= o.created_at - make_interval(days => ${s.lookbackDays}) AND (o.status = 'open' OR u.at <= o.closed_at)
    ORDER BY o.id, u.at, u.id`.execute(db);
  return rows.map(touchRow);
}

/**
 * The definition touchesOf must equal: the same touches joined from the activity table on every call.
 * The reference for the equivalence test, and what a report on a standby reads while contacts are queued.
 */
export async function touchesOfFromHistory(db: DbOrTrx, s: AttributionScope, opportunityIds: readonly string[]): Promise<TouchRow[]> {
  if (opportunityIds.length === 0) return [];
  const ids = sql`SELECT unnest(${opportunityIds}::uuid[]) AS id`;
  const { rows } = await sql<Record<string, unknown>>`WITH oc AS (${oppContacts(s.workspaceId, ids)})
    SELECT o.id AS opp, a.id, a.occurred_at, ${channelSql} AS channel, nullif(a.source, '') AS source,
      coalesce(c.name, nullif(a.utm_campaign, '')) AS campaign, a.content_id::text AS content_id
    FROM opportunity o JOIN oc ON oc.opportunity_id = o.id
    JOIN activity a ON a.workspace_id = o.workspace_id AND a.contact_id = oc.contact_id
      AND a.occurred_at >= o.created_at - make_interval(days => ${s.lookbackDays})
      AND (o.status = 'open' OR a.occurred_at <= o.closed_at)
    LEFT JOIN campaign c ON c.workspace_id = a.workspace_id AND c.id = a.campaign_id
    WHERE o.workspace_id = ${s.workspaceId} AND o.id = ANY (${opportunityIds}::uuid[]) AND ${qualifies}
    ORDER BY o.id, a.occurred_at, a.id`.execute(db);
  return rows.map(touchRow);
}

const touchRow = (r: Record<string, unknown>): TouchRow => ({
  opportunityId: r.opp as string, id: r.id as string, at: r.occurred_at as Date, channel: r.channel as string,
  source: (r.source as string | null) ?? null, campaign: (r.campaign as string | null) ?? null, contentId: (r.content_id as string | null) ?? null,
});
