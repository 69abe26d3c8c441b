import { fail, ok, type Result } from '../core/result.ts';
import { getAccount } from '../storage/accounts.repo.ts';
import { getContact } from '../storage/contacts.repo.ts';
import type { Trx } from '../storage/db.ts';
import { addContactRoleIfMissing } from '../storage/lead-opportunity.repo.ts';
import type { Lead } from '../storage/leads.repo.ts';
import { insertOpportunity, insertOpportunityStageChange, linkLeads, lockOpportunity, setContactRoles, type Opportunity } from '../storage/opportunities.repo.ts';
import type { Actor } from '../storage/transitions.repo.ts';

/** The stage a deal opened from a lead starts in. */
export const initialOpportunityStage = 'Qualification';

/**
 * A lead reaching `opportunity` is tied to a deal in the same transaction: the given one (linked,
 * and the lead's contact added as an influencer), or a new one named after the account or contact
 * with amount 0 (sales fills it in), owned by the lead's owner, the contact as primary role.
 */
export async function linkOrOpenOpportunityInTrx(trx: Trx, workspaceId: string, lead: Lead, input: { opportunityId: string | null; actor: Actor; at: Date }): Promise<Result<Opportunity>> {
  if (input.opportunityId) {
    const opp = await lockOpportunity(trx, workspaceId, input.opportunityId);
    if (!opp) return fail('ValidationFailed', `Opportunity ${input.opportunityId} does not exist in this workspace.`, [{ path: 'opportunity_id', message: 'unknown opportunity' }]);
    if (opp.status !== 'open') return fail('Conflict', `Opportunity ${opp.id} is already ${opp.status}; link the lead to an open one or omit opportunity_id to open a new one.`, [{ path: 'opportunity_id', message: `status ${opp.status}` }]);
    await linkLeads(trx, workspaceId, opp.id, [lead.id]);
    await addContactRoleIfMissing(trx, workspaceId, opp.id, lead.contactId, 'influencer', false);
    return ok(opp);
  }
  const [contact, account] = await Promise.all([
    getContact(trx, workspaceId, lead.contactId),
    lead.accountId ? getAccount(trx, workspaceId, lead.accountId) : Promise.resolve(null),
  ]);
  const person = [contact?.firstName, contact?.lastName].filter(Boolean).join(' ') || contact?.email || `contact ${lead.contactId}`;
  const opp = await insertOpportunity(trx, workspaceId, {
    name: account ? `${account.name} – ${person}` : person, accountId: lead.accountId, amount: 0, currency: 'USD',
    stage: initialOpportunityStage, status: 'open', closeDate: null, ownerId: lead.ownerId, externalId: null,
    attributes: { opened_from_lead: lead.id }, at: input.at,
  });
  await setContactRoles(trx, workspaceId, opp.id, [{ contactId: lead.contactId, role: 'primary', isPrimary: true }]);
  await linkLeads(trx, workspaceId, opp.id, [lead.id]);
  await insertOpportunityStageChange(trx, workspaceId, {
    opportunityId: opp.id, fromStage: null, toStage: opp.stage, fromStatus: null, toStatus: opp.status, amount: 0, at: input.at,
    actorType: input.actor.type, actorId: input.actor.id,
  });
  return ok(opp);
}
