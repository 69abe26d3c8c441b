import { isClosed } from '../../core/lifecycle.ts';
import { fail, ok, type Result } from '../../core/result.ts';
import { route } from '../../core/routing/route-lead.rules.ts';
import type { RoutingRule } from '../../core/routing/routing-rules.schema.ts';
import { getAccount } from '../../storage/accounts.repo.ts';
import { insertAssignment, type Assignment } from '../../storage/assignments.repo.ts';
import { getContact } from '../../storage/contacts.repo.ts';
import type { Trx } from '../../storage/db.ts';
import { lockLead, setLeadOwner, type Lead } from '../../storage/leads.repo.ts';
import { listRoutingReps, lockRoutingState, saveRoutingState } from '../../storage/routing.repo.ts';
import type { Actor } from '../../storage/transitions.repo.ts';
import { getUser } from '../../storage/users.repo.ts';
import { recordAudit } from '../audit.ts';
import type { AppDeps } from '../context.ts';
import { publish } from '../events/dispatcher.ts';
import { inTransaction } from '../transaction.ts';
import { createLeadAlert } from './alerts.ts';
import { currentRoutingRules } from './routing-config.ts';
import { applySlaTrigger } from './sla-clocks.ts';

export type AssignmentOutcome = { lead: Lead; assignment: Assignment };

function teamsOf(rules: readonly RoutingRule[]): string[] {
  return rules.flatMap((r) => (r.kind === 'round_robin' ? [r.team] : r.kind === 'territory' && 'team' in r.assign ? [r.assign.team] : []));
}

function productInterests(attributes: Record<string, unknown>): string[] {
  const v = attributes.product_interests ?? attributes.product_interest;
  if (Array.isArray(v)) return v.map(String);
  return typeof v === 'string' && v ? v.split(',').map((s) => s.trim()).filter(Boolean) : [];
}

/**
 * Routes a lead that just became MQL with the current rule set (core route()), sets its owner and
 * records why: rule, explanation, trace and routing version. Round-robin credits are locked per
 * team for the transaction, so concurrent MQLs take turns.
 */
export async function assignLeadOnMql(trx: Trx, workspaceId: string, leadId: string, now: Date, actor: Actor): Promise<AssignmentOutcome> {
  const lead = await lockLead(trx, workspaceId, leadId);
  if (!lead) throw new Error(`assignLeadOnMql: lead ${leadId} not found`);
  const config = await currentRoutingRules(trx, workspaceId);
  const rrState = await lockRoutingState(trx, workspaceId, teamsOf(config.rules));
  const reps = await listRoutingReps(trx, workspaceId);
  const contact = await getContact(trx, workspaceId, lead.contactId);
  const account = lead.accountId ? await getAccount(trx, workspaceId, lead.accountId) : null;
  const decision = route(
    { country: contact?.country ?? null, region: null, productInterests: productInterests(contact?.attributes ?? {}) },
    account ? { country: account.country, region: account.region, industry: account.industry, employeeCount: account.employeeCount, ownerId: account.ownerId } : null,
    reps, rrState, config.rules, now,
  );
  await saveRoutingState(trx, workspaceId, decision.newRrState, now);
  const updated = decision.ownerId !== lead.ownerId ? await setLeadOwner(trx, workspaceId, lead.id, decision.ownerId, now) : lead;
  const assignment = await insertAssignment(trx, workspaceId, {
    leadId: lead.id, ownerId: decision.ownerId, previousOwnerId: lead.ownerId, queue: decision.queue,
    team: decision.team ?? (decision.ownerId ? reps.find((r) => r.id === decision.ownerId)?.team ?? null : null),
    ruleIndex: decision.ruleIndex, ruleKind: decision.ruleKind, explanation: decision.explanation, trace: decision.trace,
    routingVersion: config.version, actor, note: null, at: now,
  });
  if (decision.ownerId !== lead.ownerId) {
    await publish(trx, 'LeadAssigned', {
      workspaceId, leadId: lead.id, contactId: lead.contactId, ownerId: decision.ownerId, previousOwnerId: lead.ownerId,
      reason: decision.explanation, ruleKind: decision.ruleKind, actor, at: now,
    });
  }
  return { lead: updated, assignment };
}

