import { sql } from 'kysely';
import type { Db, Trx } from '../db.ts';
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
 * What the models read of deal `o` beside its touches; times as epoch milliseconds (what a JS Date holds),
 * which the driver reads far faster than timestamptz text.
 */
const dealFields = (s: AttributionScope) => sql`o.id, round(o.amount * 100)::bigint AS cents, o.status, ${ms('o.created_at')} AS created_ms,
    ${ms('o.closed_at')} AS closed_ms,
    (o.status = 'won' AND o.closed_at >= ${s.from} AND o.closed_at < ${s.to}) AS short_term,
    (o.status IN ('open','won') AND o.created_at >= ${s.from} AND o.created_at < ${s.to}) AS long_term`;

/** Deal `o`'s linked leads, read once: their earliest opening (`opened`) and their contacts (`contacts`, for {@link dealContacts}). */
const dealLeadLinks = sql`SELECT min(l.opened_at) AS opened, array_agg(l.contact_id) AS contacts
  FROM opportunity_lead ol JOIN lead l ON l.workspace_id = ol.workspace_id AND l.id = ol.lead_id
  WHERE ol.workspace_id = o.workspace_id AND ol.opportunity_id = o.id`;

/** The in-scope deals (one row per deal) with their dates and linked leads, for the history reading. */
const scopedDeals = (s: AttributionScope, after: string | null, upTo: string | null) => sql`SELECT ${dealFields(s)},
    o.created_at, o.closed_at, ${ms('lk.opened')} AS lead_created_ms, lk.contacts
  FROM opportunity o LEFT JOIN LATERAL (${dealLeadLinks}) lk ON true
  WHERE o.workspace_id = ${s.workspaceId} AND ${inScope(s)}
    ${idRange('o.id', after, upTo)}`;

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
 * The definition deal_touch_path must equal: deal `d`'s qualifying touches in its window (from `lookbackDays`
 * before the deal was created up to its close; open deals: no upper bound) joined from the activity table, one
 * row per touch, campaign touches taking their campaign's channel and name (the reading the maintained one is
 * tested against, and what a standby with queued rows reads).
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
 * maintained deal_touch_path one row per deal (`touches`: its touches up to the close, see the migration
 * 2026-12-08-40; `from_us`: the window's start, cut when decoded); from the history one row per touch
 * (none: one row with null touch columns), by deal id then time and touch id, each deal's contacts and
 * touches a LATERAL subquery (a few index probes per deal).
 */
const dealTouchesQuery = (s: AttributionScope, from: TouchSource, after: string | null, upTo: string | null) => (from === 'summary'
  ? sql<Record<string, unknown>>`SELECT ${dealFields(s)}, ${ms('p.lead_opened_at')} AS lead_created_ms,
      (extract(epoch FROM o.created_at - make_interval(days => ${s.lookbackDays})) * 1000000)::float8 AS from_us, p.touch_values, p.touches
    FROM opportunity o LEFT JOIN deal_touch_path p ON p.workspace_id = o.workspace_id AND p.opportunity_id = o.id ${idRange('p.opportunity_id', after, upTo)}
    WHERE o.workspace_id = ${s.workspaceId} AND ${inScope(s)} ${idRange('o.id', after, upTo)}
    ORDER BY o.id`
  : sql<Record<string, unknown>>`WITH d AS MATERIALIZED (${scopedDeals(s, after, upTo)})
    SELECT ${dealColumns}, ${ms('tt.at')} AS at_ms, tt.channel, tt.source, tt.campaign, tt.content_id
    FROM d LEFT JOIN LATERAL (${touchesFromHistory(s)}) tt ON true
    ORDER BY d.id, tt.at, tt.id`);

/**
 * `AND column > after AND column <= upTo` (each bound when given). On both sides of the deal_touch_path join: with
 * the deals' range alone the planner hashed the whole table for every chunk (1M-lead bench: 0.2 s a chunk, 70 ms
 * with the range on both).
 */
const idRange = (column: string, after: string | null, upTo: string | null) =>
  sql`${after === null ? sql`` : sql`AND ${sql.ref(column)} > ${after}`} ${upTo === null ? sql`` : sql`AND ${sql.ref(column)} <= ${upTo}`}`;

type Campaigns = Map<string, { channel: string | null; name: string | null }>;

async function campaignsOf(db: Db, workspaceId: string): Promise<Campaigns> {
  const { rows } = await sql<{ id: string; channel: string | null; name: string | null }>`SELECT id, channel, name FROM campaign
    WHERE workspace_id = ${workspaceId}`.execute(db);
  return new Map(rows.map((r) => [r.id, { channel: r.channel, name: r.name }]));
}

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
  const [bounds, campaigns] = await Promise.all([chunkBounds(db, s, chunkSize), from === 'summary' ? campaignsOf(db, s.workspaceId) : null]);
  const chunks = bounds.length + 1; // the last chunk is open-ended
  const query = (k: number) => {
    const chunk = dealTouchesQuery(s, from, k === 0 ? null : bounds[k - 1]!, bounds[k] ?? null);
    // A summary chunk is two primary-key range scans, one plain statement: under withReportMemory's cheap
    // parallel costs it ran as a Gather with a worker (psql, 1M-lead bench: 41 ms a chunk against 15-20 ms
    // serial), and with two chunks in flight beside Node the workers fought the two cores: each chunk took
    // 150-200 ms as the report streamed. With every model skipped the report took ~1.25 s that way, ~0.8 s this way.
    const rows = from === 'summary'
      ? chunk.execute(db).then((r) => r.rows)
      : withReportMemory(db, async (q) => (await chunk.execute(q)).rows);
    rows.catch(() => {}); // awaited in order below; if `visit` throws first, the caller sees that error
    return rows;
  };
  const inFlight = [query(0), ...(chunks > 1 ? [query(1)] : [])];
  let deals = 0;
  for (let k = 0; k < chunks; k++) {
    const rows = await inFlight.shift()!;
    if (k + 2 < chunks) inFlight.push(query(k + 2));
    deals += campaigns !== null ? visitCompact(rows, campaigns, visit) : visitPerTouch(rows, visit);
  }
  return deals;
}

