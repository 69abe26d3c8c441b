import type { ActivityFact } from '../activity.ts';
import type { CompiledDefinition } from './compiled-definition.ts';
import type { ActivityView } from './rule-matching.ts';

/**
 * The inquiry rule: when a known person (an email on file) becomes a lead at `inquiry`. Live
 * scoring and both backtest paths ask these functions, so a backtest counts the inquiries live
 * traffic opens. Exclusions (negative rules) do not stop an inquiry: they only keep a lead from MQL.
 */

export type InquiryMatch = { ruleId: string; label: string; via: 'activity' | 'engagement' };

/** Counted (not capped) hits of the engagement rules that are inquiry signals, read from per-rule hit counts. */
export function inquirySignals(compiled: CompiledDefinition, hits: ArrayLike<number>): number {
  const engaged = compiled.inquiry.engaged;
  if (!engaged) return 0;
  let n = 0;
  for (const i of engaged.ruleIndexes) n += hits[i] as number;
  return n;
}

/** The same count from a stored engagement state (rule id → hits). */
export function inquirySignalsOfState(compiled: CompiledDefinition, rules: Readonly<Record<string, { hits: number }>>): number {
  const engaged = compiled.inquiry.engaged;
  if (!engaged) return 0;
  let n = 0;
  for (const i of engaged.ruleIndexes) n += rules[compiled.engagement[i]!.id]?.hits ?? 0;
  return n;
}

/**
 * Does this activity make a known person an inquiry? An inquiry activity rule matching it does;
 * otherwise an activity that was itself a counted signal and brought the signals to the minimum.
 * `signalsBefore` / `signalsAfter`: inquirySignals before and after the activity was applied.
 * @example firingInquiry(compiled, view, true, 0, 0) // { ruleId: 'form-submit', label: 'form submission', via: 'activity' } for a form submit
 */
export function firingInquiry(compiled: CompiledDefinition, view: ActivityView | null, known: boolean, signalsBefore: number, signalsAfter: number): InquiryMatch | null {
  if (!known || !view) return null;
  const candidates = compiled.inquiry.activitiesByType.get(view.activity.type) ?? compiled.inquiry.activities;
  for (const rule of candidates) if (rule.test(view)) return { ruleId: rule.id, label: rule.label, via: 'activity' };
  const engaged = compiled.inquiry.engaged;
  if (engaged && engagedFires(compiled, signalsBefore, signalsAfter)) return { ruleId: 'engaged', label: engaged.label, via: 'engagement' };
  return null;
}

/** The engagement half of the rule: this activity was a counted signal and the signals reached the minimum. */
export function engagedFires(compiled: CompiledDefinition, signalsBefore: number, signalsAfter: number): boolean {
  const engaged = compiled.inquiry.engaged;
  return engaged !== null && signalsAfter > signalsBefore && signalsAfter >= engaged.minSignals;
}

/** Precomputed shape side of firingInquiry for the column replay: does an inquiry activity rule match this shape? */
export function inquiryActivityMatches(compiled: CompiledDefinition, view: ActivityView): boolean {
  const candidates = compiled.inquiry.activitiesByType.get(view.activity.type) ?? compiled.inquiry.activities;
  for (const rule of candidates) if (rule.test(view)) return true;
  return false;
}

/** Whether a contact counts as known (someone the inquiry rule can apply to). */
export const isKnown = (contact: { email: string | null }): boolean => typeof contact.email === 'string' && contact.email.trim() !== '';

/**
 * The reason recorded on the `→ inquiry` transition, in plain words:
 * "inquiry: form submit demo-request (rule 'form submission', definition v3)".
 */
export function inquiryReason(match: InquiryMatch, activity: ActivityFact, version: number | string): string {
  return `inquiry: ${describeActivity(activity)} (rule '${match.label}', definition v${version})`;
}

/** "form submit demo-request", "content download ebook-playbook", "page view /pricing". Lead-supplied text is cut short. */
export function describeActivity(a: ActivityFact): string {
  const words = a.type.replace(/_/g, ' ');
  const props = a.properties;
  const form = props.form_id ?? props.formId;
  const detail = typeof form === 'string' ? form
    : a.contentId ?? (a.url ? pathOf(a.url) : a.eventName);
  return detail ? `${words} ${String(detail).slice(0, 120)}` : words;
}

function pathOf(url: string): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*([^?#]*)/i.exec(url);
  return m ? m[1] || '/' : url.split(/[?#]/)[0] ?? url;
}
