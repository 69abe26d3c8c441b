import { readConsent, type ConsentChange, type ConsentPurpose } from './consent.rules.ts';
import { consentChannelOf } from './ingest-trust.rules.ts';
import { escapeHtml } from './nurture/email-template.rules.ts';

/**
 * Double opt-in for email marketing, and the preference centre's purposes: pure rules.
 *
 * With double opt-in on (`workspace.settings.consent.double_opt_in`, default off), a grant of email
 * marketing from a door (form, identify, CSV, REST) is recorded as `pending` and a confirmation email
 * asks the person to confirm; the link's confirmation records the grant (source `confirmed:<door>`,
 * dated at the click). Nobody is sent marketing while pending (`mayContact` says no). A request not
 * confirmed within `confirm_within_days` (default 7) expires: the link answers 410 and the record
 * stays pending (no email) until the person grants again somewhere.
 */
export type DoubleOptInSettings = { enabled: boolean; confirmWithinDays: number };
export const defaultDoubleOptIn: DoubleOptInSettings = { enabled: false, confirmWithinDays: 7 };
export const MAX_CONFIRM_DAYS = 30;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The workspace's double opt-in settings (`settings.consent.double_opt_in`, `settings.consent.confirm_within_days`); malformed values fall back to the defaults. */
export function doubleOptInOf(settings: Record<string, unknown> | null | undefined): DoubleOptInSettings {
  const c = isObject(settings?.consent) ? settings.consent : {};
  const days = c.confirm_within_days;
  return {
    enabled: c.double_opt_in === true,
    confirmWithinDays: typeof days === 'number' && Number.isInteger(days) && days >= 1 && days <= MAX_CONFIRM_DAYS ? days : defaultDoubleOptIn.confirmWithinDays,
  };
}

/**
 * Channels whose grant is itself confirmed: the confirmation link, and the preference centre (its
 * link reached the person's own mailbox). Every other door's grant waits for confirmation.
 */
const confirmedChannels: ReadonlySet<string> = new Set(['preference_centre', 'preference_page', 'unsubscribe_link']);

/**
 * The changes as recorded under the workspace's double opt-in: a door's grant of email marketing to
 * someone whose current email-marketing record is not a grant becomes `pending` (a grant already
 * confirmed, or given before double opt-in was switched on, is simply re-stated).
 * @example applyDoubleOptIn({}, [granted by form:ebook], on) → [pending by form:ebook]
 */
export function applyDoubleOptIn(stored: unknown, changes: readonly ConsentChange[], settings: Pick<DoubleOptInSettings, 'enabled'>): ConsentChange[] {
  if (!settings.enabled) return [...changes];
  const current = readConsent(stored).email_marketing;
  const confirmed = (source: string) => source.startsWith('confirmed:') || confirmedChannels.has(consentChannelOf(source));
  return changes.map((c) => (c.purpose === 'email_marketing' && c.status === 'granted' && !confirmed(c.source) && current?.status !== 'granted'
    ? { ...c, status: 'pending' as const } : c));
}

/** When an unconfirmed request made at `requestedAt` expires. */
export function confirmationExpiry(requestedAt: Date, settings: Pick<DoubleOptInSettings, 'confirmWithinDays'>): Date {
  return new Date(requestedAt.getTime() + settings.confirmWithinDays * 86_400_000);
}

/** The source a confirmed grant is recorded with: the confirmation and the door the request came from. */
export const confirmedSource = (requestSource: string) => `confirmed:${requestSource}`.slice(0, 200);

// ---- The preference centre ----------------------------------------------------------------------

/** What the person manages: email marketing, sales contact (email and calls together) and tracking/profiling. */
export type PreferenceGroup = 'email_marketing' | 'sales_contact' | 'tracking';
export const preferenceGroups: readonly { group: PreferenceGroup; purposes: readonly ConsentPurpose[]; label: string; what: string }[] = [
  { group: 'email_marketing', purposes: ['email_marketing'], label: 'Marketing email', what: 'Content emails: guides, articles, event invitations.' },
  { group: 'sales_contact', purposes: ['sales_email', 'sales_call'], label: 'Sales contact', what: 'A member of our sales team may email or call you.' },
  { group: 'tracking', purposes: ['tracking'], label: 'Tracking and profiling', what: 'We record the pages you visit on our site to tailor what we send.' },
];
export const isPreferenceGroup = (v: unknown): v is PreferenceGroup => preferenceGroups.some((g) => g.group === v);

