import { sql } from 'kysely';
import type { DbOrTrx, Trx } from './db.ts';
import { toDefinition, type DefinitionStatus, type LeadDefinitionRecord } from './definitions.repo.ts';
import { newId } from './ids.ts';
import './schema-definitions.ts';

/** Sign-offs, the change log and state changes of definition versions (definitions.repo.ts inserts and reads them). */

export type DefinitionApprovalRecord = { userId: string; role: string; decision: 'approve' | 'refuse'; comment: string | null; at: Date };
export type DefinitionEventKind = 'created' | 'edited' | 'proposed' | 'withdrawn' | 'approved' | 'refused' | 'activated' | 'retired' | 'backtested'
  | 'retirement_requested' | 'retirement_approved' | 'retirement_refused' | 'retirement_withdrawn' | 'emergency_stopped';
/** Which sign-off round an approval belongs to: adopting a proposed version, or retiring the active one. */
export type ApprovalPurpose = 'adopt' | 'retire';
export type DefinitionEvent = { id: string; definitionId: string; at: Date; kind: DefinitionEventKind; userId: string | null; role: string | null; comment: string | null };

/** Locks one version (and, with `alsoActive`, the active one) for a state change. */
export async function lockDefinitions(trx: Trx, workspaceId: string, ids: string[], alsoActive: boolean): Promise<LeadDefinitionRecord[]> {
  const rows = await trx.selectFrom('lead_definition').selectAll().where('workspace_id', '=', workspaceId)
    .where((eb) => (alsoActive ? eb.or([eb('id', 'in', ids), eb('status', '=', 'active')]) : eb('id', 'in', ids)))
    .orderBy('id').forUpdate().execute();
  return rows.map(toDefinition);
}

export type DefinitionStatePatch = {
  status?: DefinitionStatus; proposedAt?: Date | null; approvedAt?: Date | null; activatedAt?: Date | null; retiredAt?: Date | null;
  document?: Record<string, unknown>; name?: string; backtest?: Record<string, unknown> | null;
  /** The revision the backtest replayed (set together with `backtest`). */
  backtestRevision?: number | null;
  ownerSide?: 'marketing' | 'sales' | null;
  retireRequest?: { at: Date; by: string; reason: string } | null;
};

export async function updateDefinition(trx: Trx, workspaceId: string, id: string, patch: DefinitionStatePatch): Promise<LeadDefinitionRecord> {
  const set: Record<string, unknown> = {};
  if (patch.status !== undefined) set.status = patch.status;
  if (patch.proposedAt !== undefined) set.proposed_at = patch.proposedAt;
  if (patch.approvedAt !== undefined) set.approved_at = patch.approvedAt;
  if (patch.activatedAt !== undefined) set.activated_at = patch.activatedAt;
  if (patch.retiredAt !== undefined) set.retired_at = patch.retiredAt;
  if (patch.document !== undefined) {
    set.document = JSON.stringify(patch.document);
    set.revision = sql`revision + 1`;
  }
  if (patch.backtestRevision !== undefined) set.backtest_revision = patch.backtestRevision;
  if (patch.ownerSide !== undefined) set.owner_side = patch.ownerSide;
  if (patch.retireRequest !== undefined) {
    set.retire_requested_at = patch.retireRequest?.at ?? null;
    set.retire_requested_by = patch.retireRequest?.by ?? null;
    set.retire_reason = patch.retireRequest?.reason ?? null;
  }
  if (patch.name !== undefined) set.name = patch.name;
  if (patch.backtest !== undefined) set.backtest = patch.backtest === null ? null : JSON.stringify(patch.backtest);
  const row = await trx.updateTable('lead_definition').set(set as any).where('workspace_id', '=', workspaceId).where('id', '=', id)
    .returningAll().executeTakeFirstOrThrow();
  return toDefinition(row);
}

