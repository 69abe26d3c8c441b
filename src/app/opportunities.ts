import { fail, ok, type Result } from '../core/result.ts';
import { getAccount } from '../storage/accounts.repo.ts';
import { getContact } from '../storage/contacts.repo.ts';
import type { Trx } from '../storage/db.ts';
import { isUniqueViolation } from '../storage/errors.ts';
import { getLead } from '../storage/leads.repo.ts';
import {
  getOpportunity, insertOpportunity, insertOpportunityStageChange, listOpportunities, lockOpportunity, setContactRoles, updateOpportunity,
  type ContactRole, type NewOpportunity, type Opportunity, type OpportunityDetail, type OpportunityStatus,
} from '../storage/opportunities.repo.ts';
import type { Page, PageRequest } from '../storage/page.ts';
import type { Actor } from '../storage/transitions.repo.ts';
import { getUser } from '../storage/users.repo.ts';
import { pageLinkEvents, type LeadLinkEvent } from '../storage/lead-opportunity.repo.ts';
import type { AppDeps } from './context.ts';
import { closeLeadsWithOpportunityInTrx, linkLeadToOpportunityInTrx, publishOpportunityChanged, unlinkLeadFromOpportunityInTrx } from './lead-opportunity.ts';
import { inTransaction } from './transaction.ts';

export type OpportunityInput = Omit<NewOpportunity, 'at'> & {
  contactRoles: ContactRole[]; leadIds: string[];
  /** A deal created lost: the reason (outcome lost) its linked leads close with. */
  lostReasonCode?: string | null;
};

async function checkRefs(trx: Trx, workspaceId: string, o: Partial<OpportunityInput>): Promise<Result<null>> {
  if (o.accountId && !(await getAccount(trx, workspaceId, o.accountId))) return fail('ValidationFailed', `Account ${o.accountId} does not exist.`, [{ path: 'account_id', message: 'unknown account' }]);
  if (o.ownerId && !(await getUser(trx, workspaceId, o.ownerId))) return fail('ValidationFailed', `User ${o.ownerId} does not exist.`, [{ path: 'owner_id', message: 'unknown user' }]);
  for (const [i, r] of (o.contactRoles ?? []).entries()) {
    if (!(await getContact(trx, workspaceId, r.contactId))) return fail('ValidationFailed', `Contact ${r.contactId} does not exist.`, [{ path: `contact_roles[${i}].contact_id`, message: 'unknown contact' }]);
  }
  for (const [i, id] of (o.leadIds ?? []).entries()) {
    if (!(await getLead(trx, workspaceId, id))) return fail('ValidationFailed', `Lead ${id} does not exist.`, [{ path: `lead_ids[${i}]`, message: 'unknown lead' }]);
  }
  return ok(null);
}

/** Creates a deal; its leads are linked through the lead–deal rule (they move to opportunity, or follow a deal created won/lost). */
export async function createOpportunity(deps: AppDeps, workspaceId: string, input: OpportunityInput, actor: Actor): Promise<Result<OpportunityDetail>> {
  let id = '';
  try {
    const created = await inTransaction(deps, async (trx): Promise<Result<null>> => {
      const refs = await checkRefs(trx, workspaceId, input);
      if (!refs.ok) return refs;
      const at = deps.clock.now();
      const opp = await insertOpportunity(trx, workspaceId, { ...input, at });
      id = opp.id;
      await setContactRoles(trx, workspaceId, opp.id, input.contactRoles);
      await insertOpportunityStageChange(trx, workspaceId, { opportunityId: opp.id, fromStage: null, toStage: opp.stage, fromStatus: null, toStatus: opp.status, amount: opp.amount, at, actorType: actor.type, actorId: actor.id });
      const linked = await linkLeadsInTrx(trx, workspaceId, opp.id, input.leadIds, input.lostReasonCode ?? null, actor, at);
      if (!linked.ok) return linked;
      await publishOpportunityChanged(trx, workspaceId, opp.id, 'created', actor, at);
      return ok(null);
    });
    if (!created.ok) return created;
  } catch (e) {
    if (isUniqueViolation(e)) return fail('Conflict', `An opportunity with external id ${input.externalId} already exists.`, [{ path: 'external_id', message: 'taken' }]);
    throw e;
  }
  return findOpportunity(deps, workspaceId, id);
}

/** Links each lead through the rule; a refusal names the lead's place in `lead_ids`. */
async function linkLeadsInTrx(trx: Trx, workspaceId: string, opportunityId: string, leadIds: readonly string[], lostReasonCode: string | null, actor: Actor, at: Date): Promise<Result<null>> {
  for (const [i, leadId] of leadIds.entries()) {
    const linked = await linkLeadToOpportunityInTrx(trx, workspaceId, { leadId, opportunityId, lostReasonCode, actor, at });
    if (!linked.ok) {
      return fail(linked.code, `Lead ${leadId} could not be linked: ${linked.message}`, linked.details.map((d) => ({
        path: d.path === 'reason_code' ? 'lost_reason_code' : d.path === 'lead_id' ? `lead_ids[${i}]` : d.path, message: d.message,
      })));
    }
  }
  return ok(null);
}

