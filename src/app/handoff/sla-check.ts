import { decideEscalation } from '../../core/sla/escalation.rules.ts';
import { evaluateClock, markEscalated } from '../../core/sla/sla-clock.rules.ts';
import { lockLead } from '../../storage/leads.repo.ts';
import { firstSalesManager, getTeam, listRoutingReps, lockRoutingState, saveRoutingState } from '../../storage/routing.repo.ts';
import { insertEscalation, listLeadsWithOverdueClocks, listRunningClocks, updateClock } from '../../storage/sla-clocks.repo.ts';
import { getUser } from '../../storage/users.repo.ts';
import type { AppDeps } from '../context.ts';
import { createLeadAlert } from './alerts.ts';
import { changeOwnerInTrx } from './assignment.ts';
import { rescheduleSlaTimer, teamOfLead } from './sla-clocks.ts';
import { loadSlaSetup } from './sla-setup.ts';
import { withTransaction } from '../transaction.ts';

export type SlaCheckOutcome = { escalations: number; reassignedTo: string | null | undefined };

/**
 * The `sla-check` timer (job key `sla:<leadId>`): evaluates the lead's running clocks at
 * deps.clock's now, performs the escalation steps that are due (core decideEscalation: notify the
 * manager or owner with an alert, reassign to the next rep by round robin or to the queue),
 * records each step as an `sla_escalation` row and schedules the next wake-up.
 */
export async function runSlaCheck(deps: AppDeps, workspaceId: string, leadId: string): Promise<SlaCheckOutcome> {
  const now = deps.clock.now();
  return withTransaction(deps, async (trx) => {
    const lead = await lockLead(trx, workspaceId, leadId);
    if (!lead) return { escalations: 0, reassignedTo: undefined };
    const running = await listRunningClocks(trx, workspaceId, leadId);
    const teamName = await teamOfLead(trx, workspaceId, lead);
    const setup = await loadSlaSetup(trx, workspaceId, teamName);
    const owner = lead.ownerId ? await getUser(trx, workspaceId, lead.ownerId) : null;
    const team = teamName ? await getTeam(trx, workspaceId, teamName) : null;
    const managerId = owner?.managerId ?? team?.managerId ?? (await firstSalesManager(trx, workspaceId));
    let rrState = await lockRoutingState(trx, workspaceId, teamName ? [teamName] : []);
    const reps = await listRoutingReps(trx, workspaceId);
    let escalations = 0;
    let reassignedTo: string | null | undefined;

    for (const stored of running) {
      // A reassignment restarted every running clock for the new owner; the rest waits for the next run.
      if (reassignedTo !== undefined) break;
      const evaluation = evaluateClock(stored.clock, now);
      if (evaluation.escalationStepsDue.length === 0) {
        if (evaluation.state === 'breached') await updateClock(trx, workspaceId, stored.id, stored.clock, 'breached');
        continue;
      }
      const decision = decideEscalation({
        clock: stored.clock, steps: evaluation.escalationStepsDue, rrState, now, queue: 'unassigned',
        team: { id: teamName ?? 'no team', managerId, reps, timeZone: setup.calendar.timeZone },
      });
      rrState = decision.rrState;
      await updateClock(trx, workspaceId, stored.id, markEscalated(stored.clock, evaluation.escalationStepsDue, now), evaluation.state);
      for (const action of decision.actions) {
        escalations += 1;
        await insertEscalation(trx, workspaceId, {
          leadId, clockId: stored.id, kind: stored.clock.kind, stepIndex: action.stepIndex, action: action.type === 'notify' ? `notify_${action.role}` : action.type,
          recipientId: action.type === 'notify' ? action.recipientId : null, fromOwnerId: action.type === 'reassign' ? action.fromOwnerId : stored.clock.ownerId,
          toOwnerId: action.type === 'reassign' ? action.toOwnerId : null, queue: action.type === 'reassign' ? action.queue : null, reason: action.reason, at: now,
        });
        if (action.type === 'notify') {
          await createLeadAlert(trx, workspaceId, { userId: action.recipientId, lead, kind: action.role === 'manager' ? 'sla_breach' : 'sla_reminder', reason: action.reason, now });
        } else if (action.type === 'reassign') {
          reassignedTo = action.toOwnerId;
          await changeOwnerInTrx(trx, workspaceId, lead, {
            toOwnerId: action.toOwnerId, ruleKind: 'escalation', explanation: action.reason, actor: { type: 'system', id: null },
            queue: action.queue, team: teamName,
          }, now);
        }
      }
    }
    await saveRoutingState(trx, workspaceId, rrState, now);
    await rescheduleSlaTimer(trx, workspaceId, leadId, now);
    return { escalations, reassignedTo };
  });
}

/** Re-arms the timer of every lead with an overdue running clock (the cron safety net for lost jobs). */
export async function sweepOverdueClocks(deps: AppDeps): Promise<number> {
  const now = deps.clock.now();
  const due = await listLeadsWithOverdueClocks(deps.db, now, 1000);
  for (const { workspaceId, leadId } of due) {
    await withTransaction(deps, (trx) => rescheduleSlaTimer(trx, workspaceId, leadId, now));
  }
  return due.length;
}
