import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Binding, Conflict, IdentitySnapshot, KnownContact, Merge, Rebinding } from '../core/identity-resolution.rules.ts';
import { identityKey } from '../core/identity-resolution.rules.ts';
import { movedOnMerge } from '../core/privacy/personal-data.registry.ts';
import type { Db, DbOrTrx, Trx } from './db.ts';
import { newId } from './ids.ts';
import './schema-capture.ts';

/**
 * Set-wise writes for the ingestion pipeline: one statement per kind of write per batch (arrays
 * passed through unnest), because a batch of 500 events must not cost 500 round trips.
 * Lookups and updates reach their rows by key (a LATERAL probe per key, or `id = ANY(...)` beside a
 * join), never by a join the planner may turn into a scan of the whole workspace: while a workspace
 * grows faster than autovacuum re-analyzes (a bulk ingest), the statistics say it has a few rows
 * and such joins became hash joins over every contact/activity of the workspace (quadratic).
 */

/** A 64-bit advisory lock key per (workspace, identity): serializes work on one visitor across requests. */
function lockKey(workspaceId: string, key: string): string {
  return createHash('sha1').update(workspaceId).update('\0').update(key).digest().readBigInt64BE(0).toString();
}

/**
 * Takes transaction-scoped advisory locks on every identity of the batch (sorted, so two batches
 * sharing visitors cannot deadlock), then answers which message ids are already stored (activity
 * idempotency keys, or processed identify/group/alias). Two requests for the same new anonymous id
 * thus run one after the other, and the second finds the contact (and the messages) the first stored.
 * Two statements, not one: a statement sees the snapshot taken when it started, so a lookup in the
 * statement that waited for the locks missed what the lock holder committed meanwhile (a retried
 * identify racing its original was processed twice; activities were only saved by ON CONFLICT).
 */
export async function lockIdentitiesAndFindSeen(trx: Trx, workspaceId: string, identityKeys: Iterable<string>, activityKeys: string[], messageIds: string[]): Promise<Set<string>> {
  await lockIdentities(trx, workspaceId, identityKeys);
  if (activityKeys.length === 0 && messageIds.length === 0) return new Set();
  const rows = await sql<{ k: string }>`
    SELECT q.k FROM unnest(${activityKeys}::text[]) AS q(k)
      CROSS JOIN LATERAL (SELECT 1 FROM activity a WHERE a.workspace_id = ${workspaceId} AND a.idempotency_key = q.k LIMIT 1) a
    UNION ALL
    SELECT message_id AS k FROM processed_message WHERE workspace_id = ${workspaceId} AND message_id = ANY(${messageIds}::text[])`.execute(trx);
  return new Set(rows.rows.map((r) => r.k));
}

/** Advisory locks only (group/account creation). */
export async function lockIdentities(trx: Trx, workspaceId: string, keys: Iterable<string>): Promise<void> {
  const ids = [...new Set([...keys].map((k) => lockKey(workspaceId, k)))].sort();
  if (ids.length === 0) return;
  await sql`SELECT count(pg_advisory_xact_lock(k)) FROM (SELECT unnest(${ids}::bigint[]) AS k ORDER BY 1) s`.execute(trx);
}

export type SnapshotContact = KnownContact & { accountId: string | null };