/**
 * One row per deal (deal_touch_path, migration 2026-12-09-20): its touches as a flat JSON array body of numbers, six
 * per touch (epoch microseconds, then the stored channel, campaign id, source, UTM campaign and content id as
 * 1-based positions in the deal's `touch_values`, 0 for none). Touches before the window's start are skipped (they
 * come first: the array is in time order); a campaign touch takes its campaign's channel and name when the campaign
 * has them, as the history reading does.
 */
function visitCompact(rows: readonly Record<string, unknown>[], campaigns: Campaigns, visit: (opp: ScopedOpportunity, touches: TouchRow[]) => void): number {
  for (const r of rows) {
    const opp = dealOf(r);
    const touches: TouchRow[] = [];
    const encoded = r.touches as string | null;
    if (encoded !== null && encoded !== undefined) {
      // Position p of a touch value is values[p]: null first, then the deal's strings (parsed once per deal).
      const values = [null, ...(JSON.parse(r.touch_values as string) as string[])];
      const v = JSON.parse(`[${encoded}]`) as number[];
      const fromUs = r.from_us as number;
      let i = 0;
      while (i < v.length && v[i]! < fromUs) i += 6;
      for (; i < v.length; i += 6) {
        const campaignId = values[v[i + 2]!];
        const campaign = campaignId === null || campaignId === undefined ? undefined : campaigns.get(campaignId);
        touches.push({
          opportunityId: opp.id, id: '', at: new Date(Math.floor(v[i]! / 1000)), channel: campaign?.channel ?? values[v[i + 1]!]!,
          source: values[v[i + 3]!] ?? null, campaign: campaign?.name ?? values[v[i + 4]!] ?? null, contentId: values[v[i + 5]!] ?? null,
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

/**
 * Rebuilds the deal_touch_path rows (migrations 2026-12-08-40, 2026-12-09-20) of the deals queued in deal_touch_dirty,
 * by their deal row, lead links, contact roles and their contacts' summary rows as this transaction sees them (called
 * by refreshContactTouches after the contacts and leads). The deal's leads and contacts are what the history reading
 * joins ({@link dealLeadLinks}, {@link dealContacts}); the touches are cut at the close and encoded as visitCompact
 * reads them: the deal's distinct text values as a JSON array (to_json escapes them), each touch as its time and the
 * values' 1-based positions. Per deal a few index probes (bench, 1M leads: all 100k deals in 9.3 s).
 * Returns the rows written or deleted.
 */
export async function refreshDealTouchPaths(trx: Trx, workspaceId: string): Promise<number> {
  const { rows } = await sql<{ n: string }>`WITH q AS (DELETE FROM deal_touch_dirty WHERE workspace_id = ${workspaceId} RETURNING opportunity_id),
    k AS (SELECT DISTINCT opportunity_id AS id FROM q),
    d AS (SELECT o.id, o.status, o.closed_at, lk.opened, lk.contacts
      FROM k JOIN opportunity o ON o.workspace_id = ${workspaceId} AND o.id = k.id LEFT JOIN LATERAL (${dealLeadLinks}) lk ON true),
    b AS (SELECT d.id, d.opened, tt.touch_values, tt.touches FROM d LEFT JOIN LATERAL (
        WITH u AS (SELECT u.at, u.id, u.channel, u.campaign::text AS campaign, u.source, u.utm_campaign, u.content::text AS content
            FROM (${dealContacts(workspaceId)}) oc
            JOIN contact_touch_summary t ON t.workspace_id = ${workspaceId} AND t.contact_id = oc.contact_id
            CROSS JOIN LATERAL unnest(t.touch_at, t.touch_id, t.touch_channel, t.touch_campaign, t.touch_source, t.touch_utm_campaign, t.touch_content)
              AS u(at, id, channel, campaign, source, utm_campaign, content)
            WHERE d.status = 'open' OR u.at <= d.closed_at),
          dict AS (SELECT coalesce(array_agg(x.v ORDER BY x.v), '{}') AS vs FROM (SELECT DISTINCT x.v FROM u
            CROSS JOIN LATERAL (VALUES (u.channel), (u.campaign), (u.source), (u.utm_campaign), (u.content)) AS x(v) WHERE x.v IS NOT NULL) x)
        SELECT to_json(dict.vs)::text AS touch_values, string_agg((extract(epoch FROM u.at) * 1000000)::bigint
            || ',' || coalesce(array_position(dict.vs, u.channel), 0) || ',' || coalesce(array_position(dict.vs, u.campaign), 0)
            || ',' || coalesce(array_position(dict.vs, u.source), 0) || ',' || coalesce(array_position(dict.vs, u.utm_campaign), 0)
            || ',' || coalesce(array_position(dict.vs, u.content), 0), ',' ORDER BY u.at, u.id) AS touches
        FROM u CROSS JOIN dict GROUP BY dict.vs) tt ON true
      WHERE d.opened IS NOT NULL OR tt.touches IS NOT NULL),
    up AS (INSERT INTO deal_touch_path (workspace_id, opportunity_id, lead_opened_at, touch_values, touches)
      SELECT ${workspaceId}, id, opened, touch_values, touches FROM b ORDER BY id
      ON CONFLICT (workspace_id, opportunity_id) DO UPDATE SET lead_opened_at = excluded.lead_opened_at, touch_values = excluded.touch_values,
        touches = excluded.touches
      RETURNING 1),
    gone AS (DELETE FROM deal_touch_path p USING k WHERE p.workspace_id = ${workspaceId} AND p.opportunity_id = k.id
        AND NOT EXISTS (SELECT 1 FROM b WHERE b.id = k.id)
      RETURNING 1)
    SELECT (SELECT count(*) FROM up) + (SELECT count(*) FROM gone) AS n`.execute(trx);
  return Number(rows[0]?.n ?? 0);
}
