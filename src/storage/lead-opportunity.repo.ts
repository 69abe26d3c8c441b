import type { Stage } from '../core/lifecycle.ts';
import type { DbOrTrx, Trx } from './db.ts';
import { newId } from './ids.ts';
import './schema-deals.ts';
import type { Actor } from './transitions.repo.ts';
import { keysetPage, keysetQuery, type Keyset, type Page, type PageRequest } from './page.ts';

/** Adds a contact to an opportunity's roles unless it is already there (its role is then kept). */
export async function addContactRoleIfMissing(trx: Trx, workspaceId: string, opportunityId: string, contactId: string, role: string, isPrimary: boolean): Promise<void> {
  await trx.insertInto('opportunity_contact_role').values({ workspace_id: workspaceId, opportunity_id: opportunityId, contact_id: contactId, role, is_primary: isPrimary })
    .onConflict((oc) => oc.doNothing()).execute();
}

/** Ids of the leads linked to an opportunity that are still open (not won, lost or disqualified), locked, oldest first. */
export async function lockOpenLinkedLeads(trx: Trx, workspaceId: string, opportunityId: string): Promise<{ id: string; stage: Stage }[]> {
  const rows = await trx.selectFrom('lead')
    .innerJoin('opportunity_lead', (j) => j.onRef('opportunity_lead.workspace_id', '=', 'lead.workspace_id').onRef('opportunity_lead.lead_id', '=', 'lead.id'))
    .select(['lead.id', 'lead.stage']).where('lead.workspace_id', '=', workspaceId).where('opportunity_lead.opportunity_id', '=', opportunityId)
    .where('lead.stage', 'not in', ['won', 'lost', 'disqualified']).orderBy('lead.id').forUpdate('lead').execute();
  return rows.map((r) => ({ id: r.id, stage: r.stage as Stage }));
}

export type LinkedDeal = {
  id: string; amount: number; status: string; stage: string; externalId: string | null;
  openedFromLead: string | null; leadCount: number; stageChanges: number;
};

/** The deals a lead is linked to, with what tells an untouched placeholder from a real deal. */
export async function dealsOfLead(trx: Trx, workspaceId: string, leadId: string): Promise<LinkedDeal[]> {
  const rows = await trx.selectFrom('opportunity_lead as ol')
    .innerJoin('opportunity as o', (j) => j.onRef('o.workspace_id', '=', 'ol.workspace_id').onRef('o.id', '=', 'ol.opportunity_id'))
    .select((eb) => [
      'o.id', 'o.amount', 'o.status', 'o.stage', 'o.external_id', 'o.attributes',
      eb.selectFrom('opportunity_lead as x').select((e) => e.fn.countAll<string>().as('n'))
        .whereRef('x.workspace_id', '=', 'o.workspace_id').whereRef('x.opportunity_id', '=', 'o.id').as('lead_count'),
      eb.selectFrom('opportunity_stage_change as c').select((e) => e.fn.countAll<string>().as('n'))
        .whereRef('c.workspace_id', '=', 'o.workspace_id').whereRef('c.opportunity_id', '=', 'o.id').as('stage_changes'),
    ])
    .where('ol.workspace_id', '=', workspaceId).where('ol.lead_id', '=', leadId).orderBy('o.id').forUpdate('o').execute();
  return rows.map((r) => ({
    id: r.id, amount: Number(r.amount), status: r.status, stage: r.stage, externalId: r.external_id,
    openedFromLead: typeof r.attributes?.opened_from_lead === 'string' ? r.attributes.opened_from_lead : null,
    leadCount: Number(r.lead_count ?? 0), stageChanges: Number(r.stage_changes ?? 0),
  }));
}

export async function isLinked(trx: Trx, workspaceId: string, opportunityId: string, leadId: string): Promise<boolean> {
  const row = await trx.selectFrom('opportunity_lead').select('lead_id').where('workspace_id', '=', workspaceId)
    .where('opportunity_id', '=', opportunityId).where('lead_id', '=', leadId).executeTakeFirst();
  return !!row;
}

export async function deleteLink(trx: Trx, workspaceId: string, opportunityId: string, leadId: string): Promise<boolean> {
  const r = await trx.deleteFrom('opportunity_lead').where('workspace_id', '=', workspaceId)
    .where('opportunity_id', '=', opportunityId).where('lead_id', '=', leadId).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Deletes a deal and (by cascade) its links, roles and stage changes: only for an untouched placeholder. */
export async function deleteOpportunity(trx: Trx, workspaceId: string, opportunityId: string): Promise<void> {
  await trx.deleteFrom('opportunity').where('workspace_id', '=', workspaceId).where('id', '=', opportunityId).execute();
}

export type LeadLinkEvent = { id: string; opportunityId: string; leadId: string; action: 'linked' | 'unlinked'; note: string | null; at: Date; actor: Actor };

export async function insertLinkEvent(trx: Trx, workspaceId: string, e: Omit<LeadLinkEvent, 'id'>): Promise<void> {
  await trx.insertInto('opportunity_lead_event').values({
    workspace_id: workspaceId, id: newId(e.at.getTime()), opportunity_id: e.opportunityId, lead_id: e.leadId,
    action: e.action, note: e.note, at: e.at, actor_type: e.actor.type, actor_id: e.actor.id,
  }).execute();
}

/** The link log of a deal or of a lead, oldest first. */
export async function listLinkEvents(db: DbOrTrx, workspaceId: string, by: { opportunityId: string } | { leadId: string }): Promise<LeadLinkEvent[]> {
  let q = db.selectFrom('opportunity_lead_event').selectAll().where('workspace_id', '=', workspaceId);
  q = 'opportunityId' in by ? q.where('opportunity_id', '=', by.opportunityId) : q.where('lead_id', '=', by.leadId);
  const rows = await q.orderBy('at').orderBy('id').limit(500).execute();
  return rows.map(toLinkEvent);
}

type LinkEventRow = { id: string; opportunity_id: string; lead_id: string; action: LeadLinkEvent['action']; note: string | null; at: Date; actor_type: string; actor_id: string | null };
const toLinkEvent = (r: LinkEventRow): LeadLinkEvent => ({
  id: r.id, opportunityId: r.opportunity_id, leadId: r.lead_id, action: r.action, note: r.note, at: r.at,
  actor: { type: r.actor_type as Actor['type'], id: r.actor_id },
});
const linkEventKeyset: Keyset<LinkEventRow> = { id: 'id', idOf: (r) => r.id, direction: 'asc', sort: { column: 'at', type: 'timestamptz' } };

/** A page of who linked and unlinked leads on a deal, oldest first (by time, then id). */
export async function pageLinkEvents(db: DbOrTrx, workspaceId: string, opportunityId: string, page: PageRequest): Promise<Page<LeadLinkEvent>> {
  const q = db.selectFrom('opportunity_lead_event').selectAll().where('workspace_id', '=', workspaceId).where('opportunity_id', '=', opportunityId);
  return keysetPage(await keysetQuery(q, linkEventKeyset, page).execute(), linkEventKeyset, page.limit, toLinkEvent);
}