/** What the database knows about the batch's identities (emails come from contact.email, the authority). */
export async function loadIdentitySnapshot(trx: Trx, workspaceId: string, ids: { kinds: string[]; values: string[]; emails: string[] }):
  Promise<IdentitySnapshot & { contacts: Map<string, SnapshotContact> }> {
  const bindings = new Map<string, string>();
  if (ids.kinds.length === 0 && ids.emails.length === 0) return { bindings, contacts: new Map() };
  // One round trip: the bound identities (rows with kind), then their contacts and the contacts
  // holding the batch's emails (rows without).
  const all = (await sql<{ kind: string | null; value: string | null; contact_id: string; email: string | null; account_id: string | null }>`
    WITH i AS MATERIALIZED (
      SELECT i.kind, i.value, i.contact_id FROM unnest(${ids.kinds}::text[], ${ids.values}::text[]) AS q(kind, value)
      CROSS JOIN LATERAL (SELECT i.kind, i.value, i.contact_id FROM contact_identity i
        WHERE i.workspace_id = ${workspaceId} AND i.kind = q.kind AND i.value = q.value LIMIT 1) i)
    SELECT kind, value, contact_id, NULL::text AS email, NULL::uuid AS account_id FROM i
    UNION ALL
    SELECT NULL, NULL, c.id, c.email, c.account_id FROM (SELECT DISTINCT contact_id FROM i) x
      CROSS JOIN LATERAL (SELECT c.id, c.email, c.account_id FROM contact c WHERE c.workspace_id = ${workspaceId} AND c.id = x.contact_id LIMIT 1) c
    UNION ALL
    SELECT NULL, NULL, c.id, c.email, c.account_id FROM unnest(${ids.emails}::text[]) AS e(email)
      CROSS JOIN LATERAL (SELECT c.id, c.email, c.account_id FROM contact c
        WHERE c.workspace_id = ${workspaceId} AND c.email = e.email AND c.status <> 'merged' LIMIT 1) c`.execute(trx)).rows;
  for (const r of all) if (r.kind !== null) bindings.set(`${r.kind}:${r.value}`, r.contact_id);
  const rows = all.filter((r) => r.kind === null).map((r) => ({ id: r.contact_id, email: r.email, account_id: r.account_id }));
  const contacts = new Map<string, SnapshotContact>();
  for (const r of rows) {
    contacts.set(r.id, { id: r.id, email: r.email, accountId: r.account_id });
    if (r.email) bindings.set(identityKey('email', r.email), r.id);
  }
  return { bindings, contacts };
}

/**
 * Folds a contact without an email (the loser) into another (the winner), in two statements
 * whatever the histories' sizes. What moves to the winner, and what stays as history:
 * - activities, identities, consent history, content ratings, nurture sends, high-intent signals and
 *   score events move (the winner's timeline and score history are complete): the registry of personal
 *   data (src/core/privacy/personal-data.registry.ts, `merge: 'move'`) lists them, so a table added
 *   there moves without being named here;
 * - leads move, an open one only when the winner has none (one open buying cycle per contact);
 * - opportunity contact roles move; where both are on the same deal the winner's row stays and
 *   is primary if either was;
 * - nurture enrollments move; a live one of the loser is exited ('merged') when the winner has a
 *   live one (one voice per person) or when its lead stayed with the loser;
 * - the loser's score rows are deleted: a merged contact is never scored again, and the winner's
 *   score is rebuilt from the merged history by the caller (scoring, before new activities count);
 * - identity conflicts stay as recorded: only contacts holding an email are party to one, and a
 *   loser never holds an email; contact_merge rows of earlier merges stay as the chain's log;
 * - the winner keeps the earliest first touch and the latest latest touch, fills profile fields it
 *   lacks from the loser (its own values win, attributes included), and inherits the stricter
 *   consent: an unsubscribe (the earliest), a purpose refused or withdrawn (`status`, core
 *   `consent.rules.ts`) and any consent key it lacks (e.g. `email_bounced_at`) carry over; a grant
 *   never overrides a refusal (stricter than `recordConsent`'s newest-wins: two histories of one
 *   person are joined, and nobody chose after seeing both).
 * The loser stays as a 'merged' tombstone pointing to the winner; every merge is logged with its
 * cause. Answers the loser's enrollments this exited (their pending ticks are the caller's to drop).
 */
/** The tables applyMerge moves by hand (the registry marks them `custom`; privacy-registry.test.ts checks the two agree). */
export const mergeCustomTables = ['contact', 'lead', 'opportunity_contact_role', 'nurture_enrollment', 'contact_score'] as const;

