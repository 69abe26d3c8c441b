import { leadDealMove, type DealStatus } from '../core/lead-deal.rules.ts';
import { isClosed } from '../core/lifecycle.ts';
import { fail, ok, type Result } from '../core/result.ts';
import { getAccount } from '../storage/accounts.repo.ts';
import { getContact } from '../storage/contacts.repo.ts';
import type { Trx } from '../storage/db.ts';
import {
  addContactRoleIfMissing, dealsOfLead, deleteLink, deleteOpportunity, insertLinkEvent, isLinked, lockOpenLinkedLeads, type LinkedDeal,
} from '../storage/lead-opportunity.repo.ts';
import { getLead, lockLead, type Lead } from '../storage/leads.repo.ts';
import { getOpportunity, insertOpportunity, insertOpportunityStageChange, linkLeads, lockOpportunity, setContactRoles, type Opportunity } from '../storage/opportunities.repo.ts';
import { listTransitions, type Actor, type StageTransition } from '../storage/transitions.repo.ts';
// A cycle by design (leads.ts hands a move to a given deal to this rule): only functions cross it, called at run time.
import type { DomainEvents } from './events/domain-events.ts';
import { publish } from './events/dispatcher.ts';
import { transitionLeadInTrx, type TransitionOutcome } from './leads.ts';

/**
 * THE rule that keeps leads and deals in step. Every door (REST transitions, the opportunities API,
 * CSV import, a CRM sync) links, closes and unlinks through these functions, in the caller's
 * transaction:
 * - `linkLeadToOpportunityInTrx`: a lead linked to a deal walks the lifecycle to `opportunity`
 *   (each step an ordinary transition: history, SLA clocks, routing and nurture hooks run; note
 *   "linked to deal …"); never a second deal. A lead already at `opportunity` on the $0 placeholder
 *   deal that was opened for it is moved to the real deal and the untouched placeholder is deleted
 *   (logged); a lead riding on another real open deal is refused until unlinked. Linking to a deal
 *   already won or lost makes the lead follow it (lost needs a reason).
 * - `closeLeadsWithOpportunityInTrx`: a deal won or lost moves every linked open lead, whatever
 *   its stage, through the lifecycle to won/lost (lost needs a lost reason).
 * - `unlinkLeadFromOpportunityInTrx`: explicit, logged with a note; the lead's stage is left as is.
 * Links and unlinks are logged in opportunity_lead_event (who, when, why).
 */

/** The stage a deal opened from a lead starts in. */
export const initialOpportunityStage = 'Qualification';

/**
 * A lead reaching `opportunity` without a given deal gets one in the same transaction: named after
 * the account or contact, amount 0 (sales fills it in), owned by the lead's owner, the contact as
 * primary role. Linking the lead to a real deal later replaces this placeholder while untouched.
 */
export async function openOpportunityForLeadInTrx(trx: Trx, workspaceId: string, lead: Lead, input: { actor: Actor; at: Date }): Promise<Opportunity> {
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
  await publishOpportunityChanged(trx, workspaceId, opp.id, 'created', input.actor, input.at);
  return opp;
}

/** Publishes OpportunityChanged with the deal as it stands now in `trx` (stage, amount, status, linked leads). */
export async function publishOpportunityChanged(trx: Trx, workspaceId: string, opportunityId: string, change: DomainEvents['OpportunityChanged']['change'], actor: Actor, at: Date): Promise<void> {
  const opp = await getOpportunity(trx, workspaceId, opportunityId);
  if (!opp) return;
  await publish(trx, 'OpportunityChanged', {
    workspaceId, opportunityId, change, stage: opp.stage, status: opp.status, isWon: opp.status === 'won', isLost: opp.status === 'lost',
    amount: opp.amount, currency: opp.currency, closeDate: opp.closeDate, leadIds: opp.leadIds, actor, at,
  });
}

export type LinkLeadInput = {
  leadId: string; opportunityId: string; actor: Actor; at: Date;
  /** Recorded on the walked transitions and the link log; default `linked to deal "<name>" (<id>)`. */
  note?: string | null;
  /** With a deal already lost: the lost reason (outcome lost) the lead closes with. */
  lostReasonCode?: string | null;
  /**
   * The caller asked to move the lead *to opportunity* (the transitions route): the deal must be
   * open, and a lead already linked but elsewhere in the lifecycle (e.g. handed back to nurture) walks back too.
   */
  explicitMove?: boolean;
};

export type LinkLeadOutcome = {
  lead: Lead; opportunity: Opportunity;
  /** The lifecycle steps walked, in order (none when the lead already stood at `opportunity`). */
  transitions: StageTransition[];
  /** The untouched $0 deal opened for this lead that the real deal replaced (deleted), if any. */
  replacedPlaceholderId: string | null;
  /** The lead was already linked to this deal: nothing changed. */
  alreadyLinked: boolean;
};

