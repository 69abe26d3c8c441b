import { describe, expect, it } from 'vitest';
import type { ActivityType } from '../../../src/core/activity.ts';
import type { Stage } from '../../../src/core/lifecycle.ts';
import { emptyRoundRobinState, type RoutingRep } from '../../../src/core/routing/round-robin.rules.ts';
import { businessCalendarSchema } from '../../../src/core/sla/business-calendar.schema.ts';
import { decideEscalation, type EscalationTeam } from '../../../src/core/sla/escalation.rules.ts';
import {
  applyClockChanges, clockKinds, clocksForTransition, evaluateClock, markEscalated, nextWakeUp, slaOutcome, type SlaClock, type SlaTrigger,
} from '../../../src/core/sla/sla-clock.rules.ts';
import { slaPolicySchema, type SlaPolicy } from '../../../src/core/sla/sla-policy.schema.ts';

// A simulated lead and its SLA timer job, the way src/app and src/jobs will drive the core:
// every event updates the clocks and reschedules the single `sla:<leadId>` job at nextWakeUp.
const berlin = (local: string) => new Date(`${local}+01:00`); // November/December: CET
const calendar = businessCalendarSchema.parse({
  timeZone: 'Europe/Berlin', days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00', holidays: ['2026-12-25'],
});
const defaultPolicy = slaPolicySchema.parse({
  accept: { within: '4h', businessHours: true },
  firstTouch: { within: '24h', businessHours: true },
  opportunityDecision: { within: '14d', businessHours: false },
  escalation: [{ after: 'breach', action: 'notify_manager' }, { after: '2h', action: 'reassign', to: 'next_rep' }],
});
const rep = (id: string, fields: Partial<RoutingRep> = {}): RoutingRep => ({
  id, name: id[0]!.toUpperCase() + id.slice(1), team: 'EMEA', weight: 1, capacity: 25, openLeads: 3, outOfOfficeUntil: null, disabled: false, ...fields,
});

class SimulatedLead {
  stage: Stage = 'inquiry';
  ownerId: string | null = 'ana';
  clocks: SlaClock[] = [];
  rrState = emptyRoundRobinState;
  timer: Date | null = null;
  log: string[] = [];
  constructor(readonly team: EscalationTeam, readonly policy: SlaPolicy = defaultPolicy) {}

  private apply(trigger: SlaTrigger, at: Date) {
    this.clocks = applyClockChanges(this.clocks, clocksForTransition(trigger, at, this.policy, calendar, this.clocks), at);
    this.timer = nextWakeUp(this.clocks, at);
  }
  moveTo(to: Stage, at: Date) {
    const from = this.stage;
    this.stage = to;
    this.apply({ kind: 'stage', from, to, ownerId: this.ownerId }, at);
  }
  activity(type: ActivityType, at: Date) {
    this.apply({ kind: 'activity', type }, at);
  }
  /** The timer job body: escalate what is due, then reschedule. */
  runTimer(now: Date) {
    for (const kind of clockKinds) {
      const clock = this.clocks.find((c) => c.kind === kind && c.stoppedAt === null);
      if (!clock) continue;
      const { escalationStepsDue } = evaluateClock(clock, now);
      if (escalationStepsDue.length === 0) continue;
      const decision = decideEscalation({ clock, steps: escalationStepsDue, team: this.team, rrState: this.rrState, now });
      this.rrState = decision.rrState;
      this.clocks = this.clocks.map((c) => (c === clock ? markEscalated(c, escalationStepsDue, now) : c));
      for (const action of decision.actions) {
        this.log.push(`${action.type}${action.type === 'notify' ? ` ${action.recipientId}` : action.type === 'reassign' ? ` → ${action.toOwnerId ?? action.queue}` : ''}`);
        if (action.type === 'reassign') {
          this.ownerId = action.toOwnerId;
          this.apply({ kind: 'assigned', stage: this.stage, ownerId: action.toOwnerId }, now);
        }
      }
    }
    this.timer = nextWakeUp(this.clocks, now);
  }
  running(kind: SlaClock['kind']) {
    return this.clocks.find((c) => c.kind === kind && c.stoppedAt === null);
  }
}

const emea = (reps: RoutingRep[] = [rep('ana'), rep('ben'), rep('cara')]): EscalationTeam => ({ id: 'EMEA', managerId: 'mia', reps, timeZone: 'Europe/Berlin' });

