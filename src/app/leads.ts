import { decideTransition, isClosed, type Stage } from '../core/lifecycle.ts';
import { openClockStatus, type OpenClockStatus } from '../core/sla/clock-status.rules.ts';
import { fail, ok, type Result } from '../core/result.ts';
import { getContact, getContactsByIds, type Contact } from '../storage/contacts.repo.ts';
import { getAccountsByIds, type Account } from '../storage/accounts.repo.ts';
import type { Trx } from '../storage/db.ts';
import { isUniqueViolation } from '../storage/errors.ts';
import { applyStageChange, findOpenLeadForContact, getLead, insertLeads, listLeads, lockLead, setLeadOwner, type Lead, type LeadFilter } from '../storage/leads.repo.ts';
import type { Page, PageRequest } from '../storage/page.ts';
import { listReasonCodes } from '../storage/reasons.repo.ts';
import { listOpenClocksForLeads } from '../storage/sla-clocks.repo.ts';
import { insertTransition, insertTransitions, latestQualifications, pageTransitions, type Actor, type Qualification, type StageTransition } from '../storage/transitions.repo.ts';
import { getUser } from '../storage/users.repo.ts';
import type { AppDeps } from './context.ts';
import { publish } from './events/dispatcher.ts';
import { moveLeadToOpportunityInTrx, openOpportunityForLeadInTrx } from './lead-opportunity.ts';
import { inTransaction } from './transaction.ts';

export type OpenLeadInput = { contactId: string; ownerId?: string | null; actor: Actor; at?: Date; stage?: Stage };

/** Opens a new buying cycle for a contact at `inquiry`; refused while the contact has an open lead. */
export async function openLead(deps: AppDeps, workspaceId: string, input: OpenLeadInput): Promise<Result<Lead>> {
  const contact = await getContact(deps.db, workspaceId, input.contactId);
  if (!contact || contact.status === 'merged') {
    return fail('ValidationFailed', `Contact ${input.contactId} does not exist in this workspace.`, [{ path: 'contact_id', message: 'unknown contact' }]);
  }
  if (input.ownerId && !(await getUser(deps.db, workspaceId, input.ownerId))) {
    return fail('ValidationFailed', `User ${input.ownerId} does not exist in this workspace.`, [{ path: 'owner_id', message: 'unknown user' }]);
  }
  const existing = await findOpenLeadForContact(deps.db, workspaceId, contact.id);
  if (existing) return openLeadConflict(existing);
  const at = input.at ?? deps.clock.now();
  try {
    return await inTransaction(deps, async (trx) => ok(await openLeadInTrx(trx, workspaceId, {
      contactId: contact.id, accountId: contact.accountId, ownerId: input.ownerId ?? null, at, actor: input.actor,
      source: contact.firstTouch.source, campaign: contact.firstTouch.campaign, firstTouchAt: contact.firstTouch.at,
    })));
  } catch (e) {
    if (isUniqueViolation(e)) {
      const winner = await findOpenLeadForContact(deps.db, workspaceId, contact.id);
      if (winner) return openLeadConflict(winner);
    }
    throw e;
  }
}

function openLeadConflict(existing: Lead) {
  return fail('Conflict', `Contact ${existing.contactId} already has an open lead (${existing.id}, stage ${existing.stage}); close it (won, lost or disqualified) before opening a new buying cycle.`, [{ path: 'contact_id', message: `open lead ${existing.id}` }]);
}

export type OpenLeadInTrxInput = {
  contactId: string; accountId: string | null; ownerId: string | null; at: Date; actor: Actor;
  source: string | null; campaign: string | null; firstTouchAt: Date | null; note?: string | null;
  /** The definition version whose inquiry rule opened the lead (null: opened by hand or import). */
  definitionId?: string | null;
};

/** Inserts the lead and its first transition (null → inquiry) in the caller's transaction; publishes LeadOpened. */
export async function openLeadInTrx(trx: Trx, workspaceId: string, input: OpenLeadInTrxInput): Promise<Lead> {
  return (await openLeadsInTrx(trx, workspaceId, [input]))[0]!;
}

/**
 * Several leads at once (one per contact: the inquiries a batch of activities opens): two statements
 * whatever their number, then LeadOpened for each, in the order given.
 */
