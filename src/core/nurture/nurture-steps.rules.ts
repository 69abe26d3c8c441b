import { mayContact, type ConsentPolicy } from '../consent.rules.ts';
import type { BusinessCalendar } from '../sla/business-calendar.schema.ts';
import { addBusinessMinutes, businessDayMinutes } from '../sla/business-time.rules.ts';
import type { SendEmailStep, TrackStep } from './nurture-track.schema.ts';

/** Engagement with the email of the enrollment's last send step (what branches look at). */
export type LastSend = { opened: boolean; clicked: boolean } | null;

export type StepPlan =
  | { kind: 'send'; stepIndex: number; step: SendEmailStep }
  | { kind: 'wait'; nextStep: number; until: Date }
  | { kind: 'finished'; reason: 'finished' | 'no_progress' };

/**
 * Walks a track from `from` through branches and zero-length waits to the next thing to do:
 * send an email, wait until a time, or finish. A branch looks at the last email's engagement;
 * branches that loop without a send or a wait end the track instead of spinning.
 * @example planNextStep([send, wait 3, branch clicked→0 else 3], 1, null, Mon 09:00, cal) → wait until Thu 09:00
 */
export function planNextStep(steps: readonly TrackStep[], from: number, lastSend: LastSend, now: Date, calendar: BusinessCalendar): StepPlan {
  let i = from;
  for (let guard = 0; guard <= steps.length; guard++) {
    const step = steps[i];
    if (!step) return { kind: 'finished', reason: 'finished' };
    if (step.type === 'send_email') return { kind: 'send', stepIndex: i, step };
    if (step.type === 'wait') {
      if (step.business_days > 0) return { kind: 'wait', nextStep: i + 1, until: addBusinessDays(now, step.business_days, calendar) };
      i += 1;
      continue;
    }
    const engaged = step.if === 'clicked' ? lastSend?.clicked === true : lastSend?.opened === true || lastSend?.clicked === true;
    i = engaged ? step.then : step.else;
  }
  return { kind: 'finished', reason: 'no_progress' };
}

/** `days` business days after `now` on the calendar (fractions allowed: 0.5 = half a working day). */
export function addBusinessDays(now: Date, days: number, calendar: BusinessCalendar): Date {
  return addBusinessMinutes(now, days * businessDayMinutes(calendar), calendar);
}

export type FrequencyCap = { maxEmails: number; days: number };

/**
 * The earliest time another nurture email may go to a person, given when they were last emailed
 * (by any track): at most `maxEmails` in any rolling `days` window, and the track's minimum gap.
 * Answers `now` when sending now is fine.
 * @example cap 2 per 7 days, sent Mon and Tue, now Wed → next Mon (when Monday's email leaves the window)
 */
export function nextAllowedSend(sentAts: readonly Date[], now: Date, cap: FrequencyCap, minHoursBetween = 0): Date {
  const windowMs = cap.days * 86_400_000;
  const recent = sentAts.filter((d) => d.getTime() > now.getTime() - windowMs && d.getTime() <= now.getTime())
    .map((d) => d.getTime()).sort((a, b) => b - a);
  let allowed = now.getTime();
  if (recent.length >= cap.maxEmails) allowed = Math.max(allowed, recent[cap.maxEmails - 1]! + windowMs);
  const last = recent[0];
  if (last !== undefined && minHoursBetween > 0) allowed = Math.max(allowed, last + minHoursBetween * 3_600_000);
  return new Date(allowed);
}

/**
 * Whether nurture (marketing) email may go to a person: an address, not unsubscribed, and the
 * consent rule's `mayContact(…, 'email_marketing')` (no refusal or withdrawal, no hard bounce,
 * an opt-in where the workspace policy requires one).
 */
export function emailBlocker(contact: { email: string | null; consent: Record<string, unknown>; unsubscribedAt: Date | null }, policy?: ConsentPolicy): 'no_email' | 'unsubscribed' | 'no_consent' | 'bounced' | null {
  if (!contact.email) return 'no_email';
  if (contact.unsubscribedAt) return 'unsubscribed';
  const decision = mayContact(contact.consent, 'email_marketing', policy);
  if (decision.allowed) return null;
  return decision.reason === 'bounced' ? 'bounced' : decision.reason === 'withdrawn' ? 'unsubscribed' : 'no_consent';
}