export async function applyMerge(trx: Trx, workspaceId: string, m: Merge, at: Date): Promise<{ exitedEnrollmentIds: string[] }> {
  const { winnerId: w, loserId: l } = m;
  const ws = workspaceId;
  const live = sql`('active','paused')`;
  // Data-modifying CTEs all run (referenced or not) against one snapshot: each touches another table.
  // The registry's plain moves (one CTE each), then the hand-written ones it marks `custom`.
  const moves = movedOnMerge().map(({ table, column }, i) =>
    sql`${sql.raw(`mv${i}`)} AS (UPDATE ${sql.table(table)} SET ${sql.ref(column)} = ${w} WHERE workspace_id = ${ws} AND ${sql.ref(column)} = ${l} RETURNING 1)`);
  const exited = await sql<{ id: string }>`WITH
    ${sql.join(moves)},
    ld AS (UPDATE lead SET contact_id = ${w} WHERE workspace_id = ${ws} AND contact_id = ${l}
      AND (stage IN ('won','lost','disqualified') OR NOT EXISTS (
        SELECT 1 FROM lead o WHERE o.workspace_id = ${ws} AND o.contact_id = ${w} AND o.stage NOT IN ('won','lost','disqualified')))
      RETURNING id),
    role_out AS (DELETE FROM opportunity_contact_role WHERE workspace_id = ${ws} AND contact_id = ${l} RETURNING opportunity_id, role, is_primary),
    role_in AS (INSERT INTO opportunity_contact_role (workspace_id, opportunity_id, contact_id, role, is_primary)
      SELECT ${ws}, opportunity_id, ${w}, role, is_primary FROM role_out
      ON CONFLICT (workspace_id, opportunity_id, contact_id) DO UPDATE SET is_primary = opportunity_contact_role.is_primary OR excluded.is_primary
      RETURNING 1),
    ex AS (SELECT e.id FROM nurture_enrollment e WHERE e.workspace_id = ${ws} AND e.contact_id = ${l} AND e.status IN ${live}
      AND (EXISTS (SELECT 1 FROM nurture_enrollment o WHERE o.workspace_id = ${ws} AND o.contact_id = ${w} AND o.status IN ${live})
        OR e.lead_id NOT IN (SELECT id FROM ld))),
    enr AS (UPDATE nurture_enrollment e SET contact_id = ${w},
        status = CASE WHEN e.id IN (SELECT id FROM ex) THEN 'exited' ELSE e.status END,
        exit_reason = CASE WHEN e.id IN (SELECT id FROM ex) THEN 'merged' ELSE e.exit_reason END,
        exited_at = CASE WHEN e.id IN (SELECT id FROM ex) THEN ${at}::timestamptz ELSE e.exited_at END,
        next_run_at = CASE WHEN e.id IN (SELECT id FROM ex) THEN NULL ELSE e.next_run_at END
      WHERE e.workspace_id = ${ws} AND e.contact_id = ${l} RETURNING 1),
    cs AS (DELETE FROM contact_score WHERE workspace_id = ${ws} AND contact_id = ${l} RETURNING 1)
    SELECT id FROM ex`.execute(trx);
  // The tombstone's RETURNING still holds the loser's columns the winner reads (only status changes).
  const later = (col: string) => sql`CASE WHEN lo.latest_touch_at IS NOT NULL AND (c.latest_touch_at IS NULL OR lo.latest_touch_at > c.latest_touch_at)
    THEN lo.${sql.ref(col)} ELSE c.${sql.ref(col)} END`;
  const earlier = (col: string) => sql`CASE WHEN lo.first_touch_at IS NOT NULL AND (c.first_touch_at IS NULL OR lo.first_touch_at < c.first_touch_at)
    THEN lo.${sql.ref(col)} ELSE c.${sql.ref(col)} END`;
  const fill = (col: string) => sql`${sql.ref(col)} = COALESCE(c.${sql.ref(col)}, lo.${sql.ref(col)})`;
  await sql`WITH
    lo AS (UPDATE contact SET status = 'merged', merged_into_id = ${w}, updated_at = now() WHERE workspace_id = ${ws} AND id = ${l} RETURNING *),
    log AS (INSERT INTO contact_merge (workspace_id, id, winner_id, loser_id, cause, details, at)
      VALUES (${ws}, ${newId(at.getTime())}, ${w}, ${l}, ${m.cause}, ${JSON.stringify({ message_id: m.messageId, via: m.via })}::jsonb, ${at}) RETURNING 1)
    UPDATE contact c SET
      first_touch_at = ${earlier('first_touch_at')}, first_source = ${earlier('first_source')},
      first_medium = ${earlier('first_medium')}, first_campaign = ${earlier('first_campaign')},
      latest_touch_at = ${later('latest_touch_at')}, latest_source = ${later('latest_source')},
      latest_medium = ${later('latest_medium')}, latest_campaign = ${later('latest_campaign')},
      ${sql.join(['first_name', 'last_name', 'title', 'seniority', 'department', 'phone', 'country', 'account_id', 'owner_id'].map(fill))},
      attributes = lo.attributes || c.attributes,
      unsubscribed_at = LEAST(c.unsubscribed_at, lo.unsubscribed_at),
      consent = (SELECT COALESCE(jsonb_object_agg(k, CASE
          WHEN lv IS NULL THEN wv
          WHEN wv IS NULL THEN lv
          WHEN wv = 'false'::jsonb OR lv = 'false'::jsonb THEN 'false'::jsonb
          WHEN jsonb_typeof(wv) = 'object' AND wv->>'status' IN ('refused', 'withdrawn') THEN wv
          WHEN jsonb_typeof(lv) = 'object' AND lv->>'status' IN ('refused', 'withdrawn') THEN lv
          WHEN jsonb_typeof(wv) = 'object' AND wv->'granted' = 'false'::jsonb THEN wv
          WHEN jsonb_typeof(lv) = 'object' AND lv->'granted' = 'false'::jsonb THEN lv
          ELSE wv END), '{}'::jsonb)
        FROM (SELECT k, c.consent->k AS wv, lo.consent->k AS lv FROM jsonb_object_keys(c.consent || lo.consent) AS k) x),
      updated_at = now()
    FROM lo WHERE c.workspace_id = ${ws} AND c.id = ${w} AND (SELECT count(*) FROM log) >= 0`.execute(trx);
  return { exitedEnrollmentIds: exited.rows.map((r) => r.id) };
}

