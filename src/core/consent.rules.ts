/**
 * Consent per purpose: the one shape every door writes and every sender reads.
 *
 * Stored as `contact.consent`: one record per purpose, plus `email_bounced_at` (a deliverability
 * fact, not a choice, kept beside them because it stops the same sends):
 *   { email_marketing: { status: 'refused', source: 'form:f1', at: '2026-…', basis: 'consent' }, … }
 * Writers turn what a door received into `ConsentChange`s (`consentChanges`, `consentFromImportColumns`)
 * and fold them in with `recordConsent`; readers ask `mayContact`. Nothing else looks inside.
 */

/** `sales_email` and `sales_call` are "sales contact" by channel: a rep may call someone who refused email, and the reverse. */
export const consentPurposes = ['email_marketing', 'sales_email', 'sales_call', 'tracking'] as const;
export type ConsentPurpose = (typeof consentPurposes)[number];
/**
 * `pending`: a grant of email marketing waiting for its double opt-in confirmation (never sent to;
 * only the one write function records it, no door can state it: `choiceStatuses` are what doors say).
 */
export const consentStatuses = ['granted', 'refused', 'withdrawn', 'pending'] as const;
export type ConsentStatus = (typeof consentStatuses)[number];
export const choiceStatuses = ['granted', 'refused', 'withdrawn'] as const;
export type ChoiceStatus = (typeof choiceStatuses)[number];
export const legalBases = ['consent', 'legitimate_interest', 'contract', 'legal_obligation'] as const;
export type LegalBasis = (typeof legalBases)[number];

export type ConsentRecord = { status: ConsentStatus; source: string; at: string; basis: LegalBasis };
export type ConsentDoc = Partial<Record<ConsentPurpose, ConsentRecord>> & { email_bounced_at?: string };
export type ConsentChange = ConsentRecord & { purpose: ConsentPurpose };

/**
 * What a workspace requires before a purpose is allowed without any recorded choice.
 * Default (nothing required): B2B legitimate interest, an unknown person may get marketing email
 * and sales contact, and is tracked as the snippet allows; any refusal or withdrawal stops it.
 */
export type ConsentPolicy = { optInRequired?: Partial<Record<ConsentPurpose, boolean>> };

export type ConsentDecision = {
  allowed: boolean;
  reason: 'granted' | 'refused' | 'withdrawn' | 'pending' | 'bounced' | 'opt_in_required' | 'no_choice_recorded';
  record: ConsentRecord | null;
};

const isStatus = (v: unknown): v is ConsentStatus => (consentStatuses as readonly string[]).includes(v as string);
const isChoice = (v: unknown): v is ChoiceStatus => (choiceStatuses as readonly string[]).includes(v as string);
const isBasis = (v: unknown): v is LegalBasis => (legalBases as readonly string[]).includes(v as string);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const validTime = (v: unknown): string | null => {
  if (typeof v !== 'string' && !(v instanceof Date)) return null;
  const t = new Date(v);
  return Number.isNaN(t.getTime()) ? null : t.toISOString();
};
const stops = (s: ConsentStatus) => s !== 'granted';

function toRecord(v: unknown): ConsentRecord | null {
  if (!isObject(v) || !isStatus(v.status)) return null;
  const at = validTime(v.at);
  if (!at) return null;
  return { status: v.status, source: typeof v.source === 'string' ? v.source.slice(0, 200) : 'unknown', at, basis: isBasis(v.basis) ? v.basis : 'consent' };
}

/** The stored document as the core type; anything not in the shape is ignored (the migration mapped old shapes). */
export function readConsent(raw: unknown): ConsentDoc {
  const doc: ConsentDoc = {};
  if (!isObject(raw)) return doc;
  for (const p of consentPurposes) {
    const r = toRecord(raw[p]);
    if (r) doc[p] = r;
  }
  const bounced = validTime(raw.email_bounced_at);
  if (bounced) doc.email_bounced_at = bounced;
  return doc;
}

/** Whether `next` replaces `current`: the newer choice wins; at the same instant a refusal or withdrawal wins. */
function supersedes(next: ConsentRecord, current: ConsentRecord | undefined): boolean {
  if (!current) return true;
  const a = Date.parse(next.at);
  const b = Date.parse(current.at);
  if (a !== b) return a > b;
  return stops(next.status) && !stops(current.status);
}

/**
 * THE write rule: folds changes into a stored document (any keys it does not know are kept).
 * Newest wins per purpose, so an old grant replayed late (a CSV export, a delayed batch) never
 * undoes a newer refusal, and a newer grant does undo an older refusal (the person changed their mind).
 * @example recordConsent({email_marketing: refused@10:00}, [granted@09:00]) → still refused
 */
export function recordConsent(stored: unknown, changes: readonly ConsentChange[]): Record<string, unknown> & ConsentDoc {
  const out: Record<string, unknown> & ConsentDoc = { ...(isObject(stored) ? stored : {}) };
  const current = readConsent(stored);
  for (const p of consentPurposes) if (current[p]) out[p] = current[p];
  for (const c of changes) {
    const { purpose, ...record } = c;
    if (supersedes(record, out[purpose])) out[purpose] = record;
  }
  return out;
}

