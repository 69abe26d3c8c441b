import { evaluateClock, type ClockKind, type SlaClock } from './sla-clock.rules.ts';

/**
 * What a list of leads shows of a lead's open clock: the deadline, whether it has passed, what the
 * clock measures and how far escalation has gone. Pure: the caller passes `now`.
 */
export type OpenClockStatus = {
  kind: ClockKind;
  state: 'running' | 'breached';
  startedAt: Date;
  dueAt: Date;
  /** The policy's target for this clock, e.g. '4h', and whether it counts business hours only. */
  within: string;
  businessHours: boolean;
  /** Escalation steps already fired (0: none), out of `escalationSteps`. */
  escalationLevel: number;
  escalationSteps: number;
  /** When the next escalation step is due, or null when none is left. */
  nextEscalationAt: Date | null;
};

/**
 * The clock that matters now among a lead's clocks: the open one due first (ties: the one started
 * first); null when no clock runs. A clock whose due time has passed is breached even before the
 * timer job has recorded it.
 * @example openClockStatus([acceptDue12, firstTouchDueTomorrow], at('11:00')) → { kind: 'accept', state: 'running', ... }
 */
export function openClockStatus(clocks: readonly SlaClock[], now: Date): OpenClockStatus | null {
  const open = clocks.filter((c) => c.stoppedAt === null)
    .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || a.startedAt.getTime() - b.startedAt.getTime())[0];
  if (!open) return null;
  const evaluation = evaluateClock(open, now);
  const pending = open.escalation.filter((s) => s.firedAt === null).sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
  return {
    kind: open.kind,
    state: evaluation.state === 'breached' ? 'breached' : 'running',
    startedAt: open.startedAt,
    dueAt: open.dueAt,
    within: open.within,
    businessHours: open.businessHours,
    escalationLevel: open.escalation.length - pending.length,
    escalationSteps: open.escalation.length,
    nextEscalationAt: pending[0]?.dueAt ?? null,
  };
}