export async function insertConflicts(trx: Trx, workspaceId: string, conflicts: Conflict[], at: Date): Promise<void> {
  if (conflicts.length === 0) return;
  await trx.insertInto('identity_conflict').values(conflicts.map((c) => ({
    workspace_id: workspaceId, id: newId(at.getTime()), contact_id: c.contactId, other_contact_id: c.otherContactId,
    kind: c.kind, value: c.value, reason: c.reason, message_id: c.messageId, at,
  }))).execute();
}

export type ActivityInsert = {
  id: string; contactId: string; type: string; occurredAt: Date; source: string | null; medium: string | null;
  campaignId: string | null; utmCampaign: string | null; contentId: string | null; url: string | null; referrer: string | null;
  eventName: string | null; properties: string; idempotencyKey: string | null;
};

/**
 * One multi-row insert; rows whose idempotency key exists are skipped. Returns the ids stored.
 * Column arrays, not one JSON document: json_to_recordset turned 500 rows into records ~20× slower in PostgreSQL
 * than unnest of arrays (~6 ms against ~0.3 ms, measured 2026-12-03), which outweighed the client's saving on
 * pg's array escaping (PostgreSQL CPU per event rose from ~120 to ~440 µs in `npm run bench -- ingest`).
 */
export async function insertActivitiesBulk(trx: Trx, workspaceId: string, rows: ActivityInsert[], receivedAt: Date): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const col = <K extends keyof ActivityInsert>(k: K) => rows.map((r) => r[k]);
  const result = await sql<{ id: string }>`INSERT INTO activity (workspace_id, id, contact_id, type, occurred_at, received_at, source, medium,
      campaign_id, utm_campaign, content_id, url, referrer, event_name, properties, idempotency_key)
    SELECT ${workspaceId}, id, contact_id, type, occurred_at, ${receivedAt}, source, medium, campaign_id, utm_campaign, content_id, url,
      referrer, event_name, properties, idempotency_key
    FROM unnest(${col('id')}::uuid[], ${col('contactId')}::uuid[], ${col('type')}::text[], ${col('occurredAt')}::timestamptz[],
      ${col('source')}::text[], ${col('medium')}::text[], ${col('campaignId')}::uuid[], ${col('utmCampaign')}::text[],
      ${col('contentId')}::uuid[], ${col('url')}::text[], ${col('referrer')}::text[], ${col('eventName')}::text[],
      ${col('properties')}::jsonb[], ${col('idempotencyKey')}::text[])
      AS t(id, contact_id, type, occurred_at, source, medium, campaign_id, utm_campaign, content_id, url, referrer, event_name, properties, idempotency_key)
    ON CONFLICT (workspace_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
    RETURNING id`.execute(trx);
  return new Set(result.rows.map((r) => r.id));
}

export async function insertProcessedMessages(trx: Trx, workspaceId: string, rows: { messageId: string; type: string }[]): Promise<void> {
  if (rows.length === 0) return;
  await sql`INSERT INTO processed_message (workspace_id, message_id, type)
    SELECT ${workspaceId}, m, t FROM unnest(${rows.map((r) => r.messageId)}::text[], ${rows.map((r) => r.type)}::text[]) AS x(m, t)
    ON CONFLICT DO NOTHING`.execute(trx);
}