describe('accept SLA scenario', () => {
  it('MQL Friday 16:00, 4 business hours → due Monday 12:00; breach → manager; 2h later → next rep, who accepts in time', () => {
    const lead = new SimulatedLead(emea());
    lead.moveTo('mql', berlin('2026-11-27T16:00:00'));
    expect(lead.running('accept')!.dueAt).toEqual(berlin('2026-11-30T12:00:00'));
    expect(lead.timer).toEqual(berlin('2026-11-30T12:00:00'));

    lead.runTimer(berlin('2026-11-30T12:00:00'));
    expect(evaluateClock(lead.running('accept')!, berlin('2026-11-30T12:00:00')).state).toBe('breached');
    expect(lead.log).toEqual(['notify mia']);
    expect(lead.timer).toEqual(berlin('2026-11-30T14:00:00'));

    lead.runTimer(berlin('2026-11-30T14:00:00'));
    expect(lead.log).toEqual(['notify mia', 'reassign → ben']);
    expect(lead.ownerId).toBe('ben');
    const bensAccept = lead.running('accept')!;
    expect(bensAccept).toMatchObject({ ownerId: 'ben', startedAt: berlin('2026-11-30T14:00:00'), dueAt: berlin('2026-12-01T10:00:00') });
    expect(lead.running('first_touch')).toMatchObject({ ownerId: 'ben', dueAt: berlin('2026-12-03T14:00:00') });
    expect(lead.timer).toEqual(berlin('2026-12-01T10:00:00'));

    lead.moveTo('sal', berlin('2026-11-30T16:00:00'));
    const outcomes = lead.clocks.map((c) => slaOutcome(c, { now: berlin('2026-11-30T16:00:00'), calendar }));
    expect(outcomes.map((o) => [o.kind, o.ownerId, o.outcome, o.stopReason])).toEqual([
      ['accept', 'ana', 'miss', 'reassigned'],
      ['first_touch', 'ana', 'void', 'reassigned'],
      ['accept', 'ben', 'hit', 'accepted'],
      ['first_touch', 'ben', 'open', null],
      ['opportunity_decision', 'ben', 'open', null],
    ]);
    expect(outcomes[0]).toMatchObject({ lateByMs: 2 * 3_600_000, businessMinutes: 360, escalationsFired: 2 });
    expect(outcomes[2]).toMatchObject({ businessMinutes: 120 });
    expect(lead.running('opportunity_decision')!.dueAt).toEqual(berlin('2026-12-14T16:00:00'));
  });

  it('a timer that runs late fires every overdue step at once', () => {
    const lead = new SimulatedLead(emea());
    lead.moveTo('mql', berlin('2026-11-27T16:00:00'));
    lead.runTimer(berlin('2026-11-30T15:30:00'));
    expect(lead.log).toEqual(['notify mia', 'reassign → ben']);
    const anasAccept = lead.clocks[0]!;
    expect(anasAccept.escalation.map((s) => s.firedAt)).toEqual([berlin('2026-11-30T15:30:00'), berlin('2026-11-30T15:30:00')]);
  });

  it('explains each escalation, skipping reps who cannot take the lead', () => {
    const team = emea([rep('ana'), rep('ben', { outOfOfficeUntil: new Date('2026-12-07T00:00:00Z') }), rep('cara', { openLeads: 25 }), rep('dan', { weight: 2 })]);
    const lead = new SimulatedLead(team);
    lead.moveTo('mql', berlin('2026-11-27T16:00:00'));
    const clock = lead.running('accept')!;
    const now = berlin('2026-11-30T14:00:00');
    const { actions } = decideEscalation({ clock, steps: evaluateClock(clock, now).escalationStepsDue, team, rrState: emptyRoundRobinState, now });
    expect(actions).toEqual([
      { type: 'notify', role: 'manager', recipientId: 'mia', stepIndex: 0,
        reason: 'Accept SLA (4h business) breached: due 2026-11-30 12:00 Europe/Berlin, Ana has not acted; notify manager mia' },
      { type: 'reassign', fromOwnerId: 'ana', toOwnerId: 'dan', queue: null, stepIndex: 1,
        reason: 'Accept SLA (4h business) breached 2h ago: due 2026-11-30 12:00 Europe/Berlin, Ana has not acted; reassigned to Dan '
          + '(round-robin in team EMEA: skipped Ana (current owner), Ben (out of office until 2026-12-07), Cara at capacity 25/25; chose Dan (weight 2))' },
    ]);
  });

  it('with no other rep available the lead goes to the queue, and a queued lead escalates only to the manager', () => {
    const team = emea([rep('ana'), rep('ben', { disabled: true })]);
    const lead = new SimulatedLead(team);
    lead.moveTo('mql', berlin('2026-11-27T16:00:00'));
    lead.runTimer(berlin('2026-11-30T14:00:00'));
    expect(lead.log).toEqual(['notify mia', 'reassign → unassigned']);
    expect(lead.ownerId).toBeNull();
    expect(lead.running('accept')).toMatchObject({ ownerId: null, dueAt: berlin('2026-12-01T10:00:00') });
    lead.runTimer(berlin('2026-12-01T12:00:00'));
    // Reassigning from the queue picks a rep again: Ana is the only one available.
    expect(lead.log.slice(2)).toEqual(['notify mia', 'reassign → ana']);
  });

  it('escalates nothing for a clock met or not yet due, and records missing managers and queue targets', () => {
    const lead = new SimulatedLead({ id: 'EMEA', managerId: null, reps: [rep('ana')] },
      slaPolicySchema.parse({ accept: { within: '4h' }, escalation: [{ after: 'breach', action: 'notify_manager' }, { after: 'breach', action: 'reassign', to: 'queue' }, { after: 'breach', action: 'reassign' }] }));
    lead.moveTo('mql', berlin('2026-11-27T16:00:00'));
    const clock = lead.running('accept')!;
    expect(decideEscalation({ clock, steps: clock.escalation, team: lead.team, rrState: emptyRoundRobinState, now: berlin('2026-11-30T11:00:00') }).actions).toEqual([]);
    const { actions } = decideEscalation({ clock, steps: clock.escalation, team: lead.team, rrState: emptyRoundRobinState, now: berlin('2026-11-30T12:00:00'), queue: 'inbound' });
    expect(actions.map((a) => [a.type, a.reason.split('; ')[1]])).toEqual([
      ['none', 'team EMEA has no manager to notify'],
      ['reassign', "moved to queue 'inbound'"],
      ['none', 'already reassigned by step 2'],
    ]);
  });
});

