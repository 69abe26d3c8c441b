import { isClosed, type Stage } from '../../core/lifecycle.ts';
import { fail, ok, type Result } from '../../core/result.ts';
import { findLinkByExternal, findOpportunityIdByExternalId, upsertLink, type CrmProvider } from '../../storage/crm.repo.ts';
import type { Trx } from '../../storage/db.ts';
import { addContactRoleIfMissing } from '../../storage/lead-opportunity.repo.ts';
import { findOpenLeadForContact, lockLead } from '../../storage/leads.repo.ts';
import { insertOpportunity, insertOpportunityStageChange, lockOpportunity, updateOpportunity, type Opportunity } from '../../storage/opportunities.repo.ts';
import type { Actor } from '../../storage/transitions.repo.ts';
import { closeLeadsWithOpportunityInTrx, linkLeadToOpportunityInTrx } from '../lead-opportunity.ts';
import { transitionLeadInTrx } from '../leads.ts';

/**
 * What a pulled CRM record does to Leadloop, for every connector: deals are created or updated and
 * their leads moved ONLY through the lead↔deal rule (src/app/lead-opportunity.ts), leads walk the
 * lifecycle through ordinary transitions (history, SLA clocks, hand-off and nurture hooks run).
 * Runs in the caller's per-record transaction; answers what changed, in words for the sync log.
 */
export const crmActor: Actor = { type: 'system', id: null };

export type RemoteDeal = {
  provider: CrmProvider; objectType: string; externalId: string; stamp: string;
  name: string; amount: number; currency: string; stage: string; outcome: 'open' | 'won' | 'lost'; closeDate: string | null; ownerId: string | null;
  /** The Leadloop account of the deal's company (matched by domain), if known. */
  accountId?: string | null;
  /** Leadloop contacts on the deal (the CRM's contact roles / associations matched by email). */
  roles: { contactId: string; role: string; isPrimary: boolean }[];
};

export type Applied = { changed: boolean; actions: string[]; opportunityId: string | null };

/**
 * Creates or updates the Leadloop deal for a CRM deal, then links `leadIds` and the open leads of
 * the deal's contacts through the rule; a deal won or lost walks its linked leads to won/lost
 * (lost with the mapping's lost reason). Idempotent: the same record applied twice changes nothing.
 */