export type ContactTouch = { contactId: string; firstAt: Date; first: TouchCols; latestAt: Date; latest: TouchCols };
type TouchCols = { source: string; medium: string | null; campaign: string | null };

/** Keeps first-touch (earliest) and latest-touch (most recent) on contacts and their open leads. */
export async function applyTouches(trx: Trx, workspaceId: string, touches: ContactTouch[]): Promise<void> {
  if (touches.length === 0) return;
  const sorted = [...touches].sort((a, b) => (a.contactId < b.contactId ? -1 : 1));
  const arr = {
    id: sorted.map((t) => t.contactId), fa: sorted.map((t) => t.firstAt), fs: sorted.map((t) => t.first.source),
    fm: sorted.map((t) => t.first.medium), fc: sorted.map((t) => t.first.campaign), la: sorted.map((t) => t.latestAt),
    ls: sorted.map((t) => t.latest.source), lm: sorted.map((t) => t.latest.medium), lc: sorted.map((t) => t.latest.campaign),
  };
  const values = sql`unnest(${arr.id}::uuid[], ${arr.fa}::timestamptz[], ${arr.fs}::text[], ${arr.fm}::text[], ${arr.fc}::text[],
    ${arr.la}::timestamptz[], ${arr.ls}::text[], ${arr.lm}::text[], ${arr.lc}::text[]) AS t(id, fa, fs, fm, fc, la, ls, lm, lc)`;
  // The lead update reads the contact's new touches from the CTE (one round trip).
  await sql`WITH c AS (UPDATE contact c SET
      first_touch_at = CASE WHEN c.first_touch_at IS NULL OR t.fa < c.first_touch_at THEN t.fa ELSE c.first_touch_at END,
      first_source = CASE WHEN c.first_touch_at IS NULL OR t.fa < c.first_touch_at THEN t.fs ELSE c.first_source END,
      first_medium = CASE WHEN c.first_touch_at IS NULL OR t.fa < c.first_touch_at THEN t.fm ELSE c.first_medium END,
      first_campaign = CASE WHEN c.first_touch_at IS NULL OR t.fa < c.first_touch_at THEN t.fc ELSE c.first_campaign END,
      latest_touch_at = CASE WHEN c.latest_touch_at IS NULL OR t.la >= c.latest_touch_at THEN t.la ELSE c.latest_touch_at END,
      latest_source = CASE WHEN c.latest_touch_at IS NULL OR t.la >= c.latest_touch_at THEN t.ls ELSE c.latest_source END,
      latest_medium = CASE WHEN c.latest_touch_at IS NULL OR t.la >= c.latest_touch_at THEN t.lm ELSE c.latest_medium END,
      latest_campaign = CASE WHEN c.latest_touch_at IS NULL OR t.la >= c.latest_touch_at THEN t.lc ELSE c.latest_campaign END
    FROM ${values} WHERE c.workspace_id = ${workspaceId} AND c.id = t.id AND c.id = ANY(${arr.id}::uuid[])
    RETURNING c.id, c.first_source, c.first_campaign, c.first_touch_at, c.latest_source, c.latest_campaign)
  UPDATE lead l SET
      source = COALESCE(l.source, c.first_source), campaign = COALESCE(l.campaign, c.first_campaign),
      first_touch_at = COALESCE(l.first_touch_at, c.first_touch_at), latest_source = c.latest_source, latest_campaign = c.latest_campaign
    FROM c WHERE l.workspace_id = ${workspaceId} AND l.contact_id = c.id AND l.contact_id = ANY(${arr.id}::uuid[])
      AND l.stage NOT IN ('won','lost','disqualified')`.execute(trx);
}

export async function findAccountIdsByDomains(db: DbOrTrx, workspaceId: string, domains: string[]): Promise<Map<string, string>> {
  if (domains.length === 0) return new Map();
  const rows = await db.selectFrom('account').select(['id', 'domain']).where('workspace_id', '=', workspaceId).where('domain', 'in', domains).execute();
  return new Map(rows.map((r) => [r.domain!, r.id]));
}

export async function findAccountIdByGroupId(db: DbOrTrx, workspaceId: string, groupId: string): Promise<string | null> {
  const row = await sql<{ id: string }>`SELECT id FROM account WHERE workspace_id = ${workspaceId} AND attributes ? 'group_id'
    AND attributes->>'group_id' = ${groupId} LIMIT 1`.execute(db);
  return row.rows[0]?.id ?? null;
}