/** Every purpose record of a document as changes (to fold one contact's consent into another's). */
export function consentAsChanges(stored: unknown): ConsentChange[] {
  const doc = readConsent(stored);
  return consentPurposes.flatMap((p) => (doc[p] ? [{ purpose: p, ...doc[p] }] : []));
}

const EMAIL_PURPOSES: ReadonlySet<ConsentPurpose> = new Set(['email_marketing', 'sales_email']);

/**
 * THE read rule: may we do `purpose` for this person now?
 * - a refusal, withdrawal or unconfirmed (pending) grant (the newest record) says no; a grant says yes;
 * - email purposes also stop after a hard bounce;
 * - no record: yes, unless the policy requires an opt-in for the purpose.
 */
export function mayContact(stored: unknown, purpose: ConsentPurpose, policy: ConsentPolicy = {}): ConsentDecision {
  const doc = readConsent(stored);
  const record = doc[purpose] ?? null;
  if (record && record.status !== 'granted') return { allowed: false, reason: record.status, record };
  if (EMAIL_PURPOSES.has(purpose) && doc.email_bounced_at) return { allowed: false, reason: 'bounced', record };
  if (record) return { allowed: true, reason: 'granted', record };
  if (policy.optInRequired?.[purpose]) return { allowed: false, reason: 'opt_in_required', record: null };
  return { allowed: true, reason: 'no_choice_recorded', record: null };
}

/** The workspace's policy from `workspace.settings.consent.opt_in_required` (e.g. `{email_marketing: true}`). */
export function consentPolicyOf(settings: Record<string, unknown> | null | undefined): ConsentPolicy {
  const c = isObject(settings?.consent) ? settings.consent : {};
  const req = isObject(c.opt_in_required) ? c.opt_in_required : {};
  return { optInRequired: Object.fromEntries(consentPurposes.filter((p) => req[p] === true).map((p) => [p, true])) };
}

// ---- Reading what doors receive ----------------------------------------------------------------

/** Names doors use for a purpose (forms' `consent_<name>`, traits, CSV/REST keys), lower-cased. */
const aliases: Record<string, readonly ConsentPurpose[]> = {
  email_marketing: ['email_marketing'], email: ['email_marketing'], marketing: ['email_marketing'], newsletter: ['email_marketing'],
  marketing_email: ['email_marketing'], sales: ['sales_email', 'sales_call'], sales_contact: ['sales_email', 'sales_call'],
  sales_email: ['sales_email'], sales_call: ['sales_call'], phone: ['sales_call'], call: ['sales_call'],
  tracking: ['tracking'], profiling: ['tracking'], analytics: ['tracking'],
};

/** Purposes a name stands for, or none. */
export function purposesOf(name: string): readonly ConsentPurpose[] {
  return aliases[name.trim().toLowerCase().replace(/[\s.-]+/g, '_')] ?? [];
}

const YES = new Set(['yes', 'y', 'true', 'on', '1', 'granted', 'opt_in', 'opted_in', 'subscribed', 'accept', 'accepted']);
const NO = new Set(['no', 'n', 'false', 'off', '0', 'refused', 'opt_out', 'opted_out', 'unsubscribed', 'deny', 'denied', 'declined']);

/** A door's value as a status: booleans, yes/no words (forms send "on"), or a status word. Null when it says nothing. */
export function statusOf(v: unknown): ChoiceStatus | null {
  if (v === true) return 'granted';
  if (v === false) return 'refused';
  if (typeof v === 'number') return v === 1 ? 'granted' : v === 0 ? 'refused' : null;
  if (typeof v !== 'string') return null;
  const s = v.trim().toLowerCase().replace(/[\s-]+/g, '_');
  if (s === 'withdrawn') return 'withdrawn';
  return YES.has(s) ? 'granted' : NO.has(s) ? 'refused' : null;
}

export type ConsentInputMeta = { at: Date | string; source: string; basis?: LegalBasis };
export type ConsentProblem = { path: string; message: string };

/**
 * Reads consent as a door received it: `{ <purpose or alias>: value }` where value is a boolean,
 * a yes/no word, a status word, a record `{status, at?, source?, basis?}` or the old `{granted}`.
 * Keys that are no purpose (e.g. `email_bounced_at`) are skipped; values that say nothing are
 * problems (REST refuses them, lenient doors ignore them). `at` of a record is kept when valid and
 * not later than `meta.at` (the door's time, never the sender's future).
 */
