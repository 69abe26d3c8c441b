import { describe, expect, it } from 'vitest';
import { businessCalendarSchema } from '../../../src/core/sla/business-calendar.schema.ts';
import {
  applyClockChanges, clocksForTransition, evaluateClock, markEscalated, nextWakeUp, slaClockSchema, slaOutcome, type SlaClock, type SlaTrigger,
} from '../../../src/core/sla/sla-clock.rules.ts';
import { addDuration, durationSchema, slaPolicySchema } from '../../../src/core/sla/sla-policy.schema.ts';

const at = (iso: string) => new Date(iso);
const calendar = businessCalendarSchema.parse({
  timeZone: 'Europe/Berlin', days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00', holidays: ['2026-12-25'],
});
const policy = slaPolicySchema.parse({
  accept: { within: '4h', businessHours: true },
  firstTouch: { within: '24h', businessHours: true },
  opportunityDecision: { within: '14d', businessHours: false },
  escalation: [{ after: 'breach', action: 'notify_manager' }, { after: '2h', action: 'reassign', to: 'next_rep' }],
});

function step(clocks: SlaClock[], trigger: SlaTrigger, when: string): SlaClock[] {
  const changes = clocksForTransition(trigger, at(when), policy, calendar, clocks);
  return applyClockChanges(clocks, changes, at(when));
}
const running = (clocks: SlaClock[]) => clocks.filter((c) => c.stoppedAt === null).map((c) => c.kind).sort();

describe('SLA policy', () => {
  it('parses durations and applies defaults', () => {
    expect(durationSchema.safeParse('1d4h30m').success).toBe(true);
    for (const bad of ['', '4', '0h', '4x', 'h4']) expect(durationSchema.safeParse(bad).success).toBe(false);
    expect(slaPolicySchema.parse({ accept: { within: '4h' } })).toEqual({ accept: { within: '4h', businessHours: true }, escalation: [] });
    expect(policy.escalation[1]).toEqual({ after: '2h', action: 'reassign', to: 'next_rep' });
    expect(slaPolicySchema.safeParse({ escalation: [{ after: 'breach', action: 'notify_manager', to: 'queue' }] }).success).toBe(false);
  });

  it('business days are daily windows; calendar days keep the wall time across DST', () => {
    expect(addDuration(at('2026-11-27T16:00:00+01:00'), '1d', true, calendar).toISOString()).toBe(at('2026-11-30T16:00:00+01:00').toISOString());
    expect(addDuration(at('2026-11-23T10:00:00+01:00'), '1w', true, calendar).toISOString()).toBe(at('2026-11-30T10:00:00+01:00').toISOString());
    // 14 days over the October DST change: same 10:00 wall time, 14 × 24 h + 1 h elapsed.
    expect(addDuration(at('2026-10-20T10:00:00+02:00'), '14d', false, calendar).toISOString()).toBe(at('2026-11-03T10:00:00+01:00').toISOString());
    expect(addDuration(at('2026-10-24T10:00:00+02:00'), '24h', false, calendar).toISOString()).toBe(at('2026-10-25T09:00:00+01:00').toISOString());
  });
});

