import { sql, type RawBuilder } from 'kysely';
import type { Db, Trx } from '../db.ts';
import { refreshDealTouchPaths } from './deal-touches.repo.ts';
import { fallbackChannelSql, qualifiesSql } from './touch-channel.ts';

/** Advisory-lock class of the contact touch refresh (the workspace is the second key). */
const refreshLockClass = 2026120550;

/**
 * Brings the workspace's contact_touch_summary up to date (migrations 2026-12-05-50 and -51): rebuilds, from
 * their whole activity history, the contacts that statements queued in contact_touch_dirty since the
 * last refresh, and deletes the summary of those left without a qualifying touch. One statement, so
 * the queue rows it takes and the activities it reads come from one snapshot; refreshes of a
 * workspace take turns (advisory lock), so an older snapshot never overwrites a newer rebuild.
 * The same statement queues the leads of those contacts for lead_touch_span and their deals for
 * deal_touch_path, whose queued rows the next statements of the transaction rebuild
 * (refreshLeadTouchSpans, refreshDealTouchPaths).
 * Returns how many contacts were rebuilt or dropped.
 */
export async function refreshContactTouches(db: Db, workspaceId: string, plan: RebuildPlan = 'auto'): Promise<number> {
  const rebuilt = await db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(${refreshLockClass}, hashtext(${workspaceId}::text)),
      set_config('work_mem', '256MB', true), set_config('jit', 'off', true)`.execute(trx);
    await planFor(trx, plan, sql`SELECT ${queuedIsBulk('activity', 150)} AS bulk FROM contact_touch_dirty WHERE workspace_id = ${workspaceId}`);
    const { rows } = await sql<{ n: string }>`WITH d AS (DELETE FROM contact_touch_dirty WHERE workspace_id = ${workspaceId} RETURNING contact_id),
      k AS (SELECT DISTINCT contact_id FROM d),
      h AS (SELECT a.contact_id,
          array_agg(a.occurred_at ORDER BY a.occurred_at, a.id) AS touch_at,
          array_agg(${fallbackChannelSql} ORDER BY a.occurred_at, a.id) AS touch_channel,
          CASE WHEN bool_or(a.campaign_id IS NOT NULL) THEN array_agg(a.campaign_id ORDER BY a.occurred_at, a.id) END AS touch_campaign,
          array_agg(a.id ORDER BY a.occurred_at, a.id) AS touch_id,
          CASE WHEN bool_or(nullif(a.source, '') IS NOT NULL) THEN array_agg(nullif(a.source, '') ORDER BY a.occurred_at, a.id) END AS touch_source,
          CASE WHEN bool_or(nullif(a.utm_campaign, '') IS NOT NULL) THEN array_agg(nullif(a.utm_campaign, '') ORDER BY a.occurred_at, a.id) END AS touch_utm_campaign,
          CASE WHEN bool_or(a.content_id IS NOT NULL) THEN array_agg(a.content_id ORDER BY a.occurred_at, a.id) END AS touch_content
        FROM k JOIN activity a ON a.workspace_id = ${workspaceId} AND a.contact_id = k.contact_id
        WHERE ${qualifiesSql} GROUP BY a.contact_id),
      up AS (INSERT INTO contact_touch_summary (workspace_id, contact_id, touch_at, touch_channel, touch_campaign, path,
          touch_id, touch_source, touch_utm_campaign, touch_content)
        SELECT ${workspaceId}, contact_id, touch_at, touch_channel, touch_campaign, array_to_string(touch_channel, E'\\x1f'),
          touch_id, touch_source, touch_utm_campaign, touch_content FROM h
        ORDER BY contact_id
        ON CONFLICT (workspace_id, contact_id) DO UPDATE SET touch_at = excluded.touch_at, touch_channel = excluded.touch_channel,
          touch_campaign = excluded.touch_campaign, path = excluded.path, touch_id = excluded.touch_id, touch_source = excluded.touch_source,
          touch_utm_campaign = excluded.touch_utm_campaign, touch_content = excluded.touch_content
        RETURNING 1),
      gone AS (DELETE FROM contact_touch_summary s USING k WHERE s.workspace_id = ${workspaceId} AND s.contact_id = k.contact_id
          AND NOT EXISTS (SELECT 1 FROM h WHERE h.contact_id = k.contact_id)
        RETURNING 1),
      leads AS (INSERT INTO lead_touch_dirty (workspace_id, lead_id)
        SELECT ${workspaceId}, l.id FROM k JOIN lead l ON l.workspace_id = ${workspaceId} AND l.contact_id = k.contact_id),
      deals AS (INSERT INTO deal_touch_dirty (workspace_id, opportunity_id)
        SELECT ${workspaceId}::uuid, r.opportunity_id FROM k JOIN opportunity_contact_role r ON r.workspace_id = ${workspaceId} AND r.contact_id = k.contact_id
        UNION
        SELECT ${workspaceId}::uuid, ol.opportunity_id FROM k JOIN lead l ON l.workspace_id = ${workspaceId} AND l.contact_id = k.contact_id
          JOIN opportunity_lead ol ON ol.workspace_id = ${workspaceId} AND ol.lead_id = l.id)
      SELECT (SELECT count(*) FROM up) + (SELECT count(*) FROM gone) AS n`.execute(trx);
    await planFor(trx, plan, sql`SELECT ${queuedIsBulk('lead', 10)} AS bulk FROM lead_touch_dirty WHERE workspace_id = ${workspaceId}`);
    const spans = await refreshLeadTouchSpans(trx, workspaceId);
    // Deals are rebuilt by per-deal probes whatever plan the leads took (a bulk queue of all 100k deals: 9.5 s).
    await sql`SELECT set_config('enable_nestloop', 'on', true)`.execute(trx);
    const deals = await refreshDealTouchPaths(trx, workspaceId);
    return { contacts: Number(rows[0]?.n ?? 0), spans, deals };
  });
  // A big rebuild (the first report after a bulk load) leaves the planner without statistics until
  // autovacuum comes by: without them the path query probed the summary once per lead (bench, 300k leads).
  if (rebuilt.contacts > analyzeAfter) await sql`ANALYZE contact_touch_summary`.execute(db);
  if (rebuilt.spans > analyzeAfter) await sql`ANALYZE lead_touch_span`.execute(db);
  if (rebuilt.deals > analyzeAfter) await sql`ANALYZE deal_touch_path`.execute(db);
  // Every refresh scans the queues whole (no index: they are small while drained). A big drain leaves them
  // pages of dead rows until autovacuum comes by: after the bench's bulk load, 1M dead rows made each report's
  // refresh scan 45 MB (the path count 0.38 -> 1.06 s with the queues bloated further by repeated rebuilds).
  if (Math.max(rebuilt.contacts, rebuilt.spans, rebuilt.deals) > analyzeAfter) await sql`VACUUM ${sql.raw(touchQueues.join(', '))}`.execute(db);
  return rebuilt.contacts;
}

/**
 * Rebuilds the lead_touch_span rows (migration 2026-12-08-30) of the leads queued in lead_touch_dirty: by
 * their lead row, their deal links and their contact's summary row as this transaction sees them (the
 * summary after the contact refresh before it). A lead that is won, has a deal without being lost or
 * disqualified, is gone, or whose contact has no summary row, has none. Returns the rows written or deleted.
 */
async function refreshLeadTouchSpans(trx: Trx, workspaceId: string): Promise<number> {
  const { rows } = await sql<{ n: string }>`WITH d AS (DELETE FROM lead_touch_dirty WHERE workspace_id = ${workspaceId} RETURNING lead_id),
    k AS (SELECT DISTINCT lead_id FROM d),
    c AS (SELECT l.id, l.contact_id, l.opened_at, l.closed_at, t.touch_at[1] AS first_at, t.touch_at[cardinality(t.touch_at)] AS last_at,
        contact_touch_path_key(t.path, t.touch_campaign) AS path_key
      FROM k JOIN lead l ON l.workspace_id = ${workspaceId} AND l.id = k.lead_id
      JOIN contact_touch_summary t ON t.workspace_id = ${workspaceId} AND t.contact_id = l.contact_id
      WHERE l.stage IN ('lost','disqualified')
        OR (l.stage <> 'won' AND NOT EXISTS (SELECT 1 FROM opportunity_lead ol WHERE ol.workspace_id = ${workspaceId} AND ol.lead_id = l.id))),
    up AS (INSERT INTO lead_touch_span (workspace_id, lead_id, contact_id, opened_at, closed_at, first_at, last_at, path_key)
      SELECT ${workspaceId}, id, contact_id, opened_at, closed_at, first_at, last_at, path_key FROM c ORDER BY id
      ON CONFLICT (workspace_id, lead_id) DO UPDATE SET contact_id = excluded.contact_id, opened_at = excluded.opened_at,
        closed_at = excluded.closed_at, first_at = excluded.first_at, last_at = excluded.last_at, path_key = excluded.path_key
      RETURNING 1),
    gone AS (DELETE FROM lead_touch_span s USING k WHERE s.workspace_id = ${workspaceId} AND s.lead_id = k.lead_id
        AND NOT EXISTS (SELECT 1 FROM c WHERE c.id = k.lead_id)
      RETURNING 1)
    SELECT (SELECT count(*) FROM up) + (SELECT count(*) FROM gone) AS n`.execute(trx);
  return Number(rows[0]?.n ?? 0);
}

const analyzeAfter = 10_000;

/** The refresh's work queues (contacts, leads, deals): every place that asks whether work is queued, or vacuums them, reads this list. */
const touchQueues = ['contact_touch_dirty', 'lead_touch_dirty', 'deal_touch_dirty'] as const;

/**
 * How the next rebuild statement joins its queue: `incremental` probes the history per queued contact (lead),
 * `bulk` hashes whole tables, `auto` picks by the queue's size against the table's row estimate. The planner
 * cannot tell: it estimates the queue (a DELETE … RETURNING) at a few hundred rows and always probes. Measured
 * on the 1M-lead bench database (10M activities): 61k of 600k contacts queued, 10.3 s probing / 11.1 s hashing;
 * 150k, 23.4 / 17.5 s; all 600k (with their leads), 121 / 50 s; 1M leads alone, 33 / 13 s: hashing wins from
 * about one queued contact per 150 activities, and one queued lead in 10.
 */
export type RebuildPlan = 'auto' | 'bulk' | 'incremental';

/**
 * Whether a queue of count(*) rows is one per `per` rows of `table` or more (its planner estimate), and at least
 * 10,000 rows: an estimate of a table never analyzed (-1), or analyzed while nearly empty, never turns small
 * queues into whole-table scans.
 */
const queuedIsBulk = (table: 'activity' | 'lead', per: number) => sql`count(*) >= 10000
  AND count(*) * ${per} > (SELECT reltuples FROM pg_class WHERE oid = ${table}::regclass)`;

async function planFor(trx: Trx, plan: RebuildPlan, isBulk: RawBuilder<{ bulk: boolean }>): Promise<void> {
  const bulk = plan === 'auto' ? (await isBulk.execute(trx)).rows[0]!.bulk : plan === 'bulk';
  await sql`SELECT set_config('enable_nestloop', ${bulk ? 'off' : 'on'}, true)`.execute(trx);
}

/**
 * Makes the summary usable for a report and says whether it is. On the primary: refreshes it (true). On a read-only
 * standby (REPORTS_DATABASE_URL) nothing can be written: the summary is usable only while the workspace has no queued
 * contact (it then equals the history in the standby's snapshot); otherwise the report reads the activity history.
 */
export async function prepareContactTouches(db: Db, workspaceId: string): Promise<boolean> {
  const queued = sql.join(touchQueues.map((queue) => sql`EXISTS (SELECT 1 FROM ${sql.table(queue)} WHERE workspace_id = ${workspaceId})`), sql` OR `);
  const { rows } = await sql<{ standby: boolean; queued: boolean }>`SELECT pg_is_in_recovery() AS standby, (${queued}) AS queued`.execute(db);
  if (!rows[0]!.standby) {
    await refreshContactTouches(db, workspaceId);
    return true;
  }
  return !rows[0]!.queued;
}

/** Workspaces with contacts, leads or deals queued for a touch-summary rebuild (the queues stay small while they are drained regularly). */
export async function workspacesWithQueuedTouches(db: Db): Promise<string[]> {
  const { rows } = await sql<{ workspace_id: string }>`${sql.join(touchQueues.map((queue) => sql`SELECT workspace_id FROM ${sql.table(queue)}`), sql` UNION `)}`.execute(db);
  return rows.map((r) => r.workspace_id);
}