describe('first-touch and opportunity-decision scenarios', () => {
  const policy = slaPolicySchema.parse({
    accept: { within: '4h' },
    firstTouch: { within: '1d', escalation: [{ after: 'breach', action: 'notify_owner' }, { after: '4h', action: 'notify_manager' }] },
    opportunityDecision: { within: '14d', businessHours: false, escalation: [{ after: 'breach', action: 'notify_manager' }] },
  });

  it('MQL Monday 09:00, accepted 10:00, no touch by 17:00 → owner reminded; touch next morning stops the clock, late', () => {
    const lead = new SimulatedLead(emea(), policy);
    lead.moveTo('mql', berlin('2026-11-23T09:00:00'));
    lead.moveTo('sal', berlin('2026-11-23T10:00:00'));
    expect(lead.running('first_touch')!.dueAt).toEqual(berlin('2026-11-23T17:00:00'));
    expect(lead.timer).toEqual(berlin('2026-11-23T17:00:00'));
    lead.runTimer(berlin('2026-11-23T17:00:00'));
    expect(lead.log).toEqual(['notify ana']);
    expect(lead.timer).toEqual(berlin('2026-11-24T13:00:00'));
    lead.activity('email_open', berlin('2026-11-24T09:30:00'));
    lead.activity('sales_call', berlin('2026-11-24T10:00:00'));
    expect(lead.running('first_touch')).toBeUndefined();
    expect(slaOutcome(lead.clocks[1]!, { calendar })).toMatchObject({ kind: 'first_touch', outcome: 'miss', lateByMs: 17 * 3_600_000, businessMinutes: 540 });
    expect(lead.timer).toEqual(berlin('2026-12-07T10:00:00'));
  });

  it('SAL → opportunity decision within 14 calendar days; handing back to nurture in time meets it', () => {
    const lead = new SimulatedLead(emea(), policy);
    lead.moveTo('mql', berlin('2026-11-23T09:00:00'));
    lead.moveTo('sal', berlin('2026-11-23T10:00:00'));
    lead.activity('meeting', berlin('2026-11-23T11:00:00'));
    lead.moveTo('nurture', berlin('2026-12-04T10:00:00'));
    expect(lead.clocks.map((c) => [c.kind, slaOutcome(c).outcome])).toEqual([
      ['accept', 'hit'], ['first_touch', 'hit'], ['opportunity_decision', 'hit'],
    ]);
    expect(lead.timer).toBeNull();
  });
});