describe('clocksForTransition', () => {
  it('MQL starts accept and first touch; accept stops at SAL and starts the opportunity decision', () => {
    let clocks = step([], { kind: 'stage', from: 'inquiry', to: 'mql', ownerId: 'ana' }, '2026-11-27T16:00:00+01:00');
    expect(running(clocks)).toEqual(['accept', 'first_touch']);
    const accept = clocks.find((c) => c.kind === 'accept')!;
    expect(accept.dueAt.toISOString()).toBe(at('2026-11-30T12:00:00+01:00').toISOString());
    expect(accept.escalation.map((s) => s.dueAt.toISOString())).toEqual([at('2026-11-30T12:00:00+01:00').toISOString(), at('2026-11-30T14:00:00+01:00').toISOString()]);
    expect(clocks.find((c) => c.kind === 'first_touch')!.dueAt.toISOString()).toBe(at('2026-12-02T16:00:00+01:00').toISOString());

    clocks = step(clocks, { kind: 'stage', from: 'mql', to: 'sal', ownerId: 'ana' }, '2026-11-30T10:00:00+01:00');
    expect(running(clocks)).toEqual(['first_touch', 'opportunity_decision']);
    expect(evaluateClock(clocks[0]!, at('2026-12-10T00:00:00Z')).state).toBe('met');
    expect(clocks.find((c) => c.kind === 'opportunity_decision')!.dueAt.toISOString()).toBe(at('2026-12-14T10:00:00+01:00').toISOString());

    clocks = step(clocks, { kind: 'activity', type: 'page_view' }, '2026-11-30T11:00:00+01:00');
    expect(running(clocks)).toEqual(['first_touch', 'opportunity_decision']);
    clocks = step(clocks, { kind: 'activity', type: 'sales_call' }, '2026-11-30T11:30:00+01:00');
    expect(running(clocks)).toEqual(['opportunity_decision']);
    clocks = step(clocks, { kind: 'stage', from: 'sal', to: 'sql', ownerId: 'ana' }, '2026-12-03T11:30:00+01:00');
    expect(running(clocks)).toEqual([]);
    expect(clocks.map((c) => [c.kind, c.stopReason, evaluateClock(c, at('2027-01-01T00:00:00Z')).state])).toEqual([
      ['accept', 'accepted', 'met'], ['first_touch', 'touched', 'met'], ['opportunity_decision', 'decided', 'met'],
    ]);
  });

  it('rejecting to nurture meets accept and voids first touch; re-qualifying restarts both', () => {
    let clocks = step([], { kind: 'stage', from: 'inquiry', to: 'mql', ownerId: 'ana' }, '2026-11-23T09:00:00+01:00');
    clocks = step(clocks, { kind: 'stage', from: 'mql', to: 'nurture', ownerId: 'ana' }, '2026-11-23T10:00:00+01:00');
    expect(clocks.map((c) => [c.kind, c.stopReason, evaluateClock(c, at('2026-11-23T10:00:00+01:00')).state])).toEqual([
      ['accept', 'rejected', 'met'], ['first_touch', 'left_sales', 'cancelled'],
    ]);
    clocks = step(clocks, { kind: 'stage', from: 'nurture', to: 'mql', ownerId: 'ben' }, '2026-12-01T09:00:00+01:00');
    expect(running(clocks)).toEqual(['accept', 'first_touch']);
    expect(clocks.filter((c) => c.stoppedAt === null).every((c) => c.ownerId === 'ben')).toBe(true);
  });

  it('reassignment restarts running clocks for the new owner; the same owner changes nothing', () => {
    let clocks = step([], { kind: 'stage', from: 'inquiry', to: 'mql', ownerId: null }, '2026-11-23T09:00:00+01:00');
    expect(clocksForTransition({ kind: 'assigned', stage: 'mql', ownerId: null }, at('2026-11-23T09:10:00+01:00'), policy, calendar, clocks))
      .toEqual({ start: [], stop: [] });
    clocks = step(clocks, { kind: 'assigned', stage: 'mql', ownerId: 'cara' }, '2026-11-23T10:00:00+01:00');
    expect(clocks.map((c) => [c.kind, c.ownerId, c.stopReason])).toEqual([
      ['accept', null, 'reassigned'], ['first_touch', null, 'reassigned'], ['accept', 'cara', null], ['first_touch', 'cara', null],
    ]);
    expect(evaluateClock(clocks[0]!, at('2026-11-24T00:00:00Z')).state).toBe('cancelled');
    expect(clocks[2]!.dueAt.toISOString()).toBe(at('2026-11-23T14:00:00+01:00').toISOString());
  });

  it('a policy without a clock does not start it', () => {
    const acceptOnly = slaPolicySchema.parse({ accept: { within: '4h' } });
    const changes = clocksForTransition({ kind: 'stage', from: 'inquiry', to: 'mql', ownerId: 'ana' }, at('2026-11-23T09:00:00Z'), acceptOnly, calendar);
    expect(changes.start.map((c) => c.kind)).toEqual(['accept']);
  });
});

