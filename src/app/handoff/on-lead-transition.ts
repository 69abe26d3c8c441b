import { isActivityType, salesTouchTypes } from '../../core/activity.ts';
import { salesStages } from '../../core/lifecycle.ts';
import type { Trx } from '../../storage/db.ts';
import { findOpenLeadForContact, getLead, lockLead, type Lead } from '../../storage/leads.repo.ts';
import { listReasonCodes } from '../../storage/reasons.repo.ts';
import { listRunningClocks } from '../../storage/sla-clocks.repo.ts';
import type { DomainEvents } from '../events/domain-events.ts';
import { createLeadAlert } from './alerts.ts';
import { assignLeadOnMql, changeOwnerInTrx } from './assignment.ts';
import { applySlaTrigger } from './sla-clocks.ts';

/**
 * The hand-off's reaction to every stage change (subscriber of LeadTransitioned, so it runs in the
 * transaction of the move: API moves and automatic MQLs alike): on → mql route the lead if
 * unowned, start the clocks and alert the owner; on every change start/stop clocks and move the
 * `sla:<leadId>` timer; on a recycle give the lead back to marketing (no owner) with the reason recorded.
 */
export async function onLeadTransition(trx: Trx, transition: DomainEvents['LeadTransitioned']): Promise<void> {
  const { workspaceId, at: now } = transition;
  const lead = await getLead(trx, workspaceId, transition.leadId);
  if (!lead) return;
  let current = lead;
  let why: string | null = null;
  if (transition.to === 'mql') {
    if (!current.ownerId) {
      const routed = await assignLeadOnMql(trx, workspaceId, current.id, now, { type: 'rule', id: null });
      current = routed.lead;
      why = `assigned to you by routing: ${routed.assignment.explanation}`;
    } else {
      why = 'you own this lead';
    }
  }
  if (transition.isRecycle && current.ownerId) {
    const reason = (await listReasonCodes(trx, workspaceId)).find((r) => r.code === transition.reasonCode);
    const explanation = `recycled to ${transition.to} (${reason ? `${reason.label} → ${reason.outcome}` : transition.reasonCode ?? 'no reason'}): back with marketing`;
    current = (await changeOwnerInTrx(trx, workspaceId, current, { toOwnerId: null, ruleKind: 'recycle', explanation, actor: transition.actor, alert: false }, now)).lead;
  }
  await applySlaTrigger(trx, workspaceId, current, { kind: 'stage', from: transition.from, to: transition.to, ownerId: current.ownerId }, now);
  if (transition.to === 'mql' && current.ownerId) {
    await createLeadAlert(trx, workspaceId, { userId: current.ownerId, lead: current, kind: 'mql_assigned', reason: why, now });
  }
}

export type SalesActivity = { type: string; occurredAt: Date };

/**
 * For the ingestion and activity paths: a sales touch (call, email, meeting) on a contact stops
 * the first-touch clock of its open lead. Call it in the transaction that stores the activity.
 * Returns the lead when one was affected.
 */
export async function onSalesActivity(trx: Trx, workspaceId: string, contactId: string, activity: SalesActivity, now: Date): Promise<Lead | null> {
  if (!isActivityType(activity.type) || !salesTouchTypes.includes(activity.type)) return null;
  const open = await findOpenLeadForContact(trx, workspaceId, contactId);
  if (!open || !salesStages.includes(open.stage)) return null;
  const lead = await lockLead(trx, workspaceId, open.id);
  if (!lead) return null;
  // A touch from before the clock started (an old CRM log) does not meet the current SLA.
  const firstTouch = (await listRunningClocks(trx, workspaceId, lead.id)).find((c) => c.clock.kind === 'first_touch');
  if (!firstTouch) return lead;
  const at = activity.occurredAt.getTime() > now.getTime() ? now : activity.occurredAt;
  if (at.getTime() < firstTouch.clock.startedAt.getTime()) return lead;
  await applySlaTrigger(trx, workspaceId, lead, { kind: 'activity', type: activity.type }, now, at);
  return lead;
}
