import { pickRoundRobin, repName, type RoundRobinState, type RoutingRep } from '../routing/round-robin.rules.ts';
import { formatZoned } from './business-time.rules.ts';
import { evaluateClock, type ClockKind, type ClockStep, type SlaClock } from './sla-clock.rules.ts';

/** The team a breached lead belongs to: who manages it and whom it can be reassigned to. */
export type EscalationTeam = {
  id: string;
  managerId: string | null;
  reps: readonly RoutingRep[];
  /** For due times in reason texts; UTC when not given. */
  timeZone?: string;
};

export type EscalationAction =
  | { type: 'notify'; role: 'manager' | 'owner'; recipientId: string; stepIndex: number; reason: string }
  | { type: 'reassign'; fromOwnerId: string | null; toOwnerId: string | null; queue: string | null; stepIndex: number; reason: string }
  | { type: 'none'; stepIndex: number; reason: string };

export type EscalationInput = {
  clock: SlaClock;
  /** The steps due now, as `evaluateClock(clock, now).escalationStepsDue` returns them. */
  steps: readonly ClockStep[];
  team: EscalationTeam;
  rrState: RoundRobinState;
  now: Date;
  /** Where reassignment to the queue (or with no rep left) puts the lead. */
  queue?: string;
};

const clockLabel: Record<ClockKind, string> = {
  accept: 'Accept', first_touch: 'First-touch', opportunity_decision: 'Opportunity-decision',
};

/**
 * Turns due escalation steps of a breached clock into concrete actions, each with the reason to
 * record and show. A reassignment picks the next rep of the team by round robin (never the
 * current owner) or the queue; a lead is reassigned at most once per call, since the new owner
 * gets fresh clocks. Nothing happens for a clock that is not (or no longer) breached.
 * @example decideEscalation({ clock, steps, team: { id: 'EMEA', managerId: 'mia', reps }, rrState, now })
 *   → [{ type: 'notify', role: 'manager', recipientId: 'mia', reason: 'Accept SLA (4h business) breached: due …' }]
 */
export function decideEscalation(input: EscalationInput): { actions: EscalationAction[]; rrState: RoundRobinState } {
  const { clock, team, now } = input;
  const queue = input.queue ?? 'unassigned';
  let rrState = input.rrState;
  if (clock.stoppedAt !== null || evaluateClock(clock, now).state !== 'breached') return { actions: [], rrState };

  const ownerRep = team.reps.find((r) => r.id === clock.ownerId);
  const owner = clock.ownerId === null ? 'the queue' : ownerRep ? repName(ownerRep) : clock.ownerId;
  const due = `${formatZoned(clock.dueAt, team.timeZone ?? 'UTC')} ${team.timeZone ?? 'UTC'}`;
  const sla = `${clockLabel[clock.kind]} SLA (${clock.within}${clock.businessHours ? ' business' : ''})`;
  const actions: EscalationAction[] = [];
  let reassignedBy: number | null = null;

  for (const step of input.steps) {
    const when = step.after === 'breach' ? `breached: due ${due}` : `breached ${step.after} ago: due ${due}`;
    const context = `${sla} ${when}, ${clock.ownerId === null ? 'still in the queue' : `${owner} has not acted`}`;
    const none = (why: string) => actions.push({ type: 'none', stepIndex: step.index, reason: `${context}; ${why}` });

    if (step.action === 'notify_manager') {
      if (team.managerId) actions.push({ type: 'notify', role: 'manager', recipientId: team.managerId, stepIndex: step.index, reason: `${context}; notify manager ${team.managerId}` });
      else none(`team ${team.id} has no manager to notify`);
    } else if (step.action === 'notify_owner') {
      if (clock.ownerId) actions.push({ type: 'notify', role: 'owner', recipientId: clock.ownerId, stepIndex: step.index, reason: `${context}; remind ${owner}` });
      else none('no owner to remind');
    } else if (reassignedBy !== null) {
      none(`already reassigned by step ${reassignedBy + 1}`);
    } else {
      reassignedBy = step.index;
      const toQueue = (why: string) => actions.push({
        type: 'reassign', fromOwnerId: clock.ownerId, toOwnerId: null, queue, stepIndex: step.index, reason: `${context}; ${why}`,
      });
      if (step.to === 'queue') {
        toQueue(`moved to queue '${queue}'`);
        continue;
      }
      const pick = pickRoundRobin(team.id, team.reps, rrState, now, {
        exclude: clock.ownerId ? [clock.ownerId] : [], excludeReason: 'current owner',
      });
      if (!pick.chosen) {
        toQueue(`no other rep available, moved to queue '${queue}' (${pick.explanation})`);
        continue;
      }
      rrState = pick.state;
      actions.push({
        type: 'reassign', fromOwnerId: clock.ownerId, toOwnerId: pick.chosen.id, queue: null, stepIndex: step.index,
        reason: `${context}; reassigned to ${repName(pick.chosen)} (${pick.explanation})`,
      });
    }
  }
  return { actions, rrState };
}