/** Links contacts to an account: explicitly (a server key's group, overrides) or only where none is set (email domain, a public key's group). */
export async function linkContactsToAccount(trx: Trx, workspaceId: string, contactIds: string[], accountId: string, explicit: boolean): Promise<void> {
  if (contactIds.length === 0) return;
  await sql`UPDATE contact SET account_id = ${accountId}, updated_at = now()
    WHERE workspace_id = ${workspaceId} AND id = ANY(${contactIds}::uuid[]) ${explicit ? sql`` : sql`AND account_id IS NULL`}`.execute(trx);
}

/** Group traits onto an account: replacing (server keys) or only filling what is empty (the public key). */
export async function mergeAccountAttributes(trx: Trx, workspaceId: string, accountId: string, patch: { industry?: string | null; employeeCount?: number | null; attributes: Record<string, unknown> }, mode: 'overwrite' | 'fill_empty' = 'overwrite'): Promise<void> {
  const given = sql`${JSON.stringify(patch.attributes)}::jsonb`;
  await (mode === 'fill_empty'
    ? sql`UPDATE account SET industry = COALESCE(industry, ${patch.industry ?? null}), employee_count = COALESCE(employee_count, ${patch.employeeCount ?? null}::int),
        attributes = ${given} || attributes, updated_at = now()
        WHERE workspace_id = ${workspaceId} AND id = ${accountId}`
    : sql`UPDATE account SET industry = COALESCE(${patch.industry ?? null}, industry), employee_count = COALESCE(${patch.employeeCount ?? null}::int, employee_count),
        attributes = attributes || ${given}, updated_at = now()
        WHERE workspace_id = ${workspaceId} AND id = ${accountId}`).execute(trx);
}

/** Content URL keys → asset ids, and campaign utm_campaign → campaign id, for the ingest lookup cache. */
export async function loadIngestLookups(db: Db, workspaceId: string): Promise<{ content: { id: string; url: string | null; urls: string[] }[]; campaigns: { id: string; utm: string }[] }> {
  const content = await db.selectFrom('content_asset').select(['id', 'url', 'urls']).where('workspace_id', '=', workspaceId).execute();
  const campaigns = await db.selectFrom('campaign').select(['id', 'utm_campaign']).where('workspace_id', '=', workspaceId).where('utm_campaign', 'is not', null).execute();
  return { content, campaigns: campaigns.map((c) => ({ id: c.id, utm: c.utm_campaign! })) };
}

export type TraitsPatch = {
  contactId: string; firstName?: string; lastName?: string; title?: string; phone?: string; country?: string;
  attributes?: Record<string, unknown>; consent?: Record<string, unknown>;
};

/**
 * Applies identify traits to many contacts in one statement (rows in id order, as the row locks
 * are taken). `overwrite` (server keys): given fields replace, attributes merge (a null attribute
 * removes it), consent merges. `fill_empty` (the public key, src/core/ingest-trust.rules.ts): a
 * given field only fills an empty one, an attribute only one the contact lacks; nothing is removed.
 */
export async function patchContactsFromTraits(trx: Trx, workspaceId: string, patches: TraitsPatch[], mode: 'overwrite' | 'fill_empty' = 'overwrite'): Promise<void> {
  if (patches.length === 0) return;
  const rows = [...patches].sort((a, b) => (a.contactId < b.contactId ? -1 : 1)).map((p) => ({
    id: p.contactId, first_name: p.firstName ?? null, last_name: p.lastName ?? null, title: p.title ?? null, phone: p.phone ?? null,
    country: p.country ?? null, attributes: p.attributes ?? null, consent: p.consent ?? null,
  }));
  const fill = mode === 'fill_empty';
  const field = (col: string) => (fill
    ? sql`${sql.ref(col)} = COALESCE(NULLIF(c.${sql.ref(col)}, ''), t.${sql.ref(col)})`
    : sql`${sql.ref(col)} = COALESCE(t.${sql.ref(col)}, c.${sql.ref(col)})`);
  // Filling: the contact's own attributes win over the given ones, and a given null removes nothing.
  const attributes = fill ? sql`jsonb_strip_nulls(t.attributes) || c.attributes` : sql`jsonb_strip_nulls(c.attributes || t.attributes)`;
  await sql`UPDATE contact c SET
      ${sql.join(['first_name', 'last_name', 'title', 'phone', 'country'].map(field))},
      attributes = CASE WHEN t.attributes IS NULL THEN c.attributes ELSE ${attributes} END,
      consent = CASE WHEN t.consent IS NULL THEN c.consent ELSE c.consent || t.consent END,
      updated_at = now()
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS t(id uuid, first_name text, last_name text, title text, phone text, country text, attributes jsonb, consent jsonb)
    WHERE c.workspace_id = ${workspaceId} AND c.id = t.id AND c.id = ANY(${rows.map((r) => r.id)}::uuid[])`.execute(trx);
}