export type OpportunityPatch = Partial<Omit<OpportunityInput, 'externalId'>> & {
  /** Reason code (outcome 'lost') recorded on the linked leads when the deal is marked lost. */
  lostReasonCode?: string | null;
};

/** Updates an opportunity; stage/status/amount changes are recorded like lead transitions. */
export async function patchOpportunity(deps: AppDeps, workspaceId: string, id: string, patch: OpportunityPatch, actor: Actor): Promise<Result<OpportunityDetail>> {
  const outcome = await inTransaction(deps, async (trx) => {
    const current = await lockOpportunity(trx, workspaceId, id);
    if (!current) return fail('NotFound', `Opportunity ${id} not found in this workspace.`);
    const refs = await checkRefs(trx, workspaceId, patch);
    if (!refs.ok) return refs;
    const at = deps.clock.now();
    const closing = patch.status !== undefined && patch.status !== current.status;
    const updated = await updateOpportunity(trx, workspaceId, id, { ...patch, at, ...(closing ? { closedAt: patch.status === 'open' ? null : at } : {}) });
    if (updated.stage !== current.stage || updated.status !== current.status || updated.amount !== current.amount) {
      await insertOpportunityStageChange(trx, workspaceId, { opportunityId: id, fromStage: current.stage, toStage: updated.stage, fromStatus: current.status, toStatus: updated.status, amount: updated.amount, at, actorType: actor.type, actorId: actor.id });
    }
    if (patch.contactRoles) await setContactRoles(trx, workspaceId, id, patch.contactRoles);
    if (closing && (updated.status === 'won' || updated.status === 'lost')) {
      const moved = await closeLeadsWithOpportunityInTrx(trx, workspaceId, updated, updated.status, patch.lostReasonCode ?? null, actor, at);
      if (!moved.ok) return moved;
    }
    // lead_ids adds links (each through the rule); removing one is the explicit unlink.
    if (patch.leadIds) {
      const linked = await linkLeadsInTrx(trx, workspaceId, id, patch.leadIds, patch.lostReasonCode ?? null, actor, at);
      if (!linked.ok) return linked;
    }
    await publishOpportunityChanged(trx, workspaceId, id, closing && updated.status !== 'open' ? 'closed' : 'updated', actor, at);
    return ok(null);
  });
  if (!outcome.ok) return outcome;
  return findOpportunity(deps, workspaceId, id);
}

/** Links a lead to a deal through the lead–deal rule (the lead walks to opportunity; see lead-opportunity.ts). */
export async function linkLeadToOpportunity(deps: AppDeps, workspaceId: string, opportunityId: string, input: { leadId: string; note: string | null; lostReasonCode: string | null }, actor: Actor): Promise<Result<OpportunityDetail>> {
  if (!(await getOpportunity(deps.db, workspaceId, opportunityId))) return fail('NotFound', `Opportunity ${opportunityId} not found in this workspace.`);
  const at = deps.clock.now();
  const linked = await inTransaction(deps, async (trx) => {
    const done = await linkLeadToOpportunityInTrx(trx, workspaceId, { ...input, opportunityId, actor, at });
    if (done.ok && !done.value.alreadyLinked) await publishOpportunityChanged(trx, workspaceId, opportunityId, 'linked', actor, at);
    return done;
  });
  if (!linked.ok) return linked.details.some((d) => d.path === 'reason_code')
    ? fail(linked.code, linked.message, linked.details.map((d) => ({ ...d, path: 'lost_reason_code' })))
    : linked;
  return findOpportunity(deps, workspaceId, opportunityId);
}

/** Explicit unlink, logged with its note; the lead keeps its stage. */
export async function unlinkLeadFromOpportunity(deps: AppDeps, workspaceId: string, opportunityId: string, input: { leadId: string; note: string | null }, actor: Actor): Promise<Result<OpportunityDetail>> {
  const at = deps.clock.now();
  const done = await inTransaction(deps, async (trx) => {
    const unlinked = await unlinkLeadFromOpportunityInTrx(trx, workspaceId, { ...input, opportunityId, actor, at });
    if (unlinked.ok) await publishOpportunityChanged(trx, workspaceId, opportunityId, 'unlinked', actor, at);
    return unlinked;
  });
  if (!done.ok) return done;
  return findOpportunity(deps, workspaceId, opportunityId);
}

/** Who linked and unlinked which leads, when and why (oldest first). */
export async function opportunityLeadLinks(deps: AppDeps, workspaceId: string, opportunityId: string, page: PageRequest): Promise<Result<Page<LeadLinkEvent>>> {
  if (!(await getOpportunity(deps.db, workspaceId, opportunityId))) return fail('NotFound', `Opportunity ${opportunityId} not found in this workspace.`);
  return ok(await pageLinkEvents(deps.db, workspaceId, opportunityId, page));
}

export async function findOpportunity(deps: AppDeps, workspaceId: string, id: string): Promise<Result<OpportunityDetail>> {
  const opp = await getOpportunity(deps.db, workspaceId, id);
  return opp ? ok(opp) : fail('NotFound', `Opportunity ${id} not found in this workspace.`);
}

export async function searchOpportunities(deps: AppDeps, workspaceId: string, filter: { status?: OpportunityStatus; accountId?: string }, page: PageRequest): Promise<Page<Opportunity>> {
  return listOpportunities(deps.db, workspaceId, filter, page);
}
