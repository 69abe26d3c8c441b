import type { Selectable } from 'kysely';
import type { Stage } from '../core/lifecycle.ts';
import type { DbOrTrx, Trx } from './db.ts';
import { newId } from './ids.ts';
import { changePage } from './change-feed.ts';
import { toPage, type Page, type PageRequest } from './page.ts';
import type { LeadTable } from './schema.ts';

export type Lead = {
  id: string; contactId: string; accountId: string | null; stage: Stage; ownerId: string | null;
  openedAt: Date; stageEnteredAt: Date; closedAt: Date | null; mqlAt: Date | null; recycleCount: number;
  lastReasonCode: string | null; recheckAt: Date | null; source: string | null; campaign: string | null;
  firstTouchAt: Date | null; latestSource: string | null; latestCampaign: string | null;
  fitScore: number | null; engagementScore: number | null; rating: string | null; definitionId: string | null;
  createdAt: Date; updatedAt: Date;
};

const num = (v: string | null) => (v === null ? null : Number(v));
export function toLead(r: Selectable<LeadTable>): Lead {
  return {
    id: r.id, contactId: r.contact_id, accountId: r.account_id, stage: r.stage as Stage, ownerId: r.owner_id,
    openedAt: r.opened_at, stageEnteredAt: r.stage_entered_at, closedAt: r.closed_at, mqlAt: r.mql_at,
    recycleCount: r.recycle_count, lastReasonCode: r.last_reason_code, recheckAt: r.recheck_at, source: r.source,
    campaign: r.campaign, firstTouchAt: r.first_touch_at, latestSource: r.latest_source, latestCampaign: r.latest_campaign,
    fitScore: num(r.fit_score), engagementScore: num(r.engagement_score), rating: r.rating, definitionId: r.definition_id,
    createdAt: r.created_at, updatedAt: r.updated_at,
  };
}

export type NewLead = {
  contactId: string; accountId: string | null; stage: Stage; at: Date; ownerId?: string | null;
  source?: string | null; campaign?: string | null; firstTouchAt?: Date | null;
};

export async function insertLead(trx: Trx, workspaceId: string, input: NewLead): Promise<Lead> {
  return (await insertLeads(trx, workspaceId, [input]))[0]!;
}

/** Several new leads in one statement (the inquiries a batch of activities opens), in the order given. */
export async function insertLeads(trx: Trx, workspaceId: string, inputs: readonly NewLead[]): Promise<Lead[]> {
  if (inputs.length === 0) return [];
  const rows = inputs.map((input) => ({
    workspace_id: workspaceId, id: newId(input.at.getTime()), contact_id: input.contactId, account_id: input.accountId,
    stage: input.stage, owner_id: input.ownerId ?? null, opened_at: input.at, stage_entered_at: input.at,
    closed_at: null, mql_at: input.stage === 'mql' ? input.at : null, last_reason_code: null, recheck_at: null,
    source: input.source ?? null, campaign: input.campaign ?? null, first_touch_at: input.firstTouchAt ?? null,
    latest_source: input.source ?? null, latest_campaign: input.campaign ?? null,
    fit_score: null, engagement_score: null, rating: null, definition_id: null,
  }));
  const byId = new Map((await trx.insertInto('lead').values(rows).returningAll().execute()).map((r) => [r.id, toLead(r)]));
  return rows.map((r) => byId.get(r.id)!);
}

export async function getLead(db: DbOrTrx, workspaceId: string, id: string): Promise<Lead | null> {
  const row = await db.selectFrom('lead').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  return row ? toLead(row) : null;
}

/** Several leads by id in one query (missing ids are absent from the map). */
export async function getLeadsByIds(db: DbOrTrx, workspaceId: string, ids: readonly string[]): Promise<Map<string, Lead>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('lead').selectAll().where('workspace_id', '=', workspaceId).where('id', 'in', [...new Set(ids)]).execute();
  return new Map(rows.map((r) => [r.id, toLead(r)]));
}