export type PreferenceState = 'allowed' | 'not_allowed' | 'pending' | 'no_choice';
export type PreferenceView = { group: PreferenceGroup; label: string; what: string; state: PreferenceState; since: string | null };

/**
 * Each group's current state as the person should read it: allowed (every purpose of the group granted),
 * awaiting confirmation, not allowed (any refusal or withdrawal), or no choice recorded.
 */
export function preferenceViews(stored: unknown): PreferenceView[] {
  const doc = readConsent(stored);
  return preferenceGroups.map(({ group, purposes, label, what }) => {
    const records = purposes.map((p) => doc[p]);
    const present = records.filter((r) => r !== undefined);
    const since = present.length ? present.map((r) => r.at).sort().at(-1)! : null;
    const state: PreferenceState = present.some((r) => r.status === 'refused' || r.status === 'withdrawn') ? 'not_allowed'
      : present.some((r) => r.status === 'pending') ? 'pending'
        : present.length === records.length && present.every((r) => r.status === 'granted') ? 'allowed'
          : present.length ? 'allowed' : 'no_choice';
    return { group, label, what, state, since };
  });
}

/** The changes a preference-centre choice makes: every purpose of the group, sourced `preference_centre`, basis consent. */
export function preferenceChanges(group: PreferenceGroup, choice: 'granted' | 'withdrawn', at: Date): ConsentChange[] {
  const purposes = preferenceGroups.find((g) => g.group === group)!.purposes;
  return purposes.map((purpose) => ({ purpose, status: choice, source: 'preference_centre', at: at.toISOString(), basis: 'consent' }));
}

/** "Unsubscribe from all": every email purpose withdrawn (tracking is not email and stays as it was). */
export function unsubscribeAllChanges(at: Date): ConsentChange[] {
  return (['email_marketing', 'sales_email'] as const).map((purpose) => ({ purpose, status: 'withdrawn' as const, source: 'preference_centre', at: at.toISOString(), basis: 'consent' as const }));
}

/**
 * An email address as the preference page shows it: first letter of the mailbox and of the domain,
 * the top-level domain, nothing else (the link may be forwarded; the page must not reveal the address).
 * @example maskEmail('rita.jones@refuses.test') → 'r•••@r•••.test'
 */
export function maskEmail(email: string | null): string {
  if (!email) return 'your address';
  const at = email.lastIndexOf('@');
  if (at <= 0) return '•••';
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  const dot = domain.lastIndexOf('.');
  const tld = dot > 0 ? domain.slice(dot) : '';
  return `${local[0]}•••@${domain[0] ?? ''}•••${tld}`;
}

// ---- The confirmation email ---------------------------------------------------------------------

/**
 * The double opt-in email: transactional (it asks for consent, so it is not marketing: no unsubscribe
 * header, no tracking pixel, no tracked links). The first name came from the lead and is untrusted:
 * escaped in the HTML part and kept to one line of plain text.
 */
export function renderConfirmationEmail(v: { firstName: string | null; confirmLink: string; preferencesLink: string; expiresAt: Date }): { subject: string; text: string; html: string } {
  const name = (v.firstName ?? '').replace(/[\r\n\t]+/g, ' ').trim().slice(0, 100) || 'there';
  const until = v.expiresAt.toISOString().slice(0, 10);
  const text = `Hi ${name},\n\nPlease confirm that you want to receive our marketing emails:\n${v.confirmLink}\n\n`
    + `If you did not ask for this, ignore this email: nothing will be sent. The link works until ${until}.\n\n`
    + `Your preferences: ${v.preferencesLink}\n`;
  const html = `<!doctype html><html><body><p>Hi ${escapeHtml(name)},</p><p>Please confirm that you want to receive our marketing emails:</p>`
    + `<p><a href="${escapeHtml(v.confirmLink)}">Confirm my subscription</a></p>`
    + `<p>If you did not ask for this, ignore this email: nothing will be sent. The link works until ${escapeHtml(until)}.</p>`
    + `<p style="font-size:12px"><a href="${escapeHtml(v.preferencesLink)}">Your preferences</a></p></body></html>`;
  return { subject: 'Please confirm your subscription', text, html };
}
