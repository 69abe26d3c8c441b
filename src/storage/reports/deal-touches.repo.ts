import { sql } from 'kysely';
import type { Db } from '../db.ts';
import { num, withReportMemory } from './report-sql.ts';
import { channelSql, qualifiesSql as qualifies } from './touch-channel.ts';

export type AttributionScope = { workspaceId: string; from: Date; to: Date; lookbackDays: number };

export type ScopedOpportunity = {
  id: string; amountCents: number; status: 'open' | 'won' | 'lost'; createdAt: Date; closedAt: Date | null; leadCreatedAt: Date | null;
  shortTerm: boolean; longTerm: boolean;
};

/** A deal's touch; `id` is '' (touch ids only order ties in the query: no model or roll-up reads them). */
export type TouchRow = { opportunityId: string; id: string; at: Date; channel: string; source: string | null; campaign: string | null; contentId: string | null };

/** Where a deal's touches are read: the maintained contact touch summary, or the activity history (the reference). */
export type TouchSource = 'summary' | 'history';

/**
 * Opportunities in scope: revenue closed (won, closed_at in the period: short-term) or pipeline
 * created (open or won, created_at in the period: long-term).
 */
const inScope = (s: AttributionScope) => sql`((o.status = 'won' AND o.closed_at >= ${s.from} AND o.closed_at < ${s.to})
  OR (o.status IN ('open','won') AND o.created_at >= ${s.from} AND o.created_at < ${s.to}))`;

/**
 * The in-scope deals with what the models read of them (one row per deal); times as epoch
 * milliseconds (what a JS Date holds), which the driver reads far faster than timestamptz text.
 * The deal's linked leads are read once: their earliest opening and their contacts (`contacts`, for
 * {@link dealContacts}).
 */
const scopedDeals = (s: AttributionScope, after: string | null, upTo: string | null) => sql`SELECT o.id, round(o.amount * 100)::bigint AS cents, o.status, ${ms('o.created_at')} AS created_ms,
    ${ms('o.closed_at')} AS closed_ms, o.created_at, o.closed_at, ${ms('lk.opened')} AS lead_created_ms, lk.contacts,
    (o.status = 'won' AND o.closed_at >= ${s.from} AND o.closed_at < ${s.to}) AS short_term,
    (o.status IN ('open','won') AND o.created_at >= ${s.from} AND o.created_at < ${s.to}) AS long_term
  FROM opportunity o LEFT JOIN LATERAL (SELECT min(l.opened_at) AS opened, array_agg(l.contact_id) AS contacts
      FROM opportunity_lead ol JOIN lead l ON l.workspace_id = ol.workspace_id AND l.id = ol.lead_id
      WHERE ol.workspace_id = o.workspace_id AND ol.opportunity_id = o.id) lk ON true
  WHERE o.workspace_id = ${s.workspaceId} AND ${inScope(s)}
    ${after === null ? sql`` : sql`AND o.id > ${after}`} ${upTo === null ? sql`` : sql`AND o.id <= ${upTo}`}`;

/** Chunk bounds: the id of every `size`-th in-scope deal in id order (chunk k = ids in (bound k-1, bound k]). */
async function chunkBounds(db: Db, s: AttributionScope, size: number): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`SELECT id FROM (SELECT o.id, row_number() OVER (ORDER BY o.id) AS n
      FROM opportunity o WHERE o.workspace_id = ${s.workspaceId} AND ${inScope(s)}) x
    WHERE n % ${size} = 0 ORDER BY id`.execute(db);
  return rows.map((r) => r.id);
}

/** Epoch milliseconds, floored as the driver's timestamptz → Date parse truncates the microseconds. */
const ms = (column: string) => sql.raw(`floor(extract(epoch FROM ${column}) * 1000)::float8`);

/** Contacts of deal `d`: its contact roles, plus the contacts of its linked leads (each once). */
const dealContacts = (workspaceId: string) => sql`SELECT r.contact_id FROM opportunity_contact_role r WHERE r.workspace_id = ${workspaceId} AND r.opportunity_id = d.id
  UNION
  SELECT unnest(d.contacts)`;

