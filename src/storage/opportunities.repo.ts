import type { Selectable } from 'kysely';
import type { DbOrTrx, Trx } from './db.ts';
import { newId } from './ids.ts';
import { changePage } from './change-feed.ts';
import { toPage, type Page, type PageRequest } from './page.ts';
import type { OpportunityTable } from './schema.ts';

export type OpportunityStatus = 'open' | 'won' | 'lost';
export type ContactRole = { contactId: string; role: string; isPrimary: boolean };
export type Opportunity = {
  id: string; name: string; accountId: string | null; amount: number; currency: string; stage: string; status: OpportunityStatus;
  closeDate: string | null; ownerId: string | null; externalId: string | null; attributes: Record<string, unknown>;
  createdAt: Date; updatedAt: Date; closedAt: Date | null;
};
export type OpportunityDetail = Opportunity & { contactRoles: ContactRole[]; leadIds: string[] };

export const toOpportunity = (r: Selectable<OpportunityTable>): Opportunity => ({
  id: r.id, name: r.name, accountId: r.account_id, amount: Number(r.amount), currency: r.currency, stage: r.stage,
  status: r.status as OpportunityStatus, closeDate: r.close_date, ownerId: r.owner_id, externalId: r.external_id,
  attributes: r.attributes, createdAt: r.created_at, updatedAt: r.updated_at, closedAt: r.closed_at,
});

export type NewOpportunity = {
  name: string; accountId: string | null; amount: number; currency: string; stage: string; status: OpportunityStatus;
  closeDate: string | null; ownerId: string | null; externalId: string | null; attributes: Record<string, unknown>; at: Date;
};

export async function insertOpportunity(trx: Trx, workspaceId: string, o: NewOpportunity): Promise<Opportunity> {
  const row = await trx.insertInto('opportunity').values({
    workspace_id: workspaceId, id: newId(o.at.getTime()), name: o.name, account_id: o.accountId, amount: o.amount, currency: o.currency,
    stage: o.stage, status: o.status, close_date: o.closeDate, owner_id: o.ownerId, external_id: o.externalId,
    attributes: JSON.stringify(o.attributes), created_at: o.at, updated_at: o.at, closed_at: o.status === 'open' ? null : o.at,
  } as any).returningAll().executeTakeFirstOrThrow();
  return toOpportunity(row);
}

export async function lockOpportunity(trx: Trx, workspaceId: string, id: string): Promise<Opportunity | null> {
  const row = await trx.selectFrom('opportunity').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).forUpdate().executeTakeFirst();
  return row ? toOpportunity(row) : null;
}

export async function updateOpportunity(trx: Trx, workspaceId: string, id: string, patch: Partial<Omit<NewOpportunity, 'at'>> & { at: Date; closedAt?: Date | null }): Promise<Opportunity> {
  const set: Record<string, unknown> = { updated_at: patch.at };
  if (patch.name !== undefined) set.name = patch.name;
  if (patch.accountId !== undefined) set.account_id = patch.accountId;
  if (patch.amount !== undefined) set.amount = patch.amount;
  if (patch.currency !== undefined) set.currency = patch.currency;
  if (patch.stage !== undefined) set.stage = patch.stage;
  if (patch.status !== undefined) set.status = patch.status;
  if (patch.closeDate !== undefined) set.close_date = patch.closeDate;
  if (patch.ownerId !== undefined) set.owner_id = patch.ownerId;
  if (patch.attributes !== undefined) set.attributes = JSON.stringify(patch.attributes);
  if (patch.closedAt !== undefined) set.closed_at = patch.closedAt;
  const row = await trx.updateTable('opportunity').set(set as any).where('workspace_id', '=', workspaceId).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  return toOpportunity(row);
}

export async function insertOpportunityStageChange(trx: Trx, workspaceId: string, c: { opportunityId: string; fromStage: string | null; toStage: string; fromStatus: string | null; toStatus: string; amount: number; at: Date; actorType: string; actorId: string | null }): Promise<void> {
  await trx.insertInto('opportunity_stage_change').values({
    workspace_id: workspaceId, id: newId(c.at.getTime()), opportunity_id: c.opportunityId, from_stage: c.fromStage, to_stage: c.toStage,
    from_status: c.fromStatus, to_status: c.toStatus, amount: c.amount, at: c.at, actor_type: c.actorType, actor_id: c.actorId,
  }).execute();
}

export async function setContactRoles(trx: Trx, workspaceId: string, opportunityId: string, roles: ContactRole[]): Promise<void> {
  await trx.deleteFrom('opportunity_contact_role').where('workspace_id', '=', workspaceId).where('opportunity_id', '=', opportunityId).execute();
  if (roles.length === 0) return;
  await trx.insertInto('opportunity_contact_role').values(roles.map((r) => ({
    workspace_id: workspaceId, opportunity_id: opportunityId, contact_id: r.contactId, role: r.role, is_primary: r.isPrimary,
  }))).execute();
}

export async function linkLeads(trx: Trx, workspaceId: string, opportunityId: string, leadIds: string[]): Promise<void> {
  if (leadIds.length === 0) return;
  await trx.insertInto('opportunity_lead').values(leadIds.map((leadId) => ({ workspace_id: workspaceId, opportunity_id: opportunityId, lead_id: leadId })))
    .onConflict((oc) => oc.doNothing()).execute();
}

export async function getOpportunity(db: DbOrTrx, workspaceId: string, id: string): Promise<OpportunityDetail | null> {
  const row = await db.selectFrom('opportunity').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  if (!row) return null;
  const [roles, leads] = await Promise.all([
    db.selectFrom('opportunity_contact_role').selectAll().where('workspace_id', '=', workspaceId).where('opportunity_id', '=', id).execute(),
    db.selectFrom('opportunity_lead').select('lead_id').where('workspace_id', '=', workspaceId).where('opportunity_id', '=', id).execute(),
  ]);
  return {
    ...toOpportunity(row),
    contactRoles: roles.map((r) => ({ contactId: r.contact_id, role: r.role, isPrimary: r.is_primary })),
    leadIds: leads.map((l) => l.lead_id),
  };
}

export async function listOpportunities(db: DbOrTrx, workspaceId: string, filter: { status?: OpportunityStatus; accountId?: string }, page: PageRequest): Promise<Page<Opportunity>> {
  let query = db.selectFrom('opportunity').selectAll().where('workspace_id', '=', workspaceId);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.accountId) query = query.where('account_id', '=', filter.accountId);
  if (page.changes) return changePage(db, query, 'opportunity', page.changes, page.limit, toOpportunity);
  if (page.cursor) query = query.where('id', '<', page.cursor);
  const rows = await query.orderBy('id', 'desc').limit(page.limit + 1).execute();
  return toPage(rows, page.limit, toOpportunity);
}