export function consentChanges(input: unknown, meta: ConsentInputMeta): { changes: ConsentChange[]; problems: ConsentProblem[] } {
  const changes: ConsentChange[] = [];
  const problems: ConsentProblem[] = [];
  if (!isObject(input)) return { changes, problems: input === undefined ? [] : [{ path: 'consent', message: 'expected an object of purpose → choice' }] };
  const at = validTime(meta.at) ?? new Date(0).toISOString();
  for (const [key, value] of Object.entries(input)) {
    const purposes = purposesOf(key);
    if (purposes.length === 0) {
      if (!/_at$/.test(key)) problems.push({ path: `consent.${key}`, message: `unknown purpose (use ${consentPurposes.join(', ')}, or sales for both sales channels)` });
      continue;
    }
    let status: ConsentStatus | null;
    let recAt = at;
    let source = meta.source;
    let basis: LegalBasis = meta.basis ?? 'consent';
    if (isObject(value)) {
      // `pending` is never a door's word: only the double opt-in rule records it.
      status = isChoice(value.status) ? value.status : statusOf(value.granted);
      // A stated time is kept when it is not after the door's own: a future-dated grant would outrank every later refusal.
      const stated = validTime(value.at);
      recAt = stated && stated < at ? stated : at;
      if (typeof value.source === 'string' && value.source.trim()) source = value.source.trim().slice(0, 200);
      if (isBasis(value.basis)) basis = value.basis;
    } else status = statusOf(value);
    if (!status) {
      problems.push({ path: `consent.${key}`, message: 'expected yes/no, true/false, or granted/refused/withdrawn' });
      continue;
    }
    for (const purpose of purposes) changes.push({ purpose, status, at: recAt, source, basis });
  }
  return { changes, problems };
}

/** Segment's consent-management context (`context.consent.categoryPreferences`): category names are the CMP's own, matched by meaning. */
export function consentFromSegmentContext(context: unknown, meta: ConsentInputMeta): ConsentChange[] {
  const prefs = isObject(context) && isObject(context.consent) && isObject(context.consent.categoryPreferences) ? context.consent.categoryPreferences : null;
  if (!prefs) return [];
  const at = validTime(meta.at) ?? new Date(0).toISOString();
  const changes: ConsentChange[] = [];
  for (const [category, value] of Object.entries(prefs)) {
    if (typeof value !== 'boolean') continue;
    const purposes: ConsentPurpose[] = /analytic|performance|tracking|profil|personali[sz]/i.test(category) ? ['tracking']
      : /market|advertis|email/i.test(category) ? ['email_marketing'] : /sales/i.test(category) ? ['sales_email', 'sales_call'] : [];
    for (const purpose of purposes) changes.push({ purpose, status: value ? 'granted' : 'refused', at, source: meta.source, basis: 'consent' });
  }
  return changes;
}

/**
 * Consent columns of a CSV contacts file (their attribute keys, i.e. lower-cased header with `_`):
 * HubSpot "Unsubscribed from all email" / "Marketing contact status", Salesforce `HasOptedOutOfEmail`
 * ("Email Opt Out") and `DoNotCall` ("Do Not Call"), and generic `consent_<purpose>` columns.
 * Answers the changes and the attributes without those columns (they are consent, not profile).
 * An opt-out flag that is false says nothing (CRMs export false for everyone who never chose).
 */
export function consentFromImportColumns(attributes: Record<string, unknown>, meta: ConsentInputMeta & { grantAt?: Date | string | null }): { changes: ConsentChange[]; rest: Record<string, unknown> } {
  const at = validTime(meta.at) ?? new Date(0).toISOString();
  const grantAt = validTime(meta.grantAt) ?? new Date(0).toISOString();
  const changes: ConsentChange[] = [];
  const rest: Record<string, unknown> = {};
  const add = (purposes: readonly ConsentPurpose[], status: ConsentStatus, basis: LegalBasis = 'consent') => {
    for (const purpose of purposes) changes.push({ purpose, status, at, source: meta.source, basis });
  };
  for (const [key, value] of Object.entries(attributes)) {
    const k = key.toLowerCase();
    const yes = statusOf(value) === 'granted';
    if (k === 'unsubscribed_from_all_email' || k === 'hasoptedoutofemail' || k === 'email_opt_out') {
      if (yes) add(['email_marketing', 'sales_email'], 'refused');
    } else if (k === 'donotcall' || k === 'do_not_call') {
      if (yes) add(['sales_call'], 'refused');
    } else if (k === 'marketing_contact_status') {
      // HubSpot's "Marketing contact" is the customer's billing choice, not the person's consent: it grants
      // nothing; "Non-marketing contact" means the CRM never markets to them, so neither do we.
      if (/^non.?marketing/i.test(String(value).trim())) add(['email_marketing'], 'refused', 'legitimate_interest');
    } else if (k.startsWith('consent_') && purposesOf(k.slice('consent_'.length)).length) {
      const status = statusOf(value);
      // A file's grant is as old as the file could be: it fills a purpose nobody chose yet and never
      // overrides a choice recorded here (newest wins); a refusal counts from the import.
      if (status === 'granted') for (const purpose of purposesOf(k.slice('consent_'.length))) changes.push({ purpose, status, at: grantAt, source: meta.source, basis: 'consent' });
      else if (status) add(purposesOf(k.slice('consent_'.length)), status);
    } else {
      rest[key] = value;
      continue;
    }
  }
  return { changes, rest };
}
