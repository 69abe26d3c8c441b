import { z } from 'zod';
import type { BusinessCalendar } from './business-calendar.schema.ts';
import { addBusinessMinutes, businessDayMinutes, localDateOf, zonedParts, zonedTimeToUtc } from './business-time.rules.ts';

/** '30m', '4h', '14d', '2w', '1d4h30m'. */
export const durationSchema = z
  .string()
  .regex(/^(?=\d)(\d+w)?(\d+d)?(\d+h)?(\d+m)?$/, "a duration like '30m', '4h', '14d', '1d4h'")
  .refine((spec) => totalOf(parseDuration(spec)) > 0, 'must be longer than zero');

export type Duration = { weeks: number; days: number; hours: number; minutes: number };

export function parseDuration(spec: string): Duration {
  const unit = (u: string) => Number(new RegExp(`(\\d+)${u}`).exec(spec)?.[1] ?? 0);
  return { weeks: unit('w'), days: unit('d'), hours: unit('h'), minutes: unit('m') };
}

function totalOf(d: Duration): number {
  return d.weeks + d.days + d.hours + d.minutes;
}

export const escalationActions = ['notify_owner', 'notify_manager', 'reassign'] as const;
export type EscalationActionKind = (typeof escalationActions)[number];

/**
 * One escalation step. `after` counts from the breach (the due time), in the same kind of time
 * as its clock: a business-hours clock that breaches Friday 16:30 reaches '2h' Monday 10:30.
 */
export const escalationStepSchema = z
  .object({
    after: z.union([z.literal('breach'), durationSchema]),
    action: z.enum(escalationActions),
    to: z.enum(['next_rep', 'queue']).optional(),
  })
  .refine((s) => s.action === 'reassign' || s.to === undefined, { path: ['to'], message: "only a 'reassign' step has a target" })
  .transform((s) => (s.action === 'reassign' ? { ...s, to: s.to ?? ('next_rep' as const) } : s));
export type EscalationStep = z.infer<typeof escalationStepSchema>;

/**
 * A deadline. With `businessHours`, minutes and hours are business minutes and hours, a day is
 * one business day (the calendar's daily window) and a week is as many business days as the
 * calendar has per week; without, days and weeks are wall-calendar days in the team's zone
 * (so '14d' keeps the time of day across a DST change) and hours and minutes are elapsed time.
 */
export const clockPolicySchema = z.object({
  within: durationSchema,
  businessHours: z.boolean().default(true),
  /** Replaces the policy-wide escalation steps for this clock. */
  escalation: z.array(escalationStepSchema).optional(),
});
export type ClockPolicy = z.infer<typeof clockPolicySchema>;

/**
 * The follow-up SLA of a lead definition: which clocks run, how long each may take, and what
 * happens after a breach. Clocks the policy leaves out do not run.
 * @example { accept: { within: '4h' }, firstTouch: { within: '24h' }, opportunityDecision: { within: '14d', businessHours: false },
 *   escalation: [{ after: 'breach', action: 'notify_manager' }, { after: '2h', action: 'reassign', to: 'next_rep' }] }
 */
export const slaPolicySchema = z.object({
  accept: clockPolicySchema.optional(),
  firstTouch: clockPolicySchema.optional(),
  opportunityDecision: clockPolicySchema.optional(),
  escalation: z.array(escalationStepSchema).default([]),
});
export type SlaPolicy = z.infer<typeof slaPolicySchema>;

/** The instant a duration after `start` ends, in business or wall-calendar time. */
export function addDuration(start: Date, spec: string, businessHours: boolean, calendar: BusinessCalendar): Date {
  const d = parseDuration(spec);
  if (businessHours) {
    const day = businessDayMinutes(calendar);
    const minutes = d.weeks * calendar.days.length * day + d.days * day + d.hours * 60 + d.minutes;
    return addBusinessMinutes(start, minutes, calendar);
  }
  let base = start;
  const days = d.weeks * 7 + d.days;
  if (days > 0) {
    const tz = calendar.timeZone;
    const local = localDateOf(start, tz);
    const p = zonedParts(start, tz);
    const target = new Date(Date.UTC(local.year, local.month - 1, local.day + days));
    const date = { year: target.getUTCFullYear(), month: target.getUTCMonth() + 1, day: target.getUTCDate() };
    base = new Date(zonedTimeToUtc(date, p.hour * 60 + p.minute, tz).getTime() + p.second * 1000 + (start.getTime() % 1000));
  }
  return new Date(base.getTime() + (d.hours * 60 + d.minutes) * 60_000);
}