describe('evaluateClock, nextWakeUp, slaOutcome', () => {
  const [accept] = step([], { kind: 'stage', from: 'inquiry', to: 'mql', ownerId: 'ana' }, '2026-11-27T16:00:00+01:00');
  const clock = accept!;

  it('runs, breaches at the due time, and lists escalation steps as they come due', () => {
    expect(evaluateClock(clock, at('2026-11-30T11:59:59+01:00'))).toMatchObject({ state: 'running', remainingMs: 1000, escalationStepsDue: [] });
    const atDue = evaluateClock(clock, at('2026-11-30T12:00:00+01:00'));
    expect(atDue.state).toBe('breached');
    expect(atDue.escalationStepsDue.map((s) => s.action)).toEqual(['notify_manager']);
    const late = evaluateClock(clock, at('2026-11-30T14:30:00+01:00'));
    expect(late.remainingMs).toBe(-150 * 60_000);
    expect(late.escalationStepsDue.map((s) => s.action)).toEqual(['notify_manager', 'reassign']);
    const fired = markEscalated(clock, late.escalationStepsDue.slice(0, 1), at('2026-11-30T12:00:00+01:00'));
    expect(evaluateClock(fired, at('2026-11-30T14:30:00+01:00')).escalationStepsDue.map((s) => s.action)).toEqual(['reassign']);
  });

  it('wakes up at the due time, then at each unfired step, and at once when a step is overdue', () => {
    expect(nextWakeUp([clock], at('2026-11-27T16:00:00+01:00'))?.toISOString()).toBe(at('2026-11-30T12:00:00+01:00').toISOString());
    const afterNotify = markEscalated(clock, [clock.escalation[0]!], at('2026-11-30T12:00:00+01:00'));
    expect(nextWakeUp([afterNotify], at('2026-11-30T12:00:00+01:00'))?.toISOString()).toBe(at('2026-11-30T14:00:00+01:00').toISOString());
    expect(nextWakeUp([clock], at('2026-11-30T13:00:00+01:00'))?.toISOString()).toBe(at('2026-11-30T13:00:00+01:00').toISOString());
    const allFired = markEscalated(clock, clock.escalation, at('2026-11-30T14:00:00+01:00'));
    expect(nextWakeUp([allFired], at('2026-11-30T14:00:00+01:00'))).toBeNull();
    expect(nextWakeUp([{ ...clock, stoppedAt: at('2026-11-30T10:00:00+01:00'), stopReason: 'accepted' }], at('2026-11-30T10:00:00+01:00'))).toBeNull();
  });

  it('reports hit, miss, open and void with elapsed and business durations', () => {
    const hit = slaOutcome({ ...clock, stoppedAt: at('2026-11-30T10:00:00+01:00'), stopReason: 'accepted' }, { calendar });
    expect(hit).toMatchObject({ outcome: 'hit', elapsedMs: (2 * 24 + 18) * 3_600_000, businessMinutes: 120, lateByMs: null });
    const miss = slaOutcome({ ...clock, stoppedAt: at('2026-11-30T13:00:00+01:00'), stopReason: 'accepted' }, { calendar });
    expect(miss).toMatchObject({ outcome: 'miss', businessMinutes: 300, lateByMs: 3_600_000 });
    expect(slaOutcome(clock).outcome).toBe('open');
    expect(slaOutcome(clock, { now: at('2026-11-30T12:30:00+01:00') })).toMatchObject({ outcome: 'miss', lateByMs: 1_800_000 });
    expect(slaOutcome({ ...clock, stoppedAt: at('2026-11-30T10:00:00+01:00'), stopReason: 'reassigned' }).outcome).toBe('void');
  });

  it('round-trips through JSON with the persistence schema', () => {
    const restored = slaClockSchema.parse(JSON.parse(JSON.stringify(markEscalated(clock, [clock.escalation[0]!], at('2026-11-30T12:00:00+01:00')))));
    expect(restored.escalation[0]!.firedAt).toEqual(at('2026-11-30T12:00:00+01:00'));
    expect(restored.dueAt).toEqual(clock.dueAt);
  });
});