export async function openLeadsInTrx(trx: Trx, workspaceId: string, inputs: readonly OpenLeadInTrxInput[]): Promise<Lead[]> {
  const leads = await insertLeads(trx, workspaceId, inputs.map((input) => ({
    contactId: input.contactId, accountId: input.accountId, ownerId: input.ownerId, at: input.at, stage: 'inquiry' as const,
    source: input.source, campaign: input.campaign, firstTouchAt: input.firstTouchAt,
  })));
  await insertTransitions(trx, workspaceId, inputs.map((input, i) => ({
    leadId: leads[i]!.id, from: null, to: 'inquiry' as const, at: input.at, actor: input.actor, reasonCode: null,
    note: input.note ?? 'new buying cycle', definitionId: input.definitionId ?? null, isRecycle: false,
  })));
  for (const [i, lead] of leads.entries()) {
    const { at, actor, definitionId } = inputs[i]!;
    await publish(trx, 'LeadOpened', {
      workspaceId, leadId: lead.id, contactId: lead.contactId, accountId: lead.accountId, ownerId: lead.ownerId, at,
      actor, definitionId: definitionId ?? null, origin: definitionId ? 'inquiry_rule' : 'api',
    });
  }
  return leads;
}

export type TransitionInput = {
  to: Stage; reasonCode?: string | null; note?: string | null; recheckAt?: Date | null;
  actor: Actor; definitionId?: string | null; at?: Date;
  /** Only with to=opportunity: link this open deal instead of opening a new one (through linkLeadToOpportunityInTrx). */
  opportunityId?: string | null;
};

/** `opportunityId`: the deal the lead was tied to when it reached `opportunity`. */
export type TransitionOutcome = { lead: Lead; transition: StageTransition; opportunityId?: string };

/** Moves a lead through the lifecycle: lock, decide (core), write lead + history in one transaction. */
export async function transitionLead(deps: AppDeps, workspaceId: string, leadId: string, input: TransitionInput): Promise<Result<TransitionOutcome>> {
  // Moving to a given deal is the lead–deal rule's (lead-opportunity.ts): it walks the lifecycle and never opens a second deal.
  if (input.to === 'opportunity' && input.opportunityId) {
    const { opportunityId, note, actor } = input;
    return inTransaction(deps, (trx) => moveLeadToOpportunityInTrx(trx, workspaceId, leadId, { opportunityId, note, actor, at: input.at ?? deps.clock.now() }));
  }
  return inTransaction(deps, (trx) => transitionLeadInTrx(trx, workspaceId, leadId, { ...input, at: input.at ?? deps.clock.now() }));
}

export async function transitionLeadInTrx(trx: Trx, workspaceId: string, leadId: string, requested: TransitionInput & { at: Date }): Promise<Result<TransitionOutcome>> {
  const lead = await lockLead(trx, workspaceId, leadId);
  if (!lead) return fail('NotFound', `Lead ${leadId} not found in this workspace.`);
  // History never goes back in time: a move is never dated before the stage it leaves was entered
  // (an inquiry dated at its activity and an MQL dated at the batch's receipt may otherwise cross).
  const input = requested.at < lead.stageEnteredAt ? { ...requested, at: lead.stageEnteredAt } : requested;
  const taxonomy = await listReasonCodes(trx, workspaceId);
  const decision = decideTransition({ from: lead.stage, to: input.to, reasonCode: input.reasonCode ?? null }, taxonomy);
  if (!decision.ok) return decision;
  const { rule, reason, recycleIncrement, closes } = decision.value;
  if (input.recheckAt && rule.to !== 'nurture') {
    return fail('ValidationFailed', 'recheck_at only applies when handing a lead back to nurture.', [{ path: 'recheck_at', message: 'only with to=nurture' }]);
  }
  if (input.opportunityId && rule.to !== 'opportunity') {
    return fail('ValidationFailed', 'opportunity_id only applies when moving a lead to opportunity.', [{ path: 'opportunity_id', message: 'only with to=opportunity' }]);
  }
  const updated = await applyStageChange(trx, workspaceId, lead.id, {
    stage: rule.to, at: input.at, closes, recycleIncrement, reasonCode: reason?.code ?? null,
    recheckAt: rule.to === 'nurture' ? input.recheckAt ?? null : undefined,
    definitionId: input.definitionId === undefined ? undefined : input.definitionId,
  });
  const transition = await insertTransition(trx, workspaceId, {
    leadId: lead.id, from: lead.stage, to: rule.to, at: input.at, actor: input.actor, reasonCode: reason?.code ?? null,
    note: input.note ?? null, definitionId: input.definitionId ?? null, isRecycle: recycleIncrement > 0,
  });
  // Subscribers react in this transaction (src/app/compose.ts): the hand-off routes, starts/stops
  // SLA clocks and alerts; nurture pauses while sales holds the lead and takes recycled leads back.
  await publish(trx, 'LeadTransitioned', {
    workspaceId, leadId: lead.id, contactId: lead.contactId, transitionId: transition.id, from: lead.stage, to: rule.to, at: input.at,
    actor: input.actor, reasonCode: transition.reasonCode, note: transition.note, definitionId: transition.definitionId,
    isRecycle: transition.isRecycle, recheckAt: updated.recheckAt,
  });
  // The lead as the subscribers left it (routing may have given it an owner).
  const reacted = (await getLead(trx, workspaceId, lead.id)) ?? updated;
  if (rule.to === 'opportunity') {
    // With a deal given, the caller is the lead–deal rule (linkLeadToOpportunityInTrx), which links it.
    if (input.opportunityId) return ok({ lead: reacted, transition, opportunityId: input.opportunityId });
    const opp = await openOpportunityForLeadInTrx(trx, workspaceId, reacted, { actor: input.actor, at: input.at });
    return ok({ lead: reacted, transition, opportunityId: opp.id });
  }
  return ok({ lead: reacted, transition });
}