/**
 * Deal `d`'s qualifying touches in its window (from `lookbackDays` before the deal was created up to its
 * close; open deals: no upper bound), read from contact_touch_summary: each deal contact's stored
 * touches unnested and cut to the window, campaign touches taking their campaign's channel and name at
 * read time. The campaigns come as arrays (one row `cmp`): joined as a table, the planner, unable to
 * estimate the unnested touches, looped over every campaign per touch.
 *
 * One row per deal: its touches in window order (time, then touch id) as the body of one flat JSON array,
 * five values per touch: epoch milliseconds, channel, source, campaign, content id (JSON null for none).
 * One row per touch cost the driver most of the report's Node time (at 1M leads, 384k rows of 14 columns
 * parsed field by field); one string per deal is parsed by JSON.parse. The touch ids only order ties
 * here: no model reads them.
 */
const touchesFromSummary = (s: AttributionScope) => sql`SELECT string_agg(floor(extract(epoch FROM u.at) * 1000)::bigint
      || ',' || coalesce(to_json(CASE WHEN u.campaign IS NULL THEN u.channel ELSE coalesce(cmp.channels[array_position(cmp.ids, u.campaign)], u.channel) END)::text, 'null')
      || ',' || coalesce(to_json(u.source)::text, 'null')
      || ',' || coalesce(to_json(CASE WHEN u.campaign IS NULL THEN u.utm_campaign ELSE coalesce(cmp.names[array_position(cmp.ids, u.campaign)], u.utm_campaign) END)::text, 'null')
      || ',' || coalesce('"' || u.content::text || '"', 'null'), ',' ORDER BY u.at, u.id) AS touches
  FROM (${dealContacts(s.workspaceId)}) oc
  JOIN contact_touch_summary t ON t.workspace_id = ${s.workspaceId} AND t.contact_id = oc.contact_id
  CROSS JOIN LATERAL unnest(t.touch_at, t.touch_id, t.touch_channel, t.touch_campaign, t.touch_source, t.touch_utm_campaign, t.touch_content)
    AS u(at, id, channel, campaign, source, utm_campaign, content)
  WHERE u.at >= d.created_at - make_interval(days => ${s.lookbackDays}) AND (d.status = 'open' OR u.at <= d.closed_at)`;

/**
 * The definition touchesFromSummary must equal: the same touches joined from the activity table, one
 * row per touch (the plain reading the compact one is tested against).
 */
const touchesFromHistory = (s: AttributionScope) => sql`SELECT a.id, a.occurred_at AS at, nullif(a.source, '') AS source,
    a.content_id::text AS content_id, ${channelSql} AS channel, coalesce(c.name, nullif(a.utm_campaign, '')) AS campaign
  FROM (${dealContacts(s.workspaceId)}) oc
  JOIN activity a ON a.workspace_id = ${s.workspaceId} AND a.contact_id = oc.contact_id
    AND a.occurred_at >= d.created_at - make_interval(days => ${s.lookbackDays}) AND (d.status = 'open' OR a.occurred_at <= d.closed_at)
  LEFT JOIN campaign c ON c.workspace_id = a.workspace_id AND c.id = a.campaign_id
  WHERE ${qualifies}`;

const dealColumns = sql`d.id, d.cents, d.status, d.created_ms, d.closed_ms, d.short_term, d.long_term, d.lead_created_ms`;

/**
 * A chunk of in-scope deals (ids in (after, upTo]) in deal id order with their touches: from the
 * summary one row per deal (`touches`: see touchesFromSummary, null when none); from the history
 * one row per touch (none: one row with null touch columns), by deal id then time and touch id.
 * Each deal's contacts and touches are a LATERAL subquery: a few index probes per deal. As one join
 * the planner (which cannot estimate unnested touches) hashed the whole summary and scanned every lead.
 */
const dealTouchesQuery = (s: AttributionScope, from: TouchSource, after: string | null, upTo: string | null) => (from === 'summary'
  ? sql<Record<string, unknown>>`WITH d AS MATERIALIZED (${scopedDeals(s, after, upTo)}),
      cmp AS (SELECT coalesce(array_agg(id), '{}') AS ids, array_agg(channel) AS channels, array_agg(name) AS names FROM campaign WHERE workspace_id = ${s.workspaceId})
    SELECT ${dealColumns}, tt.touches FROM cmp, d LEFT JOIN LATERAL (${touchesFromSummary(s)}) tt ON true
    ORDER BY d.id`
  : sql<Record<string, unknown>>`WITH d AS MATERIALIZED (${scopedDeals(s, after, upTo)})
    SELECT ${dealColumns}, ${ms('tt.at')} AS at_ms, tt.channel, tt.source, tt.campaign, tt.content_id
    FROM d LEFT JOIN LATERAL (${touchesFromHistory(s)}) tt ON true
    ORDER BY d.id, tt.at, tt.id`);