/**
 * The identity plan's writes in one statement: existing contacts get their first email, new
 * contacts are created, new identities bound; the account comes from the email's domain (`domain`
 * is null for free-mail addresses), and on existing contacts only where none is set.
 */
export async function writeIdentityPlan(trx: Trx, workspaceId: string, plan: {
  emails: { contactId: string; email: string; domain: string | null }[];
  contacts: { id: string; email: string | null; domain: string | null }[];
  bindings: Binding[];
  rebindings?: Rebinding[];
}): Promise<void> {
  const { emails, contacts, bindings } = plan;
  if (emails.length || contacts.length || bindings.length) await insertIdentityPlan(trx, workspaceId, emails, contacts, bindings);
  await rebindIdentities(trx, workspaceId, plan.rebindings ?? []);
}

/**
 * Points stored identities at their new contacts (a device now used by a second known person).
 * Only the binding moves: activities already stored keep their contact. A separate statement
 * from the inserts, run after them: the new contacts it points at exist by then.
 */
async function rebindIdentities(trx: Trx, workspaceId: string, rebindings: Rebinding[]): Promise<void> {
  if (rebindings.length === 0) return;
  await sql`UPDATE contact_identity i SET contact_id = t.contact_id
    FROM unnest(${rebindings.map((r) => r.kind)}::text[], ${rebindings.map((r) => r.value)}::text[], ${rebindings.map((r) => r.contactId)}::uuid[]) AS t(kind, value, contact_id)
    WHERE i.workspace_id = ${workspaceId} AND i.kind = t.kind AND i.value = t.value`.execute(trx);
}

async function insertIdentityPlan(trx: Trx, workspaceId: string, emails: { contactId: string; email: string; domain: string | null }[],
  contacts: { id: string; email: string | null; domain: string | null }[], bindings: Binding[]): Promise<void> {
  // Anonymous contacts (no domain) skip the lookup: it scanned the accounts once per new visitor.
  const account = (domain: ReturnType<typeof sql>) =>
    sql`CASE WHEN ${domain} IS NOT NULL THEN (SELECT a.id FROM account a WHERE a.workspace_id = ${workspaceId} AND a.domain = ${domain}) END`;
  await sql`WITH e AS (
      UPDATE contact c SET email = t.email, status = 'known', account_id = COALESCE(c.account_id, ${account(sql`t.domain`)}), updated_at = now()
      FROM unnest(${emails.map((r) => r.contactId)}::uuid[], ${emails.map((r) => r.email)}::text[], ${emails.map((r) => r.domain)}::text[]) AS t(id, email, domain)
      WHERE c.workspace_id = ${workspaceId} AND c.id = t.id AND c.id = ANY(${emails.map((r) => r.contactId)}::uuid[])
      RETURNING c.id),
    c AS (
      INSERT INTO contact (workspace_id, id, email, status, account_id)
      SELECT ${workspaceId}, id, email, CASE WHEN email IS NULL THEN 'anonymous' ELSE 'known' END, ${account(sql`t.domain`)}
      FROM unnest(${contacts.map((r) => r.id)}::uuid[], ${contacts.map((r) => r.email)}::text[], ${contacts.map((r) => r.domain)}::text[]) AS t(id, email, domain)
      RETURNING id)
    INSERT INTO contact_identity (workspace_id, kind, value, contact_id)
    SELECT ${workspaceId}, kind, value, contact_id
    FROM unnest(${bindings.map((b) => b.kind)}::text[], ${bindings.map((b) => b.value)}::text[], ${bindings.map((b) => b.contactId)}::uuid[]) AS t(kind, value, contact_id)
    WHERE (SELECT count(*) FROM c) >= 0 AND (SELECT count(*) FROM e) >= 0
    ON CONFLICT (workspace_id, kind, value) DO NOTHING`.execute(trx);
}
