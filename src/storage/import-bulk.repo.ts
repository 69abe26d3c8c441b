import { sql } from 'kysely';
import { emptyStageHistory, type StageHistorySummary } from '../core/stage-history-summary.rules.ts';
import { copyRows, insertUnnest } from './bulk.repo.ts';
import type { DbOrTrx, Trx } from './db.ts';
import { newId } from './ids.ts';
import type { ContactScoreRecord, ScoreEvent } from './scores.repo.ts';
import type { Database } from './schema.ts';
import './schema-imports.ts';

/**
 * Set-based writes for imports: one statement per table per chunk instead of one per row, which
 * is what makes a million-row file take seconds per 100k rows instead of minutes.
 */

/**
 * Multi-row INSERT of plain objects (all with the same keys) as ONE bind parameter: the rows travel
 * as a JSON array expanded by jsonb_populate_recordset. Measured here ~2-3x faster than a VALUES list
 * with one parameter per cell, and free of PostgreSQL's 65,535-parameter cap. Columns left out
 * get their defaults; jsonb columns take objects, not strings.
 */
export async function insertRows<T extends keyof Database>(
  trx: DbOrTrx, table: T, rows: Record<string, unknown>[], conflict: 'error' | 'ignore' = 'error',
): Promise<number> {
  if (rows.length === 0) return 0;
  const columns = sql.join(Object.keys(rows[0]!).map((c) => sql.id(c)));
  const onConflict = conflict === 'ignore' ? sql` ON CONFLICT DO NOTHING` : sql``;
  const result = await sql`INSERT INTO ${sql.table(table)} (${columns})
    SELECT ${columns} FROM jsonb_populate_recordset(NULL::${sql.table(table)}, ${JSON.stringify(rows)}::jsonb)${onConflict}`.execute(trx);
  return Number(result.numAffectedRows ?? 0);
}