/**
 * Links a lead to a deal and moves it to `opportunity` (see the rule above). Refusals: unknown deal
 * (ValidationFailed, path opportunity_id), unknown lead (ValidationFailed, path lead_id), a closed
 * lead or one riding on another real open deal (Conflict), a lost deal without a lost reason
 * (ReasonRequired, path reason_code). Idempotent: linking again changes nothing.
 */
export async function linkLeadToOpportunityInTrx(trx: Trx, workspaceId: string, input: LinkLeadInput): Promise<Result<LinkLeadOutcome>> {
  const opp = await lockOpportunity(trx, workspaceId, input.opportunityId);
  if (!opp) return fail('ValidationFailed', `Opportunity ${input.opportunityId} does not exist in this workspace.`, [{ path: 'opportunity_id', message: 'unknown opportunity' }]);
  if (input.explicitMove && opp.status !== 'open') {
    return fail('Conflict', `Opportunity ${opp.id} is already ${opp.status}; link the lead to an open one or omit opportunity_id to open a new one.`, [{ path: 'opportunity_id', message: `status ${opp.status}` }]);
  }
  const lead = await lockLead(trx, workspaceId, input.leadId);
  if (!lead) return fail('ValidationFailed', `Lead ${input.leadId} does not exist in this workspace.`, [{ path: 'lead_id', message: 'unknown lead' }]);
  const linked = await isLinked(trx, workspaceId, opp.id, lead.id);
  const unchanged = { lead, opportunity: opp, transitions: [], replacedPlaceholderId: null, alreadyLinked: true };
  if (isClosed(lead.stage)) {
    if (linked) return ok(unchanged);
    return fail('Conflict', `Lead ${lead.id} is closed (${lead.stage}); a closed buying cycle cannot join a deal. Open a new lead for the contact.`, [{ path: 'lead_id', message: `lead ${lead.stage}` }]);
  }
  // Already riding on this open deal: nothing to do, whatever the stage (a lead handed back to nurture
  // stays there; re-sending a deal's whole lead_ids list must not pull it back).
  if (linked && opp.status === 'open' && (!input.explicitMove || lead.stage === 'opportunity')) return ok(unchanged);
  const note = input.note ?? `linked to deal "${opp.name}" (${opp.id})`;

  const replaced = await leaveOtherDeals(trx, workspaceId, lead, opp.id, input.actor, input.at);
  if (!replaced.ok) return replaced;
  const walked = await walkLead(trx, workspaceId, lead, 'open', { note, actor: input.actor, at: input.at, opportunityId: opp.id });
  if (!walked.ok) return walked;
  if (!linked) {
    await linkLeads(trx, workspaceId, opp.id, [lead.id]);
    await addContactRoleIfMissing(trx, workspaceId, opp.id, lead.contactId, 'influencer', false);
    await insertLinkEvent(trx, workspaceId, { opportunityId: opp.id, leadId: lead.id, action: 'linked', note, at: input.at, actor: input.actor });
  }
  let { lead: current, transitions } = walked.value;
  if (opp.status === 'won' || opp.status === 'lost') {
    const followed = await followDeal(trx, workspaceId, current, opp, opp.status, input.lostReasonCode ?? null, input.actor, input.at);
    if (!followed.ok) return followed;
    current = followed.value.lead;
    transitions = [...transitions, ...followed.value.transitions];
  }
  return ok({ lead: current, opportunity: opp, transitions, replacedPlaceholderId: replaced.value, alreadyLinked: false });
}

/**
 * A deal's outcome reaches every linked lead still open, whatever its stage: each walks the
 * lifecycle to won/lost (noted "deal … won"). Lost needs a lost reason, reported on
 * `lost_reason_code`; on any refusal the caller's transaction rolls back (nothing half-closed).
 */
export async function closeLeadsWithOpportunityInTrx(trx: Trx, workspaceId: string, opp: Pick<Opportunity, 'id' | 'name'>, status: 'won' | 'lost', reasonCode: string | null, actor: Actor, at: Date): Promise<Result<string[]>> {
  const moved: string[] = [];
  for (const { id, stage } of await lockOpenLinkedLeads(trx, workspaceId, opp.id)) {
    const followed = await followDeal(trx, workspaceId, { id, stage }, opp, status, reasonCode, actor, at);
    if (!followed.ok) {
      return fail(followed.code, `Linked lead ${id} could not follow the opportunity to ${status}: ${followed.message}`,
        followed.details.map((d) => ({ path: d.path === 'reason_code' ? 'lost_reason_code' : d.path, message: d.message })));
    }
    moved.push(id);
  }
  return ok(moved);
}

