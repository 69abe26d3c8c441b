import { fail, ok, type Result } from '../core/result.ts';
import { getAccount } from '../storage/accounts.repo.ts';
import { getContact } from '../storage/contacts.repo.ts';
import type { Trx } from '../storage/db.ts';
import { isUniqueViolation } from '../storage/errors.ts';
import { getLead } from '../storage/leads.repo.ts';
import {
  getOpportunity, insertOpportunity, insertOpportunityStageChange, linkLeads, listOpportunities, lockOpportunity, setContactRoles, updateOpportunity,
  type ContactRole, type NewOpportunity, type Opportunity, type OpportunityDetail, type OpportunityStatus,
} from '../storage/opportunities.repo.ts';
import type { Page, PageRequest } from '../storage/page.ts';
import type { Actor } from '../storage/transitions.repo.ts';
import { getUser } from '../storage/users.repo.ts';
import { lockLinkedLeadsInStage } from '../storage/lead-opportunity.repo.ts';
import type { AppDeps } from './context.ts';
import { transitionLeadInTrx } from './leads.ts';
import { inTransaction } from './transaction.ts';

export type OpportunityInput = Omit<NewOpportunity, 'at'> & { contactRoles: ContactRole[]; leadIds: string[] };

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

export async function createOpportunity(deps: AppDeps, workspaceId: string, input: OpportunityInput, actor: Actor): Promise<Result<OpportunityDetail>> {
  try {
    return await inTransaction(deps, async (trx) => {
      const refs = await checkRefs(trx, workspaceId, input);
      if (!refs.ok) return refs;
      const at = deps.clock.now();
      const opp = await insertOpportunity(trx, workspaceId, { ...input, at });
      await setContactRoles(trx, workspaceId, opp.id, input.contactRoles);
      await linkLeads(trx, workspaceId, opp.id, input.leadIds);
      await insertOpportunityStageChange(trx, workspaceId, { opportunityId: opp.id, fromStage: null, toStage: opp.stage, fromStatus: null, toStatus: opp.status, amount: opp.amount, at, actorType: actor.type, actorId: actor.id });
      return ok({ ...opp, contactRoles: input.contactRoles, leadIds: input.leadIds });
    });
  } catch (e) {
    if (isUniqueViolation(e)) return fail('Conflict', `An opportunity with external id ${input.externalId} already exists.`, [{ path: 'external_id', message: 'taken' }]);
    throw e;
  }
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
    if (patch.leadIds) await linkLeads(trx, workspaceId, id, patch.leadIds);
    if (closing && (updated.status === 'won' || updated.status === 'lost')) {
      const moved = await closeLinkedLeads(trx, workspaceId, id, updated.status, patch.lostReasonCode ?? null, actor, at);
      if (!moved.ok) return moved;
    }
    return ok(null);
  });
  if (!outcome.ok) return outcome;
  return findOpportunity(deps, workspaceId, id);
}

/**
 * Winning or losing a deal closes the buying cycles that were waiting on it: linked leads in stage
 * `opportunity` move to won/lost (lost needs a reason, like any lost lead). Leads in other stages
 * are left alone: they were not (or are no longer) riding on this deal.
 */
async function closeLinkedLeads(trx: Trx, workspaceId: string, opportunityId: string, status: 'won' | 'lost', reasonCode: string | null, actor: Actor, at: Date): Promise<Result<null>> {
  for (const leadId of await lockLinkedLeadsInStage(trx, workspaceId, opportunityId, 'opportunity')) {
    const moved = await transitionLeadInTrx(trx, workspaceId, leadId, { to: status, reasonCode, note: `opportunity ${opportunityId} ${status}`, actor, at });
    if (!moved.ok) {
      return fail(moved.code, `Linked lead ${leadId} could not follow the opportunity to ${status}: ${moved.message}`,
        moved.details.map((d) => ({ path: d.path === 'reason_code' ? 'lost_reason_code' : d.path, message: d.message })));
    }
  }
  return ok(null);
}

export async function findOpportunity(deps: AppDeps, workspaceId: string, id: string): Promise<Result<OpportunityDetail>> {
  const opp = await getOpportunity(deps.db, workspaceId, id);
  return opp ? ok(opp) : fail('NotFound', `Opportunity ${id} not found in this workspace.`);
}

export async function searchOpportunities(deps: AppDeps, workspaceId: string, filter: { status?: OpportunityStatus; accountId?: string }, page: PageRequest): Promise<Page<Opportunity>> {
  return listOpportunities(deps.db, workspaceId, filter, page);
}