/** Locks the lead row for the rest of the transaction (stage changes are serialized per lead). */
export async function lockLead(trx: Trx, workspaceId: string, id: string): Promise<Lead | null> {
  const row = await trx.selectFrom('lead').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).forUpdate().executeTakeFirst();
  return row ? toLead(row) : null;
}

export async function findOpenLeadForContact(db: DbOrTrx, workspaceId: string, contactId: string): Promise<Lead | null> {
  const row = await db.selectFrom('lead').selectAll().where('workspace_id', '=', workspaceId).where('contact_id', '=', contactId)
    .where('stage', 'not in', ['won', 'lost', 'disqualified']).executeTakeFirst();
  return row ? toLead(row) : null;
}

/** Hands a contact's closed buying cycles to another contact (after a merge; closed leads never collide). */
export async function moveClosedLeads(trx: Trx, workspaceId: string, fromContactId: string, toContactId: string, at: Date): Promise<void> {
  await trx.updateTable('lead').set({ contact_id: toContactId, updated_at: at })
    .where('workspace_id', '=', workspaceId).where('contact_id', '=', fromContactId).where('stage', 'in', ['won', 'lost', 'disqualified']).execute();
}

/** Hands one lead to another contact (after a merge, once that contact has no other open lead). */
export async function moveLeadToContact(trx: Trx, workspaceId: string, leadId: string, contactId: string, at: Date): Promise<void> {
  await trx.updateTable('lead').set({ contact_id: contactId, updated_at: at }).where('workspace_id', '=', workspaceId).where('id', '=', leadId).execute();
}

export type LeadFilter = { stage?: Stage[]; ownerId?: string; contactId?: string };

export async function listLeads(db: DbOrTrx, workspaceId: string, filter: LeadFilter, page: PageRequest): Promise<Page<Lead>> {
  let query = db.selectFrom('lead').selectAll().where('workspace_id', '=', workspaceId);
  if (filter.stage?.length) query = query.where('stage', 'in', filter.stage);
  if (filter.ownerId) query = query.where('owner_id', '=', filter.ownerId);
  if (filter.contactId) query = query.where('contact_id', '=', filter.contactId);
  if (page.changes) return changePage(db, query, 'lead', page.changes, page.limit, toLead);
  if (page.cursor) query = query.where('id', '<', page.cursor);
  const rows = await query.orderBy('id', 'desc').limit(page.limit + 1).execute();
  return toPage(rows, page.limit, toLead);
}

export type LeadStageChange = {
  stage: Stage; at: Date; closes: boolean; recycleIncrement: number; reasonCode: string | null;
  recheckAt?: Date | null; ownerId?: string | null; definitionId?: string | null;
};

export async function applyStageChange(trx: Trx, workspaceId: string, id: string, change: LeadStageChange): Promise<Lead> {
  const row = await trx.updateTable('lead').set((eb) => ({
    stage: change.stage,
    stage_entered_at: change.at,
    closed_at: change.closes ? change.at : null,
    mql_at: change.stage === 'mql' ? change.at : eb.ref('mql_at'),
    recycle_count: eb('recycle_count', '+', change.recycleIncrement),
    last_reason_code: change.reasonCode ?? eb.ref('last_reason_code'),
    recheck_at: change.recheckAt === undefined ? eb.ref('recheck_at') : change.recheckAt,
    owner_id: change.ownerId === undefined ? eb.ref('owner_id') : change.ownerId,
    definition_id: change.definitionId === undefined ? eb.ref('definition_id') : change.definitionId,
    updated_at: change.at,
  })).where('workspace_id', '=', workspaceId).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  return toLead(row);
}

export async function setLeadOwner(trx: Trx, workspaceId: string, id: string, ownerId: string | null, at: Date): Promise<Lead> {
  const row = await trx.updateTable('lead').set({ owner_id: ownerId, updated_at: at })
    .where('workspace_id', '=', workspaceId).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  return toLead(row);
}