/** Removes a lead from a deal, logged with its note; the lead's stage is left as it is. */
export async function unlinkLeadFromOpportunityInTrx(trx: Trx, workspaceId: string, input: { opportunityId: string; leadId: string; note: string | null; actor: Actor; at: Date }): Promise<Result<null>> {
  const opp = await lockOpportunity(trx, workspaceId, input.opportunityId);
  if (!opp) return fail('NotFound', `Opportunity ${input.opportunityId} not found in this workspace.`);
  if (!(await deleteLink(trx, workspaceId, opp.id, input.leadId))) {
    return fail('NotFound', `Lead ${input.leadId} is not linked to opportunity ${opp.id}.`, [{ path: 'lead_id', message: 'not linked' }]);
  }
  await insertLinkEvent(trx, workspaceId, { opportunityId: opp.id, leadId: input.leadId, action: 'unlinked', note: input.note, at: input.at, actor: input.actor });
  return ok(null);
}

/**
 * `POST /leads/{id}/transitions {to: opportunity, opportunity_id}` through the rule: the answer is
 * the transition into `opportunity` (the last one, when the lead already stood there and was only relinked).
 */
export async function moveLeadToOpportunityInTrx(trx: Trx, workspaceId: string, leadId: string, input: { opportunityId: string; note?: string | null; actor: Actor; at: Date }): Promise<Result<TransitionOutcome>> {
  // Read, not locked: the rule locks the deal first, then the lead (the order patching a deal takes).
  if (!(await getLead(trx, workspaceId, leadId))) return fail('NotFound', `Lead ${leadId} not found in this workspace.`);
  const linked = await linkLeadToOpportunityInTrx(trx, workspaceId, { ...input, leadId, explicitMove: true });
  if (!linked.ok) return linked;
  const transition = linked.value.transitions.at(-1) ?? (await listTransitions(trx, workspaceId, leadId)).at(-1)!;
  return ok({ lead: linked.value.lead, transition, opportunityId: linked.value.opportunity.id });
}

/** A real deal is one sales touched; the placeholder opened for this lead, untouched, can give way. */
const isPlaceholderOf = (d: LinkedDeal, leadId: string) =>
  d.openedFromLead === leadId && d.amount === 0 && d.status === 'open' && d.externalId === null && d.leadCount === 1
  && d.stageChanges <= 1 && d.stage === initialOpportunityStage;

/** Answers the deleted placeholder's id; refuses while the lead rides on another real open deal. */
async function leaveOtherDeals(trx: Trx, workspaceId: string, lead: Lead, opportunityId: string, actor: Actor, at: Date): Promise<Result<string | null>> {
  let replaced: string | null = null;
  for (const deal of await dealsOfLead(trx, workspaceId, lead.id)) {
    if (deal.id === opportunityId || deal.status !== 'open') continue;
    if (!isPlaceholderOf(deal, lead.id)) {
      return fail('Conflict', `Lead ${lead.id} already rides on open opportunity ${deal.id}; unlink it first (POST /api/v1/opportunities/${deal.id}/leads/${lead.id}/unlink) or close that deal.`, [{ path: 'lead_id', message: `linked to ${deal.id}` }]);
    }
    await insertLinkEvent(trx, workspaceId, { opportunityId: deal.id, leadId: lead.id, action: 'unlinked', note: `placeholder deal replaced by deal ${opportunityId}; the empty placeholder was deleted`, at, actor });
    await deleteOpportunity(trx, workspaceId, deal.id);
    replaced = deal.id;
  }
  return ok(replaced);
}

type Walked = { lead: Lead; transitions: StageTransition[] };

/**
 * Ordinary transitions, one per step the lead↔deal rule (core `leadDealMove`) gives for a lead linked
 * to a deal in `deal` status; each is decided by `transitionLeadInTrx` against the workspace's taxonomy.
 */
async function walkLead(trx: Trx, workspaceId: string, lead: Pick<Lead, 'id' | 'stage'> & Partial<Lead>, deal: DealStatus, step: { note: string; actor: Actor; at: Date; opportunityId: string; reasonCode?: string | null }): Promise<Result<Walked>> {
  const move = leadDealMove(lead.stage, deal, { reasonCode: step.reasonCode ?? null });
  if (!move.ok) return fail(move.code, `Lead ${lead.id}: ${move.message}`, move.details);
  const transitions: StageTransition[] = [];
  let current = lead as Lead;
  for (const s of move.value?.steps ?? []) {
    const moved = await transitionLeadInTrx(trx, workspaceId, lead.id, {
      to: s.to, note: step.note, actor: step.actor, at: step.at,
      // The deal is given, so reaching `opportunity` links it here instead of opening a placeholder.
      opportunityId: s.to === 'opportunity' ? step.opportunityId : null,
      reasonCode: s.reasonCode,
    });
    if (!moved.ok) return moved;
    current = moved.value.lead;
    transitions.push(moved.value.transition);
  }
  return ok({ lead: current, transitions });
}

function followDeal(trx: Trx, workspaceId: string, lead: Pick<Lead, 'id' | 'stage'>, opp: Pick<Opportunity, 'id' | 'name'>, status: 'won' | 'lost', reasonCode: string | null, actor: Actor, at: Date): Promise<Result<Walked>> {
  return walkLead(trx, workspaceId, lead, status, { note: `deal "${opp.name}" (${opp.id}) ${status}`, actor, at, opportunityId: opp.id, reasonCode });
}