/** Serializes imports into one workspace (two concurrent imports of one file would both insert). */
export async function lockWorkspaceForImport(trx: Trx, workspaceId: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${'import:' + workspaceId}, 0))`.execute(trx);
}

export type ContactInsert = {
  id: string; email: string | null; firstName: string | null; lastName: string | null; title: string | null; phone: string | null;
  country: string | null; accountId: string | null; status: 'anonymous' | 'known'; attributes: Record<string, unknown>;
  firstTouchAt: Date | null; firstSource: string | null; createdAt: Date;
};

// The hot tables of a contacts import (contact, identities, accounts, leads, transitions) go through
// insertUnnest: one array parameter per column, cheaper to encode and for PostgreSQL to read than JSON.
export async function insertContactsBulk(trx: Trx, workspaceId: string, rows: ContactInsert[]): Promise<number> {
  return copyRows<ContactInsert>(trx, 'contact', workspaceId, [
    ['id', 'uuid', (c) => c.id], ['email', 'text', (c) => c.email], ['first_name', 'text', (c) => c.firstName], ['last_name', 'text', (c) => c.lastName],
    ['title', 'text', (c) => c.title], ['phone', 'text', (c) => c.phone], ['country', 'text', (c) => c.country], ['account_id', 'uuid', (c) => c.accountId],
    ['status', 'text', (c) => c.status], ['attributes', 'jsonb', (c) => c.attributes], ['first_touch_at', 'timestamptz', (c) => c.firstTouchAt],
    ['first_source', 'text', (c) => c.firstSource], ['latest_touch_at', { sameAs: 'first_touch_at' }], ['latest_source', { sameAs: 'first_source' }],
    ['created_at', 'timestamptz', (c) => c.createdAt], ['updated_at', { sameAs: 'created_at' }],
  ], rows);
}

export type IdentityInsert = { kind: 'email' | 'external_id'; value: string; contactId: string };

export async function insertIdentitiesBulk(trx: Trx, workspaceId: string, rows: IdentityInsert[]): Promise<number> {
  return insertUnnest<IdentityInsert>(trx, 'contact_identity', workspaceId, [
    ['kind', 'text', (i) => i.kind], ['value', 'text', (i) => i.value], ['contact_id', 'uuid', (i) => i.contactId],
  ], rows, 'ignore');
}

export type AccountInsert = {
  id: string; name: string; domain: string | null; industry: string | null; employeeCount: number | null; country: string | null;
  annualRevenue: number | null; externalId: string | null; attributes: Record<string, unknown>;
};

export async function insertAccountsBulk(trx: Trx, workspaceId: string, rows: AccountInsert[]): Promise<number> {
  return insertUnnest<AccountInsert>(trx, 'account', workspaceId, [
    ['id', 'uuid', (a) => a.id], ['name', 'text', (a) => a.name], ['domain', 'text', (a) => a.domain], ['industry', 'text', (a) => a.industry],
    ['employee_count', 'int4', (a) => a.employeeCount], ['country', 'text', (a) => a.country], ['annual_revenue', 'numeric', (a) => a.annualRevenue],
    ['external_id', 'text', (a) => a.externalId], ['attributes', 'jsonb', (a) => a.attributes],
  ], rows);
}

export type LeadInsert = {
  id: string; contactId: string; accountId: string | null; stage: string; ownerId: string | null; openedAt: Date;
  stageEnteredAt: Date; closedAt: Date | null; mqlAt: Date | null; source: string | null; firstTouchAt: Date | null;
  /** The score snapshot, when the person was rated before the lead was written (and the time it was taken). */
  score?: { fitScore: number; engagementScore: number; rating: string; definitionId: string; at: Date };
  /** The summary of the history written with the lead (withStageHistories), so its trigger need not write the lead again. */
  history?: StageHistorySummary;
};

export async function insertLeadsBulk(trx: Trx, workspaceId: string, rows: LeadInsert[]): Promise<number> {
  return copyRows<LeadInsert>(trx, 'lead', workspaceId, [
    ['id', 'uuid', (l) => l.id], ['contact_id', 'uuid', (l) => l.contactId], ['account_id', 'uuid', (l) => l.accountId], ['stage', 'text', (l) => l.stage],
    ['owner_id', 'uuid', (l) => l.ownerId], ['opened_at', 'timestamptz', (l) => l.openedAt], ['stage_entered_at', 'timestamptz', (l) => l.stageEnteredAt],
    ['closed_at', 'timestamptz', (l) => l.closedAt], ['mql_at', 'timestamptz', (l) => l.mqlAt], ['source', 'text', (l) => l.source],
    ['latest_source', { sameAs: 'source' }], ['first_touch_at', 'timestamptz', (l) => l.firstTouchAt], ['created_at', { sameAs: 'opened_at' }],
    ['updated_at', 'timestamptz', (l) => l.score?.at ?? l.stageEnteredAt], ['fit_score', 'numeric', (l) => l.score?.fitScore ?? null],
    ['engagement_score', 'numeric', (l) => l.score?.engagementScore ?? null], ['rating', 'text', (l) => l.score?.rating ?? null],
    ['definition_id', 'uuid', (l) => l.score?.definitionId ?? null],
    ['history_reached', 'int4', (l) => (l.history ?? emptyStageHistory).reached],
    ['history_mql_events', 'int4', (l) => (l.history ?? emptyStageHistory).mqlEvents],
    ['history_disqualified', 'bool', (l) => (l.history ?? emptyStageHistory).disqualified],
    ['history_nurtured', 'bool', (l) => (l.history ?? emptyStageHistory).nurtured],
    ['history_mql_at', 'timestamptz', (l) => l.history?.mqlAt ?? null], ['history_sal_at', 'timestamptz', (l) => l.history?.salAt ?? null],
    ['history_won_at', 'timestamptz', (l) => l.history?.wonAt ?? null], ['history_after_sal_at', 'timestamptz', (l) => l.history?.afterSalAt ?? null],
  ], rows);
}

export type TransitionInsert = {
  id: string; leadId: string; from: string | null; to: string; at: Date; actorType: 'user' | 'system' | 'rule' | 'api_key';
  actorId: string | null; reasonCode: string | null; note: string | null; isRecycle: boolean;
};

export async function insertTransitionsBulk(trx: Trx, workspaceId: string, rows: TransitionInsert[]): Promise<number> {
  return copyRows<TransitionInsert>(trx, 'stage_transition', workspaceId, [
    ['id', 'uuid', (t) => t.id], ['lead_id', 'uuid', (t) => t.leadId], ['from_stage', 'text', (t) => t.from], ['to_stage', 'text', (t) => t.to],
    ['at', 'timestamptz', (t) => t.at], ['actor_type', 'text', (t) => t.actorType], ['actor_id', 'uuid', (t) => t.actorId],
    ['reason_code', 'text', (t) => t.reasonCode], ['note', 'text', (t) => t.note], ['is_recycle', 'bool', (t) => t.isRecycle],
  ], rows);
}

export type ActivityInsert = {
  id: string; contactId: string; type: string; occurredAt: Date; source: string | null; medium: string | null;
  utmCampaign: string | null; url: string | null; eventName: string | null; properties: Record<string, unknown>; idempotencyKey: string;
  contentId?: string | null;
};

/** Activities are append-only and keyed by idempotency key: a re-imported one is ignored. */
export async function insertActivitiesBulk(trx: Trx, workspaceId: string, rows: ActivityInsert[]): Promise<number> {
  return insertRows(trx, 'activity', rows.map((a) => ({
    workspace_id: workspaceId, id: a.id, contact_id: a.contactId, type: a.type, occurred_at: a.occurredAt, source: a.source,
    medium: a.medium, utm_campaign: a.utmCampaign, url: a.url, event_name: a.eventName, properties: a.properties, content_id: a.contentId ?? null,
    idempotency_key: a.idempotencyKey,
  })), 'ignore');
}

export type OpportunityInsert = {
  id: string; name: string; accountId: string | null; amount: number; currency: string; stage: string; status: 'open' | 'won' | 'lost';
  closeDate: string | null; ownerId: string | null; externalId: string; attributes: Record<string, unknown>; createdAt: Date; closedAt: Date | null;
};

export async function insertOpportunitiesBulk(trx: Trx, workspaceId: string, rows: OpportunityInsert[]): Promise<number> {
  return insertRows(trx, 'opportunity', rows.map((o) => ({
    workspace_id: workspaceId, id: o.id, name: o.name, account_id: o.accountId, amount: o.amount, currency: o.currency, stage: o.stage,
    status: o.status, close_date: o.closeDate, owner_id: o.ownerId, external_id: o.externalId, attributes: o.attributes,
    created_at: o.createdAt, updated_at: o.createdAt, closed_at: o.closedAt,
  })));
}

export type OpportunityStageChangeInsert = {
  id: string; opportunityId: string; fromStage: string | null; toStage: string; fromStatus: string | null; toStatus: string;
  amount: number; at: Date; actorType: string; actorId: string | null;
};

export async function insertOpportunityStageChangesBulk(trx: Trx, workspaceId: string, rows: OpportunityStageChangeInsert[]): Promise<number> {
  return insertRows(trx, 'opportunity_stage_change', rows.map((c) => ({
    workspace_id: workspaceId, id: c.id, opportunity_id: c.opportunityId, from_stage: c.fromStage, to_stage: c.toStage,
    from_status: c.fromStatus, to_status: c.toStatus, amount: c.amount, at: c.at, actor_type: c.actorType, actor_id: c.actorId,
  })));
}

export async function insertContactRolesBulk(trx: Trx, workspaceId: string, rows: { opportunityId: string; contactId: string; role: string; isPrimary: boolean }[]): Promise<number> {
  return insertRows(trx, 'opportunity_contact_role', rows.map((r) => ({
    workspace_id: workspaceId, opportunity_id: r.opportunityId, contact_id: r.contactId, role: r.role, is_primary: r.isPrimary,
  })), 'ignore');
}

export async function linkOpportunityLeadsBulk(trx: Trx, workspaceId: string, rows: { opportunityId: string; leadId: string }[]): Promise<number> {
  return insertRows(trx, 'opportunity_lead', rows.map((r) => ({ workspace_id: workspaceId, opportunity_id: r.opportunityId, lead_id: r.leadId })), 'ignore');
}

export async function insertExternalRefsBulk(trx: Trx, workspaceId: string, entity: string, rows: { externalId: string; recordId: string }[]): Promise<number> {
  return insertUnnest<{ externalId: string; recordId: string }>(trx, 'import_external_ref', workspaceId, [
    ['entity', 'text', () => entity], ['external_id', 'text', (r) => r.externalId], ['record_id', 'uuid', (r) => r.recordId],
  ], rows, 'ignore');
}

/** Creates the users that do not exist yet (by email) and answers every email's user id. */
export async function ensureUsersBulk(trx: Trx, workspaceId: string, users: { id: string; email: string; name: string; role: string }[]): Promise<Map<string, string>> {
  await insertRows(trx, 'app_user', users.map((u) => ({
    workspace_id: workspaceId, id: u.id, email: u.email, name: u.name, role: u.role, password_hash: null,
  })), 'ignore');
  if (users.length === 0) return new Map();
  const rows = await trx.selectFrom('app_user').select(['id', 'email']).where('workspace_id', '=', workspaceId)
    .where('email', 'in', users.map((u) => u.email)).execute();
  return new Map(rows.map((r) => [r.email, r.id]));
}

/** Which of these identity values already belong to a contact (value → contact id). */
export async function findContactIdsByIdentity(trx: Trx, workspaceId: string, kind: 'email' | 'external_id', values: string[]): Promise<Map<string, string>> {
  if (values.length === 0) return new Map();
  const rows = await trx.selectFrom('contact_identity').select(['value', 'contact_id']).where('workspace_id', '=', workspaceId)
    .where('kind', '=', kind).where('value', '=', sql<string>`ANY(${values}::text[])`).execute();
  return new Map(rows.map((r) => [r.value, r.contact_id]));
}

/**
 * The tables a contacts chunk writes. Their only row triggers must be the foreign-key checks (and
 * the lead summary's, which is ENABLE ALWAYS) for a chunk to take over those checks itself.
 */
const CONTACT_CHUNK_TABLES = ['contact', 'contact_identity', 'account', 'lead', 'stage_transition', 'contact_score', 'score_event', 'import_external_ref', 'lead_stage_summary'];

/**
 * Whether an import may check a chunk's references itself (see `checkReferencesByChunk`): only a
 * superuser may set session_replication_role, and a trigger a migration adds to one of the tables
 * (an audit log, say) fires only in the default `origin` role, so any such trigger rules it out.
 */
export async function chunkReferenceChecksAvailable(db: DbOrTrx): Promise<boolean> {
  const { rows } = await sql<{ superuser: boolean; triggers: number }>`SELECT
      coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = current_user), false) AS superuser,
      (SELECT count(*)::int FROM pg_trigger WHERE tgrelid = ANY(${CONTACT_CHUNK_TABLES}::regclass[]) AND NOT tgisinternal AND tgenabled = 'O') AS triggers`.execute(db);
  return rows[0]!.superuser && rows[0]!.triggers === 0;
}

/**
 * Per-row foreign-key triggers cost a contacts chunk ~30% of PostgreSQL's time (about ten checks per
 * imported person: contact → account and workspace, identities, score rows, lead → contact, account
 * and definition, each transition → lead). A chunk whose references are all either rows it inserts
 * itself or rows it has locked can check them once, set-based, instead: this turns the per-row
 * triggers off for the transaction (`session_replication_role = replica`; the lead summary trigger
 * is ENABLE ALWAYS and still runs) and takes the locks the checks would have taken (FOR KEY SHARE:
 * the workspace and its definitions here, the chunk's matched accounts and contacts through
 * `lockReferencedRows`), so a concurrent delete waits for the chunk exactly as before.
 */
export async function checkReferencesByChunk(trx: Trx, workspaceId: string): Promise<void> {
  await sql`SET LOCAL session_replication_role = replica`.execute(trx);
  const { rows } = await sql<{ workspaces: number; definitions: number }>`WITH w AS (SELECT id FROM workspace WHERE id = ${workspaceId} FOR KEY SHARE),
      d AS (SELECT id FROM lead_definition WHERE workspace_id = ${workspaceId} FOR KEY SHARE)
    SELECT (SELECT count(*) FROM w)::int AS workspaces, (SELECT count(*) FROM d)::int AS definitions`.execute(trx);
  if (rows[0]!.workspaces !== 1) throw new Error(`workspace ${workspaceId} no longer exists; the import stopped`);
}

/**
 * Locks (FOR KEY SHARE, as a foreign-key check does) the existing accounts and contacts a chunk's
 * rows will reference, and fails like a foreign-key violation when one of them is gone.
 */
export async function lockReferencedRows(trx: Trx, workspaceId: string, refs: { accounts: string[]; contacts: string[] }): Promise<void> {
  const accounts = [...new Set(refs.accounts)];
  const contacts = [...new Set(refs.contacts)];
  if (accounts.length === 0 && contacts.length === 0) return;
  const { rows } = await sql<{ accounts: number; contacts: number }>`WITH a AS (SELECT id FROM account WHERE workspace_id = ${workspaceId} AND id = ANY(${accounts}::uuid[]) FOR KEY SHARE),
      c AS (SELECT id FROM contact WHERE workspace_id = ${workspaceId} AND id = ANY(${contacts}::uuid[]) FOR KEY SHARE)
    SELECT (SELECT count(*) FROM a)::int AS accounts, (SELECT count(*) FROM c)::int AS contacts`.execute(trx);
  if (rows[0]!.accounts !== accounts.length) throw new Error('an account this import references was deleted while it ran (foreign key on account); the import stopped');
  if (rows[0]!.contacts !== contacts.length) throw new Error('a contact this import references was deleted while it ran (foreign key on contact); the import stopped');
}

/**
 * Score rows of contacts the chunk created (none can exist yet: the contact is the chunk's own),
 * as a plain multi-row insert instead of the general upsert.
 */
export async function insertNewContactScores(trx: Trx, workspaceId: string, definitionId: string, rows: Omit<ContactScoreRecord, 'definitionId'>[]): Promise<number> {
  return copyRows<Omit<ContactScoreRecord, 'definitionId'>>(trx, 'contact_score', workspaceId, [
    ['contact_id', 'uuid', (r) => r.contactId], ['definition_id', 'uuid', () => definitionId], ['fit_points', 'int4', (r) => r.fitPoints],
    ['fit_grade', 'text', (r) => r.fitGrade], ['fit', 'jsonb', (r) => r.fit], ['engagement_state', 'jsonb', (r) => r.engagementState],
    ['engagement_points', 'int4', (r) => r.engagementPoints], ['level', 'int2', (r) => r.level], ['rating', 'text', (r) => r.rating],
    ['cell', 'text', (r) => r.cell], ['qualifies', 'bool', (r) => r.qualifies], ['explanation', 'text', (r) => r.explanation],
    ['updated_at', 'timestamptz', (r) => r.updatedAt],
  ], rows);
}

export async function insertScoreEventsBulk(trx: Trx, workspaceId: string, rows: Omit<ScoreEvent, 'id'>[]): Promise<number> {
  return copyRows<Omit<ScoreEvent, 'id'>>(trx, 'score_event', workspaceId, [
    ['id', 'uuid', (e) => newId(e.at.getTime())], ['contact_id', 'uuid', (e) => e.contactId], ['definition_id', 'uuid', (e) => e.definitionId],
    ['at', 'timestamptz', (e) => e.at], ['fit', 'int4', (e) => e.fit], ['engagement', 'int4', (e) => e.engagement], ['rating', 'text', (e) => e.rating],
    ['cell', 'text', (e) => e.cell], ['cause', 'text', (e) => e.cause], ['activity_id', 'uuid', (e) => e.activityId], ['delta', 'float8', (e) => e.delta],
    ['explanation', 'text', (e) => e.explanation],
  ], rows);
}
