import type { ActivityType } from '../../core/activity.ts';
import { salesStages, type ReasonCode } from '../../core/lifecycle.ts';
import { fail, ok, type Result } from '../../core/result.ts';
import { insertActivity, type Activity } from '../../storage/activities.repo.ts';
import { listAssignments, type Assignment } from '../../storage/assignments.repo.ts';
import { getLead, lockLead } from '../../storage/leads.repo.ts';
import { listReasonCodes, upsertReasonCodes } from '../../storage/reasons.repo.ts';
import { listClocksForLead, listEscalations, type StoredClock } from '../../storage/sla-clocks.repo.ts';
import { listTransitions, type Actor, type StageTransition } from '../../storage/transitions.repo.ts';
import { withAudit } from '../audit.ts';
import type { AppDeps } from '../context.ts';
import { transitionLeadInTrx, type TransitionOutcome } from '../leads.ts';
import { inTransaction } from '../transaction.ts';
import { onSalesActivity } from './on-lead-transition.ts';

export type TouchInput = { type: Extract<ActivityType, 'sales_call' | 'sales_email' | 'meeting' | 'sales_touch'>; note: string | null; occurredAt: Date | null; actor: Actor };

/** A rep logs a call, email or meeting on a lead: an activity on the contact that stops the first-touch clock. */
export async function logTouch(deps: AppDeps, workspaceId: string, leadId: string, input: TouchInput): Promise<Result<Activity>> {
  const now = deps.clock.now();
  const occurredAt = input.occurredAt ?? now;
  if (occurredAt.getTime() > now.getTime() + 60_000) {
    return fail('ValidationFailed', 'occurred_at is in the future.', [{ path: 'body.occurred_at', message: 'must not be in the future' }]);
  }
  return inTransaction(deps, async (trx) => {
    const lead = await lockLead(trx, workspaceId, leadId);
    if (!lead) return fail('NotFound', `Lead ${leadId} not found in this workspace.`);
    const activity = await insertActivity(trx, workspaceId, {
      contactId: lead.contactId, type: input.type, occurredAt, source: 'sales', medium: null, campaignId: null, utmCampaign: null,
      contentId: null, url: null, referrer: null, eventName: null, properties: { lead_id: lead.id, ...(input.note ? { note: input.note } : {}) },
      actorUserId: input.actor.type === 'user' ? input.actor.id : null, idempotencyKey: null,
    });
    if (!activity) return fail('Conflict', 'This touch was already logged.');
    await onSalesActivity(trx, workspaceId, lead.contactId, { type: input.type, occurredAt }, now);
    return ok(activity);
  });
}

/**
 * Reject or hand back with a reason; where the lead goes follows the reason's configured outcome
 * (nurture: recycled to marketing; disqualified: closed), so admins change the mapping, not reps.
 */
export async function rejectLead(deps: AppDeps, workspaceId: string, leadId: string, input: { reasonCode: string; note: string | null; recheckAt: Date | null; actor: Actor }): Promise<Result<TransitionOutcome>> {
  const reasons = await listReasonCodes(deps.db, workspaceId);
  const reason = reasons.find((r) => r.code === input.reasonCode);
  const usable = reasons.filter((r) => r.outcome !== 'lost').map((r) => r.code);
  if (!reason || reason.outcome === 'lost') {
    return fail('UnknownReason', `Reason '${input.reasonCode}' cannot reject a lead. Use one of: ${usable.join(', ')}.`, [{ path: 'body.reason_code', message: `one of ${usable.join(', ')}` }]);
  }
  const outcome = reason.outcome;
  // The stage check and the move share one transaction and the lead's row lock, so a lead that
  // moved meanwhile is judged as it is now. The move itself is the leads kernel's one lifecycle
  // rule (a feature may call the kernel; the kernel never calls back: hand-off hears of the move
  // through LeadTransitioned like every other subscriber).
  return inTransaction(deps, async (trx) => {
    const lead = await lockLead(trx, workspaceId, leadId);
    if (!lead) return fail('NotFound', `Lead ${leadId} not found in this workspace.`);
    if (!salesStages.includes(lead.stage) || lead.stage === 'opportunity') {
      return fail('TransitionNotAllowed', `Only an mql, sal or sql lead can be rejected or handed back; this one is ${lead.stage}.`);
    }
    return transitionLeadInTrx(trx, workspaceId, leadId, {
      to: outcome, reasonCode: reason.code, note: input.note, recheckAt: outcome === 'nurture' ? input.recheckAt : null, actor: input.actor, at: deps.clock.now(),
    });
  });
}

export type RecycleHistory = { recycleCount: number; events: (StageTransition & { reasonLabel: string | null; outcome: string | null })[] };

/** A lead's hand-backs and re-qualifications with their reasons (from the stage history). */
export async function leadRecycles(deps: AppDeps, workspaceId: string, leadId: string): Promise<Result<RecycleHistory>> {
  const lead = await getLead(deps.db, workspaceId, leadId);
  if (!lead) return fail('NotFound', `Lead ${leadId} not found in this workspace.`);
  const reasons = new Map((await listReasonCodes(deps.db, workspaceId)).map((r) => [r.code, r]));
  const events = (await listTransitions(deps.db, workspaceId, leadId))
    .filter((t) => t.isRecycle || (t.from === 'nurture' && t.to === 'mql') || (t.to === 'disqualified' && t.from !== null && salesStages.includes(t.from)))
    .map((t) => ({ ...t, reasonLabel: t.reasonCode ? reasons.get(t.reasonCode)?.label ?? null : null, outcome: t.reasonCode ? reasons.get(t.reasonCode)?.outcome ?? null : null }));
  return ok({ recycleCount: lead.recycleCount, events });
}

export type HandoffTrail = { assignments: Assignment[]; clocks: StoredClock[]; escalations: Awaited<ReturnType<typeof listEscalations>> };

/** Who got the lead and why, its SLA clocks and escalations. */
export async function leadHandoffTrail(deps: AppDeps, workspaceId: string, leadId: string): Promise<Result<HandoffTrail>> {
  if (!(await getLead(deps.db, workspaceId, leadId))) return fail('NotFound', `Lead ${leadId} not found in this workspace.`);
  return ok({
    assignments: await listAssignments(deps.db, workspaceId, leadId),
    clocks: await listClocksForLead(deps.db, workspaceId, leadId),
    escalations: await listEscalations(deps.db, workspaceId, leadId),
  });
}

/** Replaces labels and outcomes of reason codes (adds new ones); codes already used stay, so history keeps its meaning. */
export async function putReasonCodes(deps: AppDeps, workspaceId: string, codes: readonly ReasonCode[]): Promise<ReasonCode[]> {
  await withAudit(deps, async (trx) => ({ before: await listReasonCodes(trx, workspaceId), after: await upsertReasonCodes(trx, workspaceId, codes) }), (r) => ({ workspaceId, action: 'reason_codes.changed', object: { type: 'reason_codes', id: null }, before: r.before, after: codes, at: deps.clock.now() }));
  return listReasonCodes(deps.db, workspaceId);
}