export async function applyRemoteDealInTrx(trx: Trx, workspaceId: string, connectionId: string, deal: RemoteDeal, input: { leadIds: string[]; lostReasonCode: string; at: Date }): Promise<Result<Applied>> {
  const actions: string[] = [];
  const label = deal.provider === 'salesforce' ? 'Salesforce' : 'HubSpot';
  const externalKey = `${deal.provider}:${deal.externalId}`;
  const link = await findLinkByExternal(trx, workspaceId, connectionId, deal.objectType, deal.externalId);
  const localId = link?.localId ?? await findOpportunityIdByExternalId(trx, workspaceId, externalKey);
  let opp: Opportunity | null = localId ? await lockOpportunity(trx, workspaceId, localId) : null;
  const at = input.at;
  if (!opp) {
    opp = await insertOpportunity(trx, workspaceId, {
      name: deal.name.slice(0, 500), accountId: deal.accountId ?? null, amount: deal.amount, currency: deal.currency, stage: deal.stage, status: deal.outcome,
      closeDate: deal.closeDate, ownerId: deal.ownerId, externalId: externalKey, attributes: { crm: deal.provider, crm_id: deal.externalId }, at,
    });
    await insertOpportunityStageChange(trx, workspaceId, { opportunityId: opp.id, fromStage: null, toStage: opp.stage, fromStatus: null, toStatus: opp.status, amount: opp.amount, at, actorType: crmActor.type, actorId: crmActor.id });
    actions.push(`created deal "${opp.name}" (${deal.outcome}, ${deal.amount} ${deal.currency})`);
  } else {
    const patch: Parameters<typeof updateOpportunity>[3] = { at };
    if (opp.name !== deal.name) patch.name = deal.name.slice(0, 500);
    if (opp.amount !== deal.amount) patch.amount = deal.amount;
    if (opp.currency !== deal.currency) patch.currency = deal.currency;
    if (opp.stage !== deal.stage) patch.stage = deal.stage;
    if (opp.closeDate !== deal.closeDate) patch.closeDate = deal.closeDate;
    if (deal.ownerId && opp.ownerId !== deal.ownerId) patch.ownerId = deal.ownerId;
    if (deal.accountId && opp.accountId !== deal.accountId) patch.accountId = deal.accountId;
    const statusChanged = opp.status !== deal.outcome;
    if (statusChanged) { patch.status = deal.outcome; patch.closedAt = deal.outcome === 'open' ? null : at; }
    if (Object.keys(patch).length > 1) {
      const before = opp;
      opp = await updateOpportunity(trx, workspaceId, opp.id, patch);
      if (before.stage !== opp.stage || before.status !== opp.status || before.amount !== opp.amount) {
        await insertOpportunityStageChange(trx, workspaceId, { opportunityId: opp.id, fromStage: before.stage, toStage: opp.stage, fromStatus: before.status, toStatus: opp.status, amount: opp.amount, at, actorType: crmActor.type, actorId: crmActor.id });
      }
      actions.push(`updated deal "${opp.name}": ${Object.keys(patch).filter((k) => k !== 'at' && k !== 'closedAt').join(', ')}`);
      if (statusChanged && (opp.status === 'won' || opp.status === 'lost')) {
        const moved = await closeLeadsWithOpportunityInTrx(trx, workspaceId, opp, opp.status, opp.status === 'lost' ? input.lostReasonCode : null, crmActor, at);
        if (!moved.ok) return moved;
        if (moved.value.length) actions.push(`${moved.value.length} linked lead(s) moved to ${opp.status}`);
      }
    }
  }
  for (const role of deal.roles) {
    await addContactRoleIfMissing(trx, workspaceId, opp.id, role.contactId, role.role, role.isPrimary);
  }
  // Open leads of the deal's people ride on it (the rule walks them to opportunity, or to won/lost).
  const leadIds = new Set(input.leadIds);
  for (const role of deal.roles) {
    const open = await findOpenLeadForContact(trx, workspaceId, role.contactId);
    if (open) leadIds.add(open.id);
  }
  for (const leadId of leadIds) {
    const linked = await linkLeadToOpportunityInTrx(trx, workspaceId, {
      leadId, opportunityId: opp.id, actor: crmActor, at, lostReasonCode: opp.status === 'lost' ? input.lostReasonCode : null,
      note: `${label}: linked to ${deal.objectType} ${deal.externalId} ("${opp.name}")`,
    });
    if (!linked.ok) {
      // A lead closed before the CRM deal existed keeps its history; the deal still gets the person.
      if (linked.code === 'Conflict' && linked.message.includes('is closed')) { actions.push(`lead ${leadId} is closed: not linked`); continue; }
      return linked;
    }
    if (!linked.value.alreadyLinked) actions.push(`lead ${leadId} linked → ${linked.value.lead.stage}`);
  }
  await upsertLink(trx, workspaceId, connectionId, { objectType: deal.objectType, externalId: deal.externalId, localKind: 'opportunity', localId: opp.id, remoteStamp: deal.stamp });
  return ok({ changed: actions.length > 0, actions, opportunityId: opp.id });
}

/** Ensures a lead rides on a deal already applied (a converted CRM lead), through the rule. */
export async function linkLeadToLocalDealInTrx(trx: Trx, workspaceId: string, leadId: string, opportunityId: string, note: string, lostReasonCode: string, at: Date): Promise<Result<string[]>> {
  const opp = await lockOpportunity(trx, workspaceId, opportunityId);
  if (!opp) return fail('NotFound', `deal ${opportunityId} is gone`);
  const linked = await linkLeadToOpportunityInTrx(trx, workspaceId, { leadId, opportunityId, actor: crmActor, at, note, lostReasonCode: opp.status === 'lost' ? lostReasonCode : null });
  if (!linked.ok) return linked;
  return ok(linked.value.alreadyLinked ? [] : [`lead linked to deal "${opp.name}" → ${linked.value.lead.stage}`]);
}

/** Walks a lead through `path` (ordinary transitions; the reason goes on the last step). */
export async function walkLeadInTrx(trx: Trx, workspaceId: string, leadId: string, path: Stage[], reasonCode: string | null, note: string, at: Date): Promise<Result<Stage | null>> {
  const lead = await lockLead(trx, workspaceId, leadId);
  if (!lead) return fail('NotFound', `lead ${leadId} is gone`);
  if (isClosed(lead.stage)) return ok(null);
  let stage: Stage | null = null;
  for (const [i, to] of path.entries()) {
    const moved = await transitionLeadInTrx(trx, workspaceId, leadId, { to, note, actor: crmActor, at, reasonCode: i === path.length - 1 ? reasonCode : null });
    if (!moved.ok) return moved;
    stage = moved.value.lead.stage;
  }
  return ok(stage);
}