export async function findLead(deps: AppDeps, workspaceId: string, id: string): Promise<Result<Lead>> {
  const lead = await getLead(deps.db, workspaceId, id);
  return lead ? ok(lead) : fail('NotFound', `Lead ${id} not found in this workspace.`);
}

export async function searchLeads(deps: AppDeps, workspaceId: string, filter: LeadFilter, page: PageRequest): Promise<Page<Lead>> {
  return listLeads(deps.db, workspaceId, filter, page);
}

/** `prediction`: see inbox-predictions.ts (the route asks it beside these). */
export type LeadInclude = 'contact' | 'account' | 'qualification' | 'prediction';
/**
 * The contacts, accounts and latest MQL explanations a page of leads points at, set-based: one query
 * per included kind (WHERE id = ANY(...)), never one per row. Keys are ids; leads whose contact/account is gone map to nothing.
 */
export async function leadRelations(deps: AppDeps, workspaceId: string, leads: Lead[], include: readonly LeadInclude[]): Promise<{ contacts: Map<string, Contact>; accounts: Map<string, Account>; qualifications: Map<string, Qualification> }> {
  const contactIds = include.includes('contact') ? [...new Set(leads.map((l) => l.contactId))] : [];
  const accountIds = include.includes('account') ? [...new Set(leads.map((l) => l.accountId).filter((id): id is string => !!id))] : [];
  const leadIds = include.includes('qualification') ? leads.map((l) => l.id) : [];
  const [contacts, accounts, qualifications] = await Promise.all([
    getContactsByIds(deps.db, workspaceId, contactIds),
    getAccountsByIds(deps.db, workspaceId, accountIds),
    latestQualifications(deps.db, workspaceId, leadIds),
  ]);
  return { contacts: new Map(contacts.map((c) => [c.id, c])), accounts: new Map(accounts.map((a) => [a.id, a])), qualifications };
}

/**
 * Each lead's open SLA clock due first, evaluated now: one query for the whole page (lead_id = ANY),
 * so the inbox needs no request per row. Leads without an open clock are absent from the map.
 */
export async function leadSlaStatuses(deps: AppDeps, workspaceId: string, leadIds: readonly string[]): Promise<Map<string, OpenClockStatus>> {
  const clocks = await listOpenClocksForLeads(deps.db, workspaceId, leadIds);
  const now = deps.clock.now();
  const out = new Map<string, OpenClockStatus>();
  for (const [leadId, stored] of clocks) {
    const status = openClockStatus(stored.map((c) => c.clock), now);
    if (status) out.set(leadId, status);
  }
  return out;
}

export async function leadHistory(deps: AppDeps, workspaceId: string, id: string, page: PageRequest): Promise<Result<Page<StageTransition>>> {
  const lead = await getLead(deps.db, workspaceId, id);
  if (!lead) return fail('NotFound', `Lead ${id} not found in this workspace.`);
  return ok(await pageTransitions(deps.db, workspaceId, id, page));
}

export async function assignLead(deps: AppDeps, workspaceId: string, id: string, ownerId: string | null, actor: Actor = { type: 'system', id: null }): Promise<Result<Lead>> {
  if (ownerId && !(await getUser(deps.db, workspaceId, ownerId))) {
    return fail('ValidationFailed', `User ${ownerId} does not exist in this workspace.`, [{ path: 'owner_id', message: 'unknown user' }]);
  }
  return inTransaction(deps, async (trx) => {
    const lead = await lockLead(trx, workspaceId, id);
    if (!lead) return fail('NotFound', `Lead ${id} not found in this workspace.`);
    if (isClosed(lead.stage)) return fail('Conflict', `Lead ${id} is closed (${lead.stage}); it cannot be reassigned.`);
    const at = deps.clock.now();
    const updated = await setLeadOwner(trx, workspaceId, id, ownerId, at);
    if (lead.ownerId !== ownerId) {
      await publish(trx, 'LeadAssigned', {
        workspaceId, leadId: id, contactId: lead.contactId, ownerId, previousOwnerId: lead.ownerId,
        reason: ownerId ? 'owner set through the API' : 'owner cleared through the API', ruleKind: 'api', actor, at,
      });
    }
    return ok(updated);
  });
}
