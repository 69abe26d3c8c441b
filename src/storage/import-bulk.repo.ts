import { sql } from 'kysely';
import type { DbOrTrx, Trx } from './db.ts';
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

export async function insertContactsBulk(trx: Trx, workspaceId: string, rows: ContactInsert[]): Promise<number> {
  return insertRows(trx, 'contact', rows.map((c) => ({
    workspace_id: workspaceId, id: c.id, email: c.email, first_name: c.firstName, last_name: c.lastName, title: c.title,
    phone: c.phone, country: c.country, account_id: c.accountId, status: c.status, attributes: c.attributes,
    first_touch_at: c.firstTouchAt, first_source: c.firstSource, latest_touch_at: c.firstTouchAt, latest_source: c.firstSource,
    created_at: c.createdAt, updated_at: c.createdAt,
  })));
}

export type IdentityInsert = { kind: 'email' | 'external_id'; value: string; contactId: string };

export async function insertIdentitiesBulk(trx: Trx, workspaceId: string, rows: IdentityInsert[]): Promise<number> {
  return insertRows(trx, 'contact_identity', rows.map((i) => ({ workspace_id: workspaceId, kind: i.kind, value: i.value, contact_id: i.contactId })), 'ignore');
}

export type AccountInsert = {
  id: string; name: string; domain: string | null; industry: string | null; employeeCount: number | null; country: string | null;
  annualRevenue: number | null; externalId: string | null; attributes: Record<string, unknown>;
};

export async function insertAccountsBulk(trx: Trx, workspaceId: string, rows: AccountInsert[]): Promise<number> {
  return insertRows(trx, 'account', rows.map((a) => ({
    workspace_id: workspaceId, id: a.id, name: a.name, domain: a.domain, industry: a.industry, employee_count: a.employeeCount,
    country: a.country, annual_revenue: a.annualRevenue, external_id: a.externalId, attributes: a.attributes,
  })));
}

export type LeadInsert = {
  id: string; contactId: string; accountId: string | null; stage: string; ownerId: string | null; openedAt: Date;
  stageEnteredAt: Date; closedAt: Date | null; mqlAt: Date | null; source: string | null; firstTouchAt: Date | null;
  /** The score snapshot, when the person was rated before the lead was written (and the time it was taken). */
  score?: { fitScore: number; engagementScore: number; rating: string; definitionId: string; at: Date };
};

export async function insertLeadsBulk(trx: Trx, workspaceId: string, rows: LeadInsert[]): Promise<number> {
  return insertRows(trx, 'lead', rows.map((l) => ({
    workspace_id: workspaceId, id: l.id, contact_id: l.contactId, account_id: l.accountId, stage: l.stage, owner_id: l.ownerId,
    opened_at: l.openedAt, stage_entered_at: l.stageEnteredAt, closed_at: l.closedAt, mql_at: l.mqlAt, source: l.source,
    latest_source: l.source, first_touch_at: l.firstTouchAt, created_at: l.openedAt, updated_at: l.score?.at ?? l.stageEnteredAt,
    fit_score: l.score?.fitScore ?? null, engagement_score: l.score?.engagementScore ?? null, rating: l.score?.rating ?? null,
    definition_id: l.score?.definitionId ?? null,
  })));
}

export type TransitionInsert = {
  id: string; leadId: string; from: string | null; to: string; at: Date; actorType: 'user' | 'system' | 'rule' | 'api_key';
  actorId: string | null; reasonCode: string | null; note: string | null; isRecycle: boolean;
};

export async function insertTransitionsBulk(trx: Trx, workspaceId: string, rows: TransitionInsert[]): Promise<number> {
  return insertRows(trx, 'stage_transition', rows.map((t) => ({
    workspace_id: workspaceId, id: t.id, lead_id: t.leadId, from_stage: t.from, to_stage: t.to, at: t.at, actor_type: t.actorType,
    actor_id: t.actorId, reason_code: t.reasonCode, note: t.note, definition_id: null, is_recycle: t.isRecycle,
  })));
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
  return insertRows(trx, 'import_external_ref', rows.map((r) => ({ workspace_id: workspaceId, entity, external_id: r.externalId, record_id: r.recordId })), 'ignore');
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
