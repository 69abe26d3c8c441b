import { z } from 'zod';
import { salesTouchTypes, type ActivityType } from '../activity.ts';
import type { Stage } from '../lifecycle.ts';
import type { BusinessCalendar } from './business-calendar.schema.ts';
import { businessMinutesBetween } from './business-time.rules.ts';
import { addDuration, escalationActions, type ClockPolicy, type SlaPolicy } from './sla-policy.schema.ts';

export const clockKinds = ['accept', 'first_touch', 'opportunity_decision'] as const;
export type ClockKind = (typeof clockKinds)[number];

/** Why a clock stopped. The first five are the action the clock waits for; the rest void it. */
export const stopReasons = ['accepted', 'rejected', 'touched', 'progressed', 'decided', 'reassigned', 'restarted', 'left_sales'] as const;
export type StopReason = (typeof stopReasons)[number];
const qualifyingReasons: readonly StopReason[] = ['accepted', 'rejected', 'touched', 'progressed', 'decided'];

/** A clock as persisted (jsonb on the lead or a clock table); dates come back from JSON as strings. */
export const slaClockSchema = z.object({
  kind: z.enum(clockKinds),
  ownerId: z.string().nullable(),
  startedAt: z.coerce.date(),
  dueAt: z.coerce.date(),
  within: z.string(),
  businessHours: z.boolean(),
  escalation: z.array(z.object({
    index: z.number().int().min(0),
    after: z.string(),
    action: z.enum(escalationActions),
    to: z.enum(['next_rep', 'queue']).nullable(),
    dueAt: z.coerce.date(),
    firedAt: z.coerce.date().nullable(),
  })),
  stoppedAt: z.coerce.date().nullable(),
  stopReason: z.enum(stopReasons).nullable(),
});
export type SlaClock = z.infer<typeof slaClockSchema>;
export type ClockStep = SlaClock['escalation'][number];

/** What happened to the lead that may start or stop clocks. */
export type SlaTrigger =
  | { kind: 'stage'; from: Stage | null; to: Stage; ownerId: string | null }
  | { kind: 'assigned'; stage: Stage; ownerId: string | null }
  | { kind: 'activity'; type: ActivityType };

export type ClockChanges = { start: SlaClock[]; stop: { kind: ClockKind; reason: StopReason }[] };

const policyKey: Record<ClockKind, 'accept' | 'firstTouch' | 'opportunityDecision'> = {
  accept: 'accept', first_touch: 'firstTouch', opportunity_decision: 'opportunityDecision',
};

/** Builds a running clock with its due time and every escalation step's due time fixed at the start. */
export function startClock(kind: ClockKind, ownerId: string | null, at: Date, clockPolicy: ClockPolicy, policy: SlaPolicy, calendar: BusinessCalendar): SlaClock {
  const dueAt = addDuration(at, clockPolicy.within, clockPolicy.businessHours, calendar);
  const steps = clockPolicy.escalation ?? policy.escalation;
  return {
    kind, ownerId, startedAt: at, dueAt, within: clockPolicy.within, businessHours: clockPolicy.businessHours,
    escalation: steps.map((step, index) => ({
      index, after: step.after, action: step.action, to: step.to ?? null, firedAt: null,
      dueAt: step.after === 'breach' ? dueAt : addDuration(dueAt, step.after, clockPolicy.businessHours, calendar),
    })),
    stoppedAt: null, stopReason: null,
  };
}

/**
 * Which clocks a stage change, an assignment or an activity starts and stops, given the lead's
 * clocks so far. Accept runs mql → sal/nurture/disqualified; first touch runs from mql (or a
 * reassignment) to the first sales touch (or sql and beyond); opportunity decision runs from sal
 * to sql/opportunity/nurture/disqualified. A reassignment restarts running clocks for the new owner.
 * @example clocksForTransition({ kind: 'stage', from: 'inquiry', to: 'mql', ownerId: 'ana' }, at, policy, calendar, [])
 *   → { start: [accept clock, first_touch clock], stop: [] }
 */
export function clocksForTransition(trigger: SlaTrigger, at: Date, policy: SlaPolicy, calendar: BusinessCalendar, current: readonly SlaClock[] = []): ClockChanges {
  const running = new Map(current.filter((c) => c.stoppedAt === null).map((c) => [c.kind, c]));
  const changes: ClockChanges = { start: [], stop: [] };
  const stop = (kind: ClockKind, reason: StopReason) => {
    if (running.has(kind)) changes.stop.push({ kind, reason });
  };
  const start = (kind: ClockKind, ownerId: string | null, restartReason: StopReason) => {
    const clockPolicy = policy[policyKey[kind]];
    if (!clockPolicy) return;
    stop(kind, restartReason);
    changes.start.push(startClock(kind, ownerId, at, clockPolicy, policy, calendar));
  };

  if (trigger.kind === 'activity') {
    if (salesTouchTypes.includes(trigger.type)) stop('first_touch', 'touched');
    return changes;
  }
  if (trigger.kind === 'assigned') {
    for (const clock of running.values()) {
      if (clock.ownerId !== trigger.ownerId) start(clock.kind, trigger.ownerId, 'reassigned');
    }
    if (trigger.stage === 'mql' && !running.has('accept')) start('accept', trigger.ownerId, 'reassigned');
    return changes;
  }

  const { to, ownerId } = trigger;
  if (to === 'mql') {
    start('accept', ownerId, 'restarted');
    start('first_touch', ownerId, 'restarted');
    return changes;
  }
  stop('accept', to === 'sal' ? 'accepted' : to === 'nurture' || to === 'disqualified' ? 'rejected' : 'left_sales');
  if (to === 'sql' || to === 'opportunity' || to === 'won' || to === 'lost') stop('first_touch', 'progressed');
  if (to === 'nurture' || to === 'disqualified' || to === 'inquiry') stop('first_touch', 'left_sales');
  if (to === 'sal') start('opportunity_decision', ownerId, 'restarted');
  else stop('opportunity_decision', to === 'inquiry' ? 'left_sales' : 'decided');
  return changes;
}