export async function listApprovals(db: DbOrTrx, workspaceId: string, definitionIds: string[], purpose: ApprovalPurpose = 'adopt'): Promise<Map<string, DefinitionApprovalRecord[]>> {
  const out = new Map<string, DefinitionApprovalRecord[]>();
  if (!definitionIds.length) return out;
  const rows = await db.selectFrom('definition_approval').selectAll().where('workspace_id', '=', workspaceId)
    .where('definition_id', 'in', definitionIds).where('purpose', '=', purpose).orderBy('at').execute();
  for (const r of rows) {
    const list = out.get(r.definition_id) ?? [];
    list.push({ userId: r.user_id, role: r.role, decision: r.decision as 'approve' | 'refuse', comment: r.comment, at: r.at });
    out.set(r.definition_id, list);
  }
  return out;
}

/** A new proposal round starts with no sign-offs (the change log keeps the earlier ones). */
export async function clearApprovals(trx: Trx, workspaceId: string, definitionId: string, purpose: ApprovalPurpose = 'adopt'): Promise<void> {
  await trx.deleteFrom('definition_approval').where('workspace_id', '=', workspaceId).where('definition_id', '=', definitionId).where('purpose', '=', purpose).execute();
}

export async function upsertApproval(trx: Trx, workspaceId: string, definitionId: string, a: DefinitionApprovalRecord, purpose: ApprovalPurpose = 'adopt'): Promise<void> {
  await trx.insertInto('definition_approval').values({
    workspace_id: workspaceId, definition_id: definitionId, user_id: a.userId, role: a.role, decision: a.decision, comment: a.comment, at: a.at, purpose,
  } as any).onConflict((oc) => oc.columns(['workspace_id', 'definition_id', 'purpose', 'user_id']).doUpdateSet({
    role: a.role, decision: a.decision, comment: a.comment, at: a.at,
  } as any)).execute();
}

export async function insertDefinitionEvent(trx: Trx, workspaceId: string, e: Omit<DefinitionEvent, 'id'>): Promise<void> {
  await trx.insertInto('definition_event').values({
    workspace_id: workspaceId, id: newId(e.at.getTime()), definition_id: e.definitionId, at: e.at, kind: e.kind,
    user_id: e.userId, role: e.role, comment: e.comment,
  }).execute();
}

/** The workspace's definition events (or only those of some versions), in the order they happened. */
export async function listDefinitionEvents(db: DbOrTrx, workspaceId: string, definitionIds?: readonly string[]): Promise<DefinitionEvent[]> {
  if (definitionIds && definitionIds.length === 0) return [];
  let q = db.selectFrom('definition_event').selectAll().where('workspace_id', '=', workspaceId);
  if (definitionIds) q = q.where('definition_id', 'in', definitionIds);
  const rows = await q.orderBy('at').orderBy('id').execute();
  return rows.map((r) => ({ id: r.id, definitionId: r.definition_id, at: r.at, kind: r.kind as DefinitionEventKind, userId: r.user_id, role: r.role, comment: r.comment }));
}

/** What a definition may refer to: content asset ids, declared custom fields and attribute keys seen on contacts and accounts. */
export async function loadDefinitionRefs(db: DbOrTrx, workspaceId: string): Promise<{ contentIds: string[]; customFields: string[] }> {
  const content = await db.selectFrom('content_asset').select('id').where('workspace_id', '=', workspaceId).execute();
  const fields = await db.selectFrom('field_definition').select(['entity', 'key']).where('workspace_id', '=', workspaceId).execute();
  const seen = await sql<{ entity: string; key: string }>`
    SELECT DISTINCT 'contact' AS entity, k AS key FROM contact, jsonb_object_keys(attributes) AS k WHERE workspace_id = ${workspaceId}
    UNION SELECT DISTINCT 'account', k FROM account, jsonb_object_keys(attributes) AS k WHERE workspace_id = ${workspaceId}`.execute(db);
  const custom = new Set<string>();
  for (const f of [...fields, ...seen.rows]) {
    custom.add(f.key);
    custom.add(`${f.entity}.${f.key}`);
  }
  return { contentIds: content.map((c) => c.id), customFields: [...custom] };
}

/** The active definition of every workspace (the decay refresh walks them). */
export async function listActiveDefinitions(db: DbOrTrx): Promise<{ workspaceId: string; record: LeadDefinitionRecord }[]> {
  const rows = await db.selectFrom('lead_definition').selectAll().where('status', '=', 'active').orderBy('workspace_id').execute();
  return rows.map((r) => ({ workspaceId: r.workspace_id, record: toDefinition(r) }));
}