/**
 * Streams every in-scope deal with its touches in window order, deal after deal in uuid order of the
 * deal id, to `visit` (called once per deal; the touch array is the caller's to keep).
 *
 * Chunks of about `chunkSize` deals (bounds from one index scan), two chunks' queries running on their own
 * connections while `visit` works on the chunk before: the database's share runs on two cores beside Node's.
 * It replaces batches of 2,000 deal ids, each of which hashed the whole opportunity_contact_role table and
 * scanned opportunity again: at 1M leads 28 batches of 0.2-0.8 s (EXPLAIN ANALYZE, bench reports); a chunk
 * here reads its deals by the primary key and probes their contacts and touches. (One query through a cursor
 * was tried: its final sort held every row back until the whole query had run, and a cursor runs in one process.)
 * `from`: 'summary' when refreshContactTouches brought the summary up to date (equal to 'history':
 * test/integration/contact-touch-summary.test.ts), 'history' on a standby with queued contacts.
 */
export async function streamDealTouches(
  db: Db, s: AttributionScope, from: TouchSource, visit: (opp: ScopedOpportunity, touches: TouchRow[]) => void, chunkSize = 5000,
): Promise<number> {
  const bounds = await chunkBounds(db, s, chunkSize);
  const chunks = bounds.length + 1; // the last chunk is open-ended
  const query = (k: number) => {
    const rows = withReportMemory(db, async (q) => (await dealTouchesQuery(s, from, k === 0 ? null : bounds[k - 1]!, bounds[k] ?? null).execute(q)).rows);
    rows.catch(() => {}); // awaited in order below; if `visit` throws first, the caller sees that error
    return rows;
  };
  const inFlight = [query(0), ...(chunks > 1 ? [query(1)] : [])];
  let deals = 0;
  for (let k = 0; k < chunks; k++) {
    const rows = await inFlight.shift()!;
    if (k + 2 < chunks) inFlight.push(query(k + 2));
    deals += from === 'summary' ? visitCompact(rows, visit) : visitPerTouch(rows, visit);
  }
  return deals;
}

/** One row per deal, its touches as a flat JSON array body (touchesFromSummary). */
function visitCompact(rows: readonly Record<string, unknown>[], visit: (opp: ScopedOpportunity, touches: TouchRow[]) => void): number {
  for (const r of rows) {
    const opp = dealOf(r);
    const touches: TouchRow[] = [];
    const encoded = r.touches as string | null;
    if (encoded !== null && encoded !== undefined) {
      const v = JSON.parse(`[${encoded}]`) as (number | string | null)[];
      for (let i = 0; i < v.length; i += 5) {
        touches.push({
          opportunityId: opp.id, id: '', at: new Date(v[i] as number), channel: v[i + 1] as string,
          source: v[i + 2] as string | null, campaign: v[i + 3] as string | null, contentId: v[i + 4] as string | null,
        });
      }
    }
    visit(opp, touches);
  }
  return rows.length;
}

/** One row per touch, a deal's rows together (touchesFromHistory). */
function visitPerTouch(rows: readonly Record<string, unknown>[], visit: (opp: ScopedOpportunity, touches: TouchRow[]) => void): number {
  let deals = 0;
  let opp: ScopedOpportunity | null = null;
  let touches: TouchRow[] = [];
  for (const r of rows) {
    if (opp === null || opp.id !== r.id) {
      if (opp !== null) visit(opp, touches);
      opp = dealOf(r);
      touches = [];
      deals++;
    }
    if (r.at_ms !== null) touches.push(touchOf(r));
  }
  if (opp !== null) visit(opp, touches);
  return deals;
}

const dateOrNull = (v: unknown): Date | null => (v === null || v === undefined ? null : new Date(v as number));

const dealOf = (r: Record<string, unknown>): ScopedOpportunity => ({
  id: r.id as string, amountCents: num(r.cents), status: r.status as ScopedOpportunity['status'], createdAt: new Date(r.created_ms as number),
  closedAt: dateOrNull(r.closed_ms), leadCreatedAt: dateOrNull(r.lead_created_ms),
  shortTerm: r.short_term as boolean, longTerm: r.long_term as boolean,
});

const touchOf = (r: Record<string, unknown>): TouchRow => ({
  opportunityId: r.id as string, id: '', at: new Date(r.at_ms as number), channel: r.channel as string,
  source: (r.source as string | null) ?? null, campaign: (r.campaign as string | null) ?? null, contentId: (r.content_id as string | null) ?? null,
});