/** The lead's clocks after the changes: stopped ones keep their history, started ones are appended. */
export function applyClockChanges(clocks: readonly SlaClock[], changes: ClockChanges, at: Date): SlaClock[] {
  const stopped = clocks.map((clock) => {
    const stop = clock.stoppedAt === null ? changes.stop.find((s) => s.kind === clock.kind) : undefined;
    return stop ? { ...clock, stoppedAt: at, stopReason: stop.reason } : clock;
  });
  return [...stopped, ...changes.start];
}

export type ClockState = 'running' | 'met' | 'breached' | 'cancelled';

export type ClockEvaluation = {
  state: ClockState;
  dueAt: Date;
  /** Until due, from now (running) or from the stop; negative once late. */
  remainingMs: number;
  /** Steps due by now and not fired yet, in due order; empty once the clock stopped. */
  escalationStepsDue: ClockStep[];
};

/**
 * The state of a clock at `now`. The due time is exclusive: acting at 11:59:59 meets a 12:00
 * deadline, at 12:00:00 the clock is breached (so a timer at the due time sees the breach).
 * A clock voided by reassignment or leaving sales before its due time is 'cancelled'.
 */
export function evaluateClock(clock: SlaClock, now: Date): ClockEvaluation {
  const due = clock.dueAt.getTime();
  const end = clock.stoppedAt?.getTime() ?? now.getTime();
  let state: ClockState;
  if (clock.stoppedAt === null) state = end >= due ? 'breached' : 'running';
  else if (end >= due) state = 'breached';
  else state = clock.stopReason !== null && qualifyingReasons.includes(clock.stopReason) ? 'met' : 'cancelled';
  const escalationStepsDue = clock.stoppedAt === null
    ? clock.escalation.filter((s) => s.firedAt === null && s.dueAt.getTime() <= now.getTime()).sort(byDue)
    : [];
  return { state, dueAt: clock.dueAt, remainingMs: due - end, escalationStepsDue };
}

/** Records that escalation steps fired, so they are not due again. */
export function markEscalated(clock: SlaClock, steps: readonly ClockStep[], at: Date): SlaClock {
  const fired = new Set(steps.map((s) => s.index));
  return { ...clock, escalation: clock.escalation.map((s) => (fired.has(s.index) && s.firedAt === null ? { ...s, firedAt: at } : s)) };
}

/**
 * When the lead's single timer job (job key `sla:<leadId>`) should next run: the earliest future
 * due time or step of a running clock, or `now` if a step is already overdue; null when nothing runs.
 */
export function nextWakeUp(clocks: readonly SlaClock[], now: Date): Date | null {
  let next: number | null = null;
  const consider = (ms: number) => {
    if (next === null || ms < next) next = ms;
  };
  for (const clock of clocks) {
    if (clock.stoppedAt !== null) continue;
    if (clock.dueAt.getTime() > now.getTime()) consider(clock.dueAt.getTime());
    for (const step of clock.escalation) {
      if (step.firedAt === null) consider(Math.max(step.dueAt.getTime(), now.getTime()));
    }
  }
  return next === null ? null : new Date(next);
}

export type SlaOutcome = {
  kind: ClockKind;
  ownerId: string | null;
  /** hit: acted in time; miss: late or still waiting past due; open: still running in time; void: cancelled. */
  outcome: 'hit' | 'miss' | 'open' | 'void';
  startedAt: Date;
  dueAt: Date;
  stoppedAt: Date | null;
  stopReason: StopReason | null;
  /** Start to stop in elapsed ms; null while running. */
  elapsedMs: number | null;
  /** Start to stop in business minutes, when the clock counts business hours and a calendar was given. */
  businessMinutes: number | null;
  /** How late the action came (or, with `now`, how overdue a running clock is); null when not late. */
  lateByMs: number | null;
  escalationsFired: number;
};

/** One clock reduced to what the SLA report aggregates. Pass `now` to count a running clock past due as a miss. */
export function slaOutcome(clock: SlaClock, options: { now?: Date; calendar?: BusinessCalendar } = {}): SlaOutcome {
  const { now, calendar } = options;
  const evaluation = now || clock.stoppedAt ? evaluateClock(clock, now ?? (clock.stoppedAt as Date)) : null;
  const outcome = !evaluation || evaluation.state === 'running' ? 'open'
    : evaluation.state === 'met' ? 'hit'
      : evaluation.state === 'breached' ? 'miss' : 'void';
  const stoppedAt = clock.stoppedAt;
  return {
    kind: clock.kind,
    ownerId: clock.ownerId,
    outcome,
    startedAt: clock.startedAt,
    dueAt: clock.dueAt,
    stoppedAt,
    stopReason: clock.stopReason,
    elapsedMs: stoppedAt ? stoppedAt.getTime() - clock.startedAt.getTime() : null,
    businessMinutes: stoppedAt && calendar && clock.businessHours ? businessMinutesBetween(clock.startedAt, stoppedAt, calendar) : null,
    lateByMs: outcome === 'miss' && evaluation ? -evaluation.remainingMs : null,
    escalationsFired: clock.escalation.filter((s) => s.firedAt !== null).length,
  };
}

function byDue(a: ClockStep, b: ClockStep): number {
  return a.dueAt.getTime() - b.dueAt.getTime() || a.index - b.index;
}