export type OwnerChange = {
  toOwnerId: string | null; ruleKind: 'manual' | 'escalation' | 'recycle'; explanation: string; actor: Actor;
  note?: string | null; queue?: string | null; team?: string | null; alert?: boolean;
};

/**
 * Moves a lead to another owner (a manager's reassignment, an SLA escalation) as a recorded
 * assignment: running clocks restart for the new owner and the new owner is alerted.
 */
export async function changeOwnerInTrx(trx: Trx, workspaceId: string, lead: Lead, change: OwnerChange, now: Date): Promise<AssignmentOutcome> {
  const updated = await setLeadOwner(trx, workspaceId, lead.id, change.toOwnerId, now);
  const newOwner = change.toOwnerId ? await getUser(trx, workspaceId, change.toOwnerId) : null;
  const assignment = await insertAssignment(trx, workspaceId, {
    leadId: lead.id, ownerId: change.toOwnerId, previousOwnerId: lead.ownerId, queue: change.queue ?? null,
    team: change.team ?? newOwner?.team ?? null, ruleIndex: null, ruleKind: change.ruleKind, explanation: change.explanation, trace: [],
    routingVersion: null, actor: change.actor, note: change.note ?? null, at: now,
  });
  await publish(trx, 'LeadAssigned', {
    workspaceId, leadId: lead.id, contactId: lead.contactId, ownerId: change.toOwnerId, previousOwnerId: lead.ownerId,
    reason: change.explanation, ruleKind: change.ruleKind, actor: change.actor, at: now,
  });
  if (change.ruleKind !== 'recycle') {
    await applySlaTrigger(trx, workspaceId, updated, { kind: 'assigned', stage: updated.stage, ownerId: change.toOwnerId }, now);
  }
  if (change.toOwnerId && change.alert !== false) {
    await createLeadAlert(trx, workspaceId, { userId: change.toOwnerId, lead: updated, kind: 'reassigned', reason: change.explanation, now });
  }
  return { lead: updated, assignment };
}

/** A manager's reassignment: `POST /api/v1/leads/{id}/assign`. */
export async function reassignLead(deps: AppDeps, workspaceId: string, leadId: string, input: { ownerId: string; note: string | null; actor: Actor }): Promise<Result<AssignmentOutcome>> {
  const owner = await getUser(deps.db, workspaceId, input.ownerId);
  if (!owner || owner.disabledAt) {
    return fail('ValidationFailed', `User ${input.ownerId} is not an active user of this workspace.`, [{ path: 'owner_id', message: 'unknown or disabled user' }]);
  }
  if (owner.role !== 'sales' && owner.role !== 'sales_manager') {
    return fail('ValidationFailed', `${owner.email} has role ${owner.role}; leads go to sales or sales_manager users.`, [{ path: 'owner_id', message: 'not a sales user' }]);
  }
  const now = deps.clock.now();
  return inTransaction(deps, async (trx) => {
    const lead = await lockLead(trx, workspaceId, leadId);
    if (!lead) return fail('NotFound', `Lead ${leadId} not found in this workspace.`);
    if (isClosed(lead.stage)) return fail('Conflict', `Lead ${leadId} is closed (${lead.stage}); it cannot be reassigned.`);
    if (lead.ownerId === owner.id) return fail('Conflict', `Lead ${leadId} is already owned by ${owner.email}.`, [{ path: 'owner_id', message: 'current owner' }]);
    const explanation = `reassigned by a manager to ${owner.name}${input.note ? `: ${input.note}` : ''}`;
    const outcome = await changeOwnerInTrx(trx, workspaceId, lead, { toOwnerId: owner.id, ruleKind: 'manual', explanation, actor: input.actor, note: input.note }, now);
    // Who owns a lead decides who must work it (and whose SLA runs): a person's reassignment is audited.
    await recordAudit(trx, {
      workspaceId, action: 'lead.reassigned', object: { type: 'lead', id: leadId }, at: now,
      before: { owner_id: lead.ownerId }, after: { owner_id: owner.id }, ...(input.note ? { reason: input.note } : {}),
    });
    return ok(outcome);
  });
}
