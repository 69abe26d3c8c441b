import { salesTouchTypes, type ActivityType } from '../../core/activity.ts';
import { defaultDefinition } from '../../core/definitions/default-definition.ts';
import { isStage } from '../../core/lifecycle.ts';
import { definitionSla } from '../../core/sla/definition-sla.rules.ts';
import { applyClockChanges, clocksForTransition, evaluateClock, type SlaClock, type SlaTrigger } from '../../core/sla/sla-clock.rules.ts';
import type { ChunkRows, DemoWorld } from './world.ts';

// The demo's leads are handed over under the agreement the demo installs (the default definition).
const { policy, calendar } = definitionSla(defaultDefinition.sla);
const toMs = (v: Date | number) => (typeof v === 'number' ? v : v.getTime());

type Event = { ms: number; trigger: SlaTrigger };

/**
 * The follow-up SLA clocks the hand-off would have run for the chunk's generated leads: the same pure
 * rules as live traffic (clocksForTransition over each lead's stage moves and its owner's sales touches),
 * so the follow-up report and the inbox countdowns have a history. Escalation steps that fell due are
 * recorded as fired at their due time; notifying the manager leaves an escalation row, while a due
 * reassignment is recorded as fired without moving the lead, so the generated owners stay as generated
 * (and starting the demo does not reassign every stale MQL at once).
 */
export function appendSlaHistory(world: DemoWorld, rows: ChunkRows): void {
  const transitionsByLead = new Map<string, ChunkRows['transitions']>();
  for (const t of rows.transitions) {
    const list = transitionsByLead.get(t.leadId);
    if (list) list.push(t);
    else transitionsByLead.set(t.leadId, [t]);
  }
  const touchesByContact = new Map<string, number[]>();
  for (const a of rows.activities) {
    if (!a.actorUserId || !salesTouchTypes.includes(a.type as ActivityType)) continue;
    const list = touchesByContact.get(a.contactId);
    if (list) list.push(toMs(a.occurredAt));
    else touchesByContact.set(a.contactId, [toMs(a.occurredAt)]);
  }
  for (const lead of rows.leads) {
    const moves = transitionsByLead.get(lead.id);
    if (!lead.ownerId || !moves?.some((t) => t.to === 'mql')) continue;
    const closedMs = lead.closedAt === null ? world.nowMs : toMs(lead.closedAt);
    const events: Event[] = moves.flatMap((t) => (isStage(t.to) ? [{ ms: toMs(t.at), trigger: { kind: 'stage', from: t.from !== null && isStage(t.from) ? t.from : null, to: t.to, ownerId: lead.ownerId } as SlaTrigger }] : []));
    for (const ms of touchesByContact.get(lead.contactId) ?? []) {
      if (ms >= toMs(lead.openedAt) && ms <= closedMs) events.push({ ms, trigger: { kind: 'activity', type: 'sales_call' } });
    }
    events.sort((a, b) => a.ms - b.ms);
    let clocks: SlaClock[] = [];
    for (const e of events) clocks = applyClockChanges(clocks, clocksForTransition(e.trigger, new Date(e.ms), policy, calendar, clocks), new Date(e.ms));
    for (const clock of clocks) recordClock(world, rows, lead.id, clock);
  }
}

function recordClock(world: DemoWorld, rows: ChunkRows, leadId: string, clock: SlaClock): void {
  const endMs = clock.stoppedAt?.getTime() ?? world.nowMs;
  const fired = { ...clock, escalation: clock.escalation.map((s) => (s.dueAt.getTime() <= endMs ? { ...s, firedAt: s.dueAt } : s)) };
  const id = world.mintId(clock.startedAt.getTime());
  rows.slaClocks.push({ id, leadId, clock: fired, state: evaluateClock(fired, new Date(world.nowMs)).state });
  for (const step of fired.escalation) {
    if (step.firedAt === null || step.action !== 'notify_manager') continue;
    rows.slaEscalations.push({
      id: world.mintId(step.dueAt.getTime()), leadId, clockId: id, kind: clock.kind, stepIndex: step.index, action: 'notify_manager',
      recipientId: world.managerId, fromOwnerId: clock.ownerId, at: step.dueAt.getTime(),
      reason: `${clock.kind.replace('_', ' ')} SLA (${clock.within}${clock.businessHours ? ' business time' : ''}) breached: the manager is told`,
    });
  }
}
