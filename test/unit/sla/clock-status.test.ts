import { describe, expect, it } from 'vitest';
import { businessCalendarSchema } from '../../../src/core/sla/business-calendar.schema.ts';
import { openClockStatus } from '../../../src/core/sla/clock-status.rules.ts';
import { applyClockChanges, clocksForTransition, markEscalated, type SlaClock } from '../../../src/core/sla/sla-clock.rules.ts';
import { slaPolicySchema } from '../../../src/core/sla/sla-policy.schema.ts';

const at = (iso: string) => new Date(iso);
const calendar = businessCalendarSchema.parse({ timeZone: 'UTC', days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00', holidays: [] });
const policy = slaPolicySchema.parse({
  accept: { within: '4h' }, firstTouch: { within: '24h' }, opportunityDecision: { within: '14d', businessHours: false },
  escalation: [{ after: 'breach', action: 'notify_manager' }, { after: '2h', action: 'reassign', to: 'next_rep' }],
});
// Monday 2031-03-03 09:00 UTC: an MQL starts the accept (due 13:00) and first-touch clocks.
const mqlClocks = (): SlaClock[] => {
  const when = at('2031-03-03T09:00:00Z');
  return applyClockChanges([], clocksForTransition({ kind: 'stage', from: 'inquiry', to: 'mql', ownerId: 'ana' }, when, policy, calendar, []), when);
};

describe('openClockStatus', () => {
  it('is null without an open clock', () => {
    expect(openClockStatus([], at('2031-03-03T10:00:00Z'))).toBeNull();
    const stopped = applyClockChanges(mqlClocks(), { start: [], stop: [{ kind: 'accept', reason: 'accepted' }, { kind: 'first_touch', reason: 'touched' }] }, at('2031-03-03T10:00:00Z'));
    expect(openClockStatus(stopped, at('2031-03-03T11:00:00Z'))).toBeNull();
  });

  it('picks the open clock due first and says running before the deadline', () => {
    expect(openClockStatus(mqlClocks(), at('2031-03-03T11:00:00Z'))).toEqual({
      kind: 'accept', state: 'running', startedAt: at('2031-03-03T09:00:00Z'), dueAt: at('2031-03-03T13:00:00Z'), within: '4h', businessHours: true,
      escalationLevel: 0, escalationSteps: 2, nextEscalationAt: at('2031-03-03T13:00:00Z'),
    });
  });

  it('is breached at the deadline, and counts the escalation steps already fired', () => {
    const clocks = mqlClocks();
    expect(openClockStatus(clocks, at('2031-03-03T13:00:00Z'))?.state).toBe('breached');
    const accept = clocks.find((c) => c.kind === 'accept')!;
    const escalated = markEscalated(accept, [accept.escalation[0]!], at('2031-03-03T13:00:00Z'));
    const status = openClockStatus([escalated, clocks.find((c) => c.kind === 'first_touch')!], at('2031-03-03T14:00:00Z'));
    expect(status).toMatchObject({ kind: 'accept', state: 'breached', escalationLevel: 1, escalationSteps: 2, nextEscalationAt: at('2031-03-03T15:00:00Z') });
  });
});
