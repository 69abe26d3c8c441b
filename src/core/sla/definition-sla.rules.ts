import type { SlaPolicy as DefinitionSla } from '../definitions/definition-schema.ts';
import { weekdays } from '../definitions/definition-schema.ts';
import { businessCalendarSchema, type BusinessCalendar } from './business-calendar.schema.ts';
import { slaPolicySchema, type EscalationActionKind, type SlaPolicy } from './sla-policy.schema.ts';

/** Mon–Fri 09:00–17:00 UTC: the calendar when neither the team nor the definition gives one. */
export const defaultBusinessCalendar: BusinessCalendar = businessCalendarSchema.parse({
  timeZone: 'UTC', days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00', holidays: [],
});

/** The workspace default when no definition is active: accept in 4 business hours, touch in 24, decide in 14 days. */
export const defaultSlaPolicy: SlaPolicy = slaPolicySchema.parse({
  accept: { within: '4h' },
  firstTouch: { within: '24h' },
  opportunityDecision: { within: '14d', businessHours: false },
  escalation: [{ after: 'breach', action: 'notify_manager' }, { after: '2h', action: 'reassign', to: 'next_rep' }],
});

const minutes = (hours: number) => `${Math.max(1, Math.round(hours * 60))}m`;

/**
 * Translates the SLA section of a lead definition (the agreement's vocabulary: hours, days,
 * notify/reassign to a role) into the clock policy and business calendar the SLA core runs on.
 * Notifying anyone above the owner goes to the manager; reassigning goes to the next rep by round
 * robin, or to the queue when the agreement hands the lead to marketing.
 * @example definitionSla({ acceptWithinBusinessHours: 4, ... }).policy.accept → { within: '240m', businessHours: true }
 */
export function definitionSla(sla: DefinitionSla): { policy: SlaPolicy; calendar: BusinessCalendar } {
  const steps = (on: 'accept' | 'first_touch' | 'opportunity_decision') => sla.escalation
    .filter((s) => s.on === on)
    .map((s) => {
      const action: EscalationActionKind = s.action === 'reassign' ? 'reassign' : s.to === 'owner' ? 'notify_owner' : 'notify_manager';
      const after = s.afterBusinessHours === 0 ? 'breach' : minutes(s.afterBusinessHours);
      return action === 'reassign' ? { after, action, to: s.to === 'marketing' ? 'queue' as const : 'next_rep' as const } : { after, action };
    });
  const days = sla.opportunityDecisionWithinDays;
  const policy = slaPolicySchema.parse({
    accept: { within: minutes(sla.acceptWithinBusinessHours), escalation: steps('accept') },
    firstTouch: { within: minutes(sla.firstTouchWithinBusinessHours), escalation: steps('first_touch') },
    opportunityDecision: {
      within: Number.isInteger(days) ? `${days}d` : minutes(days * 24), businessHours: false, escalation: steps('opportunity_decision'),
    },
    escalation: [],
  });
  const calendar = businessCalendarSchema.parse({
    timeZone: sla.businessHours.timezone,
    days: sla.businessHours.days.map((d) => weekdays.indexOf(d) + 1),
    start: sla.businessHours.start, end: sla.businessHours.end, holidays: sla.holidays,
  });
  return { policy, calendar };
}
